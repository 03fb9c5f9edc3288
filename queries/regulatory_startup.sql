-- name: regulatory_startup
-- Regulatory reference rows, one per scope (an ISO3 code or a region name whose members
-- inherit the row, e.g. the EU's CTR clock), with the statutory clock in the unit the law
-- uses, observed approval and start-up ranges [days], friction flags, source and as-of date.
-- Unsourced cells stay NULL.
-- params: none
SELECT
    scope, regulator,
    CAST(clock_value AS DOUBLE) AS clock_value, clock_unit, clock_note,
    CAST(approval_low_days AS DOUBLE) AS approval_low_days,
    CAST(approval_high_days AS DOUBLE) AS approval_high_days, approval_note,
    CAST(startup_low_days AS DOUBLE) AS startup_low_days,
    CAST(startup_high_days AS DOUBLE) AS startup_high_days, startup_note,
    import_permit, sample_export_restriction, local_legal_representative, translation,
    sequential_ethics, war_or_sanctions, source, CAST(as_of AS VARCHAR) AS as_of
FROM src_regulatory_startup
ORDER BY scope
