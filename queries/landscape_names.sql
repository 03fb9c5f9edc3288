-- name: landscape_names
-- The build report of the crosswalk: every registry country name of a row not removed, its
-- ISO3 (NULL: not attributed or unmatched), how (override, pycountry, not attributed,
-- unmatched), a note and its rows not removed (one per study and country listed); largest
-- first.
-- params: none
SELECT registry_name, iso3, basis, note, rows
FROM landscape_names
ORDER BY rows DESC, registry_name
