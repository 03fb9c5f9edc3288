-- name: population_age_sex
-- Each mapped country's population in 2025 by sex and 5-year age group (UN WPP 2019, medium
-- variant): age_low inclusive, age_high exclusive [years] (NULL for 100+), population
-- [people] and share of the country's population of both sexes [0-1].
-- params: none
SELECT iso3, sex, age_low, age_high, population, share
FROM population_age_sex
ORDER BY iso3, sex, age_low
