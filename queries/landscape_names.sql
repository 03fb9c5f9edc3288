-- name: landscape_names
-- The build report of the crosswalk: every registry country name, its ISO3 (NULL: not
-- attributed or unmatched), how (override, pycountry, not attributed, unmatched), a note and
-- its registered studies; largest first.
-- params: none
SELECT registry_name, iso3, basis, note, studies
FROM landscape_names
ORDER BY studies DESC, registry_name
