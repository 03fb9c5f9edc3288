-- name: build_indicator_values
-- Every country-level observation in one long table (iso3, indicator, year, value, source_id).
-- Source codes go through the crosswalk; only mapped countries are kept, so World Bank
-- aggregates (EUU, LCN, WLD, ...) and OWID regions never reach it. Missing values are absent
-- rows, never zeros. NCD-RisC fractions are turned into percentages (x100), and the figure for
-- both sexes is the unweighted mean of the men's and women's age-standardised values.
-- params: none
CREATE TABLE indicator_values AS
WITH
crosswalk AS (SELECT source, source_code, iso3 FROM src_code_crosswalk),
catalogue AS (SELECT indicator, source_id FROM src_indicators),
wdi AS (
    SELECT iso3 AS code, indicator, year, value, 'wdi' AS source_id
    FROM src_wdi
    WHERE value IS NOT NULL AND NOT isnan(value)
),
wgi AS (
    SELECT code, 'WGI.' || upper(indicator) AS indicator, year, estimate AS value,
           'wgi' AS source_id
    FROM src_wgi
    WHERE estimate IS NOT NULL
),
physicians AS (
    SELECT Code AS code, 'SH.MED.PHYS.ZS' AS indicator, Year AS year, phy AS value,
           'owid_physicians' AS source_id
    FROM src_owid_physicians
    WHERE Code IS NOT NULL AND phy IS NOT NULL
),
internet AS (
    SELECT Code AS code, 'IT.NET.USER.ZS' AS indicator, Year AS year,
           internet_users_pct AS value, 'owid_internet' AS source_id
    FROM src_owid_internet
    WHERE Code IS NOT NULL AND internet_users_pct IS NOT NULL
),
hypertension AS (
    SELECT Country_code AS code, 'NCD.HTN.PREV' AS indicator, Year_x AS year,
           100 * (htn_x + htn_y) / 2 AS value, 'ncdrisc' AS source_id
    FROM src_ncdrisc
    UNION ALL
    SELECT Country_code, 'NCD.HTN.DIAG', Year_x, 100 * ("diag(%)" + diag) / 2, 'ncdrisc'
    FROM src_ncdrisc
),
unioned AS (
    SELECT * FROM wdi
    UNION ALL SELECT * FROM wgi
    UNION ALL SELECT * FROM physicians
    UNION ALL SELECT * FROM internet
    UNION ALL SELECT * FROM hypertension
),
final AS (
    SELECT
        coalesce(crosswalk.iso3, unioned.code) AS iso3,
        unioned.indicator,
        CAST(unioned.year AS INTEGER) AS year,
        CAST(unioned.value AS DOUBLE) AS value,
        unioned.source_id
    FROM unioned
    -- the catalogue names which source each indicator comes from
    SEMI JOIN catalogue
        ON catalogue.indicator = unioned.indicator AND catalogue.source_id = unioned.source_id
    LEFT JOIN crosswalk
        ON crosswalk.source = split_part(unioned.source_id, '_', 1)
        AND crosswalk.source_code = unioned.code
)
SELECT final.*
FROM final
SEMI JOIN countries ON countries.iso3 = final.iso3
ORDER BY iso3, indicator, year
