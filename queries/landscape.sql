-- name: landscape
-- The trial landscape of every mapped country (ISO3): registered studies, the last-five-years
-- estimate, multinational studies and share, latest World Bank population (SP.POP.TOTL) and
-- studies per million people. A mapped
-- country with no registry row has 0 studies when the landscape is available; no rows at all
-- when it is not (landscape_meta says why).
-- params: none
WITH
countries AS (SELECT iso3 FROM countries),
meta AS (SELECT available FROM landscape_meta),
final AS (
    SELECT
        countries.iso3,
        coalesce(landscape.studies, 0) AS studies,
        coalesce(landscape.studies_recent, 0) AS studies_recent,
        coalesce(landscape.multinational_studies, 0) AS multinational_studies,
        landscape.multinational_share,
        population.population,
        population.population_year,
        coalesce(landscape.studies, 0) / (population.population / 1e6) AS studies_per_million
    FROM countries
    CROSS JOIN meta
    LEFT JOIN landscape USING (iso3)
    LEFT JOIN (
        SELECT iso3, arg_max(value, year) AS population, max(year) AS population_year
        FROM indicator_values WHERE indicator = 'SP.POP.TOTL' GROUP BY iso3
    ) AS population USING (iso3)
    WHERE meta.available
)
SELECT * FROM final ORDER BY iso3
