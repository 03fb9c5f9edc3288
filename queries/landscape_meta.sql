-- name: landscape_meta
-- The trial landscape's one row: available (false: the files were missing or malformed, and
-- reason says which), snapshot month, source, newest NCT number, the recent window, the
-- year map's first NCT number of the window and its two-fold error on the calibration sample.
-- params: none
SELECT * FROM landscape_meta
