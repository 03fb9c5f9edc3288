-- name: data_sources
-- Every source shipped in data/ with publisher, licence, version, years and origin.
-- params: none
SELECT source_id, publisher, title, licence, version, years, url
FROM src_sources
ORDER BY source_id
