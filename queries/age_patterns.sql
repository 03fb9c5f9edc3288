-- name: age_patterns
-- Published age patterns of prevalence per indication (indirect standardisation): age_low
-- inclusive, age_high exclusive [years] (NULL: open), prevalence [0-1], the standard
-- population of the indication's rate, and the pattern's source.
-- params: none
SELECT indication, pattern, age_low, age_high, prevalence, standard, publisher, source,
       "table", url
FROM age_patterns
ORDER BY indication, age_low
