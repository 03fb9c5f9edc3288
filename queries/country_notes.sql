-- name: country_notes
-- Known data caveats per country (e.g. Taiwan has no World Bank data).
-- params: none
SELECT iso3, note FROM src_country_notes ORDER BY iso3
