-- name: build_population_age_sex
-- The age-sex structure of each mapped country in 2025: UN World Population Prospects 2019,
-- medium variant (a 2019 projection), by sex and 5-year age group (0-4 ... 95-99, 100+).
-- Only the 2025 column is loaded. M49 codes go to ISO3 through data/wpp2019_m49_iso3.csv
-- (pycountry's ISO 3166-1 numeric codes). age_low is inclusive, age_high exclusive [years];
-- age_high is NULL for the open 100+ group. share is the group's share of the country's
-- population of both sexes [0-1]. Countries with no WPP age data (Kosovo, micro-states under
-- 90,000 people) have no rows.
-- params: none
CREATE TABLE population_age_sex AS
WITH
crosswalk AS (SELECT m49, iso3 FROM src_wpp_m49_iso3),
by_sex AS (
    SELECT country_code, 'male' AS sex, age, "2025" AS thousands FROM src_wpp_male
    UNION ALL
    SELECT country_code, 'female' AS sex, age, "2025" AS thousands FROM src_wpp_female
),
groups AS (
    SELECT
        crosswalk.iso3,
        by_sex.sex,
        CAST(regexp_extract(by_sex.age, '^[0-9]+') AS INTEGER) AS age_low,
        CASE WHEN by_sex.age LIKE '%+' THEN NULL
             ELSE CAST(split_part(by_sex.age, '-', 2) AS INTEGER) + 1 END AS age_high,
        1000 * CAST(by_sex.thousands AS DOUBLE) AS population
    FROM by_sex
    JOIN crosswalk ON crosswalk.m49 = by_sex.country_code
),
mapped AS (
    SELECT groups.* FROM groups SEMI JOIN countries ON countries.iso3 = groups.iso3
),
final AS (
    SELECT mapped.*, population / sum(population) OVER (PARTITION BY iso3) AS share
    FROM mapped
)
SELECT * FROM final ORDER BY iso3, sex, age_low
