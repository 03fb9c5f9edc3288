-- name: build_age_patterns
-- Published age patterns of prevalence that turn an indication's age-standardised rate into
-- each country's crude rate (indirect standardisation; data/prevalence_age_patterns.csv).
-- age_low inclusive, age_high exclusive [years] (NULL: open); prevalence [0-1]; standard
-- names the standard population of the indication's rate (table standard_weights).
-- params: none
CREATE TABLE age_patterns AS
WITH
source AS (SELECT * FROM src_age_patterns),
final AS (
    SELECT
        indication, pattern,
        CAST(age_low AS INTEGER) AS age_low,
        CAST(age_high AS INTEGER) + 1 AS age_high,
        CAST(prevalence_pct AS DOUBLE) / 100 AS prevalence,
        standard, publisher, source, "table", url
    FROM source
)
SELECT * FROM final ORDER BY indication, age_low
