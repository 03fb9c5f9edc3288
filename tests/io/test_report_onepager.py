"""The executive one-pager: one PDF page and one slide that hold the map, the counts, the
top countries, the flags, the date and the sources; read back with pypdf and python-pptx."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import geopandas as gpd
import pytest
from pptx import Presentation
from pptx.util import Emu
from pypdf import PdfReader

from footprint.data import atlas, model_inputs
from footprint.enrollment import forecast, planning
from footprint.io import report_onepager as op
from footprint.io.report_map import MapKey
from footprint.io.report_meta import ATTRIBUTION, ReportMeta
from footprint.io.scenario_json import scenario_from_json
from footprint.model import scoring
from footprint.views import executive, maps
from tests.scenarios import EXAMPLE

META = ReportMeta(generated_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC), app_version="9.9.9")


@pytest.fixture(scope="module")
def onepager(database):
    con = database.cursor()
    inputs = model_inputs.load_inputs(con)
    regions, shapes = atlas.regions(con), atlas.country_shapes(con)
    frame = scoring.country_frame(inputs, "type2_diabetes")
    in_scope = sorted({c for members in regions.values() for c in members})
    props, legend, counts = executive.tier_properties(shapes, frame, in_scope)
    keys = [MapKey(e.label, e.color, n, hatch=e.label == executive.GATED_LEGEND)
            for e, n in zip(legend, counts, strict=True)]
    keys.append(MapKey("outside the six regions", maps.CONTEXT_LAND))
    extent = tuple(gpd.GeoSeries(maps.main_parts(shapes[shapes.iso3.isin(in_scope)])
                                 ).total_bounds)
    scenario = scenario_from_json(EXAMPLE.read_text())
    result = forecast.forecast(planning.resolve_with_model(inputs, scenario), n_sims=500)
    return op.risk_onepager(
        shapes, props["fill"], frame, in_scope, keys, title="Executive risk map",
        subtitle="All six regions · Type 2 diabetes",
        top=executive.top_per_region(frame, META.weights, regions),
        flags=executive.flags_that_matter(frame, in_scope, regions), meta=META,
        sources=atlas.data_sources(con), extent=extent, highlight=["BRA"],
        figures=op.forecast_figures(result), notes=[executive.tier_rule()])


def test_the_page_gathers_counts_gate_and_settings(onepager):
    figures = dict(onepager.figures)
    assert set(figures) >= {"Low risk", "Medium risk", "High risk", "No data",
                            "Gated (embargo, sanctions, war)", "Months to target, P50"}
    assert figures["Gated (embargo, sanctions, war)"] == "6 countries"
    assert onepager.shapes["hatch"].sum() == 6 and onepager.shapes["outline"].sum() == 1
    assert any(n.startswith("Gated countries (Belarus (sanctions), Cuba (embargo)")
               and "left out of the top countries" in n for n in onepager.notes)
    assert onepager.notes[-1] == META.settings_text()
    assert list(onepager.top.columns) == ["Region", "#", "Country", "Score", "Tier",
                                      "Reachable patients"]
    assert len(onepager.sources) == 10  # data/sources.csv: 7 + AACT, UN WPP, NCHS NHANES


def test_pdf_is_one_page_with_the_map_tables_date_and_sources(onepager):
    reader = PdfReader(io.BytesIO(op.onepager_pdf(onepager)))
    assert len(reader.pages) == 1
    assert reader.metadata.title == "Executive risk map"
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in ("Executive risk map", "2026-03-02 (UTC)", "All six regions",
                     "Top countries per region", "Flags that matter", "Poland", "Cuba",
                     "slow approval", "Low risk", "35 countries", "Months to target, P50",
                     "Trial Footprint 9.9.9", "Natural Earth (public domain)",
                     "World Development Indicators"):
        assert expected in text, expected
    assert " ".join(ATTRIBUTION.split()) in text
    images = list(reader.pages[0].images)
    assert len(images) == 1 and images[0].image.width > 1000  # the map, at print resolution


def test_pptx_is_one_slide_with_title_picture_and_tables(onepager):
    deck = Presentation(io.BytesIO(op.onepager_pptx(onepager)))
    assert len(deck.slides) == 1
    assert (deck.slide_width, deck.slide_height) == (Emu(12191695), Emu(6858000))  # 16:9
    shapes = list(deck.slides[0].shapes)
    texts = [s.text_frame.text for s in shapes if s.has_text_frame]
    assert texts[0] == "Executive risk map"
    assert "2026-03-02 (UTC)" in texts and any(ATTRIBUTION in t for t in texts)
    pictures = [s for s in shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
    assert len(pictures) == 1 and pictures[0].image.content_type == "image/png"
    tables = [s.table for s in shapes if s.has_table]
    cells = [[c.text for c in row.cells] for t in tables for row in t.rows]
    assert ["Eastern Europe", "1", "Poland"] in [row[:3] for row in cells]
    assert any("Cuba" in row[0] and row[2] == "embargo" for row in cells)
    assert deck.core_properties.author == "Trial Footprint 9.9.9"


def test_characters_the_font_lacks_are_left_out_of_the_pdf():
    assert op._printable("⛔ Cuba") == "Cuba"
    assert op._printable("Côte d'Ivoire · São Tomé – Łódź") == "Côte d'Ivoire · São Tomé – Łódź"
