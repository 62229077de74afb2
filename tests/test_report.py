"""Reports: tables written without row numbers, the gallery page."""

from __future__ import annotations

import pandas as pd

from spatialgreen.report import Report, write_gallery


def test_gallery_links_are_url_encoded(tmp_path):
    rep = Report(tmp_path / "study #1 100%", title="A & B")
    rep.table(pd.DataFrame({"a": [1]}), "scores", "<b>scores</b>")
    page = write_gallery([rep], tmp_path / "index.html", title="t").read_text()
    assert "href='study%20%231%20100%25/scores.csv'" in page
    assert "&lt;b&gt;scores&lt;/b&gt;" in page and "A &amp; B" in page


def test_report_tables_drop_row_numbers_keep_names(tmp_path):
    rep = Report(tmp_path, title="t")
    stacked = pd.concat([pd.DataFrame({"cv": [0.1]}), pd.DataFrame({"cv": [0.2]})])
    stacked.index = [0, 0]  # what pd.concat of two one-row tables gives
    rep.table(stacked, "sigma", "CV")
    assert pd.read_csv(tmp_path / "sigma.csv").columns.tolist() == ["cv"]
    effects = pd.DataFrame({"direct": [0.3]}, index=pd.Index(["x"], name="variable"))
    rep.table(effects, "effects", "effects")
    assert pd.read_csv(tmp_path / "effects.csv").columns.tolist() == [
        "variable",
        "direct",
    ]
