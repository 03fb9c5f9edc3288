-- name: build_standard_weights
-- Standard populations by 5-year age group: the WHO World Standard Population 2000-2025
-- (data/standard_populations.csv) and the UN world population of 2025 (UN WPP 2019, medium
-- variant, both sexes: location 900 'World', a 2019 projection). age_low inclusive, age_high
-- exclusive [years] (NULL: open); weight [share of the standard population, any scale].
-- params: none
CREATE TABLE standard_weights AS
WITH
who AS (
    SELECT standard, name, CAST(age_low AS INTEGER) AS age_low,
           CAST(age_high AS INTEGER) + 1 AS age_high, CAST(weight AS DOUBLE) AS weight,
           source
    FROM src_standard_populations
),
world_groups AS (
    SELECT age, CAST("2025" AS DOUBLE) AS thousands FROM src_wpp_male WHERE country_code = 900
    UNION ALL
    SELECT age, CAST("2025" AS DOUBLE) AS thousands FROM src_wpp_female WHERE country_code = 900
),
world AS (
    SELECT
        'un_world_2025' AS standard,
        'UN world population 2025 (UN WPP 2019, medium variant)' AS name,
        CAST(regexp_extract(age, '^[0-9]+') AS INTEGER) AS age_low,
        CASE WHEN age LIKE '%+' THEN NULL
             ELSE CAST(split_part(age, '-', 2) AS INTEGER) + 1 END AS age_high,
        sum(thousands) AS weight,
        'UN DESA, World Population Prospects 2019, medium variant, World (900), 2025 column'
            AS source
    FROM world_groups
    GROUP BY age
),
final AS (SELECT * FROM who UNION ALL SELECT * FROM world)
SELECT * FROM final ORDER BY standard, age_low
