-- name: indications
-- The indication catalogue: source metric and its denominator (100 for a percentage,
-- 100000 for a rate per 100,000), the age band it covers [years, inclusive; age_high NULL is
-- open], the sex it is limited to (both, female, male), unit (prevalent or incident per
-- year), rate basis (crude or age_standardised, with the standard population its source
-- states) and the diagnosed share (a per-country metric or a default figure) with its source.
-- params: none
SELECT
    indication, name, kind, metric,
    CAST(metric_denominator AS DOUBLE) AS metric_denominator,
    CAST(age_low AS INTEGER) AS age_low,
    CAST(age_high AS INTEGER) AS age_high,
    sex, unit, rate_basis, standard_population, diagnosed_metric,
    CAST(default_diagnosed_share AS DOUBLE) AS default_diagnosed_share,
    diagnosed_source, note
FROM src_indications
ORDER BY indication
