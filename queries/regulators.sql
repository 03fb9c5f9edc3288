-- name: regulators
-- The national authority that authorises clinical trials of medicines, per country, with an
-- ethics note, the source address and the as-of month.
-- params: none
SELECT
    iso3,
    COALESCE(regulator, '') AS regulator,
    COALESCE(ethics_note, '') AS ethics_note,
    COALESCE(source, '') AS source,
    CAST(as_of AS VARCHAR) AS as_of
FROM src_regulators
ORDER BY iso3
