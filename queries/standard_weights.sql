-- name: standard_weights
-- Standard populations by age group: age_low inclusive, age_high exclusive [years] (NULL:
-- open), weight [any scale], with the name and source of each standard.
-- params: none
SELECT standard, name, age_low, age_high, weight, source
FROM standard_weights
ORDER BY standard, age_low
