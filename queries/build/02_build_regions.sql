-- name: build_regions
-- Region membership (a country may belong to several regions), restricted to mapped countries.
-- params: none
CREATE TABLE regions AS
WITH
members AS (SELECT region, iso3 FROM src_regions),
final AS (
    SELECT members.region, members.iso3
    FROM members
    SEMI JOIN countries ON countries.iso3 = members.iso3
)
SELECT * FROM final ORDER BY region, iso3
