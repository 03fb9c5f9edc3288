-- name: locate_sites
-- Locate uploaded sites (the registered relation uploaded_sites: site_id, latitude,
-- longitude) to the country and the sub-national unit whose polygon contains the point.
-- Sites without coordinates, or at sea, get NULLs.
-- params: none
WITH
sites AS (
    SELECT site_id, ST_Point(longitude, latitude) AS point
    FROM uploaded_sites
    WHERE latitude IS NOT NULL AND longitude IS NOT NULL
),
in_country AS (
    SELECT sites.site_id, min(countries.iso3) AS located_country
    FROM sites JOIN countries ON ST_Contains(countries.geom, sites.point)
    GROUP BY sites.site_id
),
in_unit AS (
    SELECT sites.site_id, min(units.unit_code) AS unit_code, min(units.name) AS unit_name
    FROM sites JOIN subnational_units AS units ON ST_Contains(units.geom, sites.point)
    GROUP BY sites.site_id
),
final AS (
    SELECT uploaded_sites.site_id, in_country.located_country, in_unit.unit_code,
           in_unit.unit_name
    FROM uploaded_sites
    LEFT JOIN in_country USING (site_id)
    LEFT JOIN in_unit USING (site_id)
)
SELECT * FROM final ORDER BY site_id
