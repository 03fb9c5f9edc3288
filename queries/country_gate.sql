-- name: country_gate
-- Sanctions level (embargo, sanctions, targeted, none_known) and war on the territory per
-- country, with the regimes, notes, sources and the as-of month of the facts. A country
-- without a row is not in the table (not "safe").
-- params: none
SELECT
    iso3,
    sanctions_level,
    COALESCE(sanctions_regimes, '') AS sanctions_regimes,
    CAST(war AS BOOLEAN) AS war,
    COALESCE(war_note, '') AS war_note,
    COALESCE(conflict_note, '') AS conflict_note,
    source,
    CAST(as_of AS VARCHAR) AS as_of
FROM src_country_gate
ORDER BY iso3
