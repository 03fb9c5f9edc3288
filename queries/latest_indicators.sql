-- name: latest_indicators
-- One row per country x catalogued indicator: the latest available value with its year and
-- source, its age in years at $as_of_year and a staleness flag when older than
-- $max_age_years. A country with no observation keeps a row with NULL value and year.
-- params: $as_of_year, $max_age_years
WITH
countries AS (SELECT iso3 FROM countries),
catalogue AS (SELECT indicator, source_id FROM src_indicators),
observations AS (
    SELECT * FROM indicator_values WHERE year <= $as_of_year
),
latest AS (
    SELECT iso3, indicator, arg_max(value, year) AS value, max(year) AS year
    FROM observations
    GROUP BY iso3, indicator
),
final AS (
    SELECT
        countries.iso3,
        catalogue.indicator,
        latest.value,
        latest.year,
        catalogue.source_id,
        $as_of_year - latest.year AS age_years,
        coalesce($as_of_year - latest.year > $max_age_years, false) AS stale
    FROM countries
    CROSS JOIN catalogue
    LEFT JOIN latest USING (iso3, indicator)
)
SELECT * FROM final ORDER BY iso3, indicator
