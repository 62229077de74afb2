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


def test_gallery_escapes_every_user_text_for_its_place(tmp_path):
    import re

    hostile = "</script><script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
    rep = Report(tmp_path / "out", title=hostile)
    rep.table(pd.DataFrame({"a": [1]}), "t", hostile)
    rep.text("x", "' onmouseover='alert(3)", hostile)  # a file name breaking quotes
    page = write_gallery([rep], tmp_path / "index.html", title=hostile, note=hostile)
    page = page.read_text(encoding="utf-8")
    assert "<img" not in page and "<script" not in page
    escaped = "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;&gt;"
    assert page.count(escaped) == 6  # <title>, <h1>, note, <h2>, two captions
    # attribute values are single-quoted and hold no quote of the user's
    for value in re.findall(r"href='([^']*)'", page):
        assert "'" not in value and '"' not in value and " " not in value
    assert "href='out/%27%20onmouseover%3D%27alert%283%29.txt'" in page
