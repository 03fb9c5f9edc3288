-- name: indicator_catalogue
-- The indicators the app uses, with unit, plausible range, the World Bank's definition where
-- there is one, and their source's publisher, licence, version and years.
-- params: none
WITH
indicators AS (SELECT * FROM src_indicators),
sources AS (SELECT * FROM src_sources),
definitions AS (SELECT indicator, description FROM src_wdi_meta),
final AS (
    SELECT
        indicators.indicator, indicators.title, indicators.unit,
        indicators.plausible_min, indicators.plausible_max, definitions.description,
        indicators.source_id,
        sources.publisher, sources.licence, sources.version, sources.years, sources.url
    FROM indicators
    JOIN sources USING (source_id)
    LEFT JOIN definitions USING (indicator)
)
SELECT * FROM final ORDER BY indicator
