"""Map furniture written as small Leaflet controls: legend, title, year slider, style.

Everything here is plain HTML/CSS plus a few lines of our own JavaScript on top of
Leaflet, so an offline page needs nothing but Leaflet itself. Every piece of user text
reaching the page is escaped for where it lands: HTML-escaped in Python when it
becomes markup (legend, tooltip, layer names, which Leaflet writes with innerHTML),
set with ``textContent`` when it is plain text (title, year), and always placed in the
JavaScript as a JSON string (Jinja's ``tojson``, which also writes ``<``, ``>``, ``&``
and ``'`` as ``\\u`` escapes, so no ``</script>`` can end the script). User text is
never put into JavaScript source any other way: folium's own ``Tooltip`` writes its
text into a template literal, where ``${...}`` and backticks run, so it is not used.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from branca.element import MacroElement
from jinja2 import Template

_DASHED = ";border-style:dashed"  # the no-data swatch, as drawn on the map

__all__ = [
    "Legend",
    "MapStyle",
    "Title",
    "Tooltip",
    "YearSlider",
    "legend_html",
    "tooltip_js",
    "tooltip_table",
]


def legend_html(
    title: str,
    entries: Sequence[tuple[str, str]],
    *,
    note: str | None = None,
) -> str:
    """Legend markup: a title, one swatch and label per entry, an optional note.

    Labels and notes are escaped here, so callers pass raw user text.

    Examples
    --------
    >>> legend_html("GTFP", [("#ffffcc", "0.50 - 0.80")]).count("sg-swatch")
    1
    >>> "&lt;b&gt;" in legend_html("<b>", [])
    True
    """
    rows = "".join(
        f'<div class="sg-row"><span class="sg-swatch" style="background:'
        f"{html.escape(color, quote=True)}"
        f'{_DASHED if color.lower() == "#ffffff" else ""}">'
        f"</span>{html.escape(str(label))}</div>"
        for color, label in entries
    )
    note_html = f'<div class="sg-note">{html.escape(note)}</div>' if note else ""
    return f'<div class="sg-legend-title">{html.escape(title)}</div>{rows}{note_html}'


class MapStyle(MacroElement):
    """CSS for the plain background and the controls (added once per map)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .leaflet-container { background: {{ this.background }}; }
        .sg-legend, .sg-slider { background: rgba(255,255,255,0.92); padding: 6px 9px;
            border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3);
            font: 12px/1.35 "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC",
            sans-serif; color: #222; }
        .sg-legend { max-width: 260px; }
        .sg-legend-title { font-weight: bold; margin-bottom: 4px; }
        .sg-row { white-space: nowrap; }
        .sg-swatch { display: inline-block; width: 14px; height: 11px;
            margin-right: 6px; vertical-align: middle; border: 1px solid #888; }
        .sg-note { margin-top: 4px; color: #555; white-space: normal; }
        .sg-title { position: absolute; top: 8px; left: 50%; z-index: 1000;
            transform: translateX(-50%); background: rgba(255,255,255,0.85);
            padding: 4px 12px; border-radius: 4px; pointer-events: none;
            font: bold 16px "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC",
            sans-serif; color: #222; }
        .sg-slider input { width: 180px; vertical-align: middle; }
        .sg-slider b { display: inline-block; min-width: 40px; }
        .sg-tip td { padding: 0 4px; } .sg-tip th { text-align: left; }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self, background: str = "#f4f6f4"):
        super().__init__()
        self._name = "MapStyle"
        self.background = background


class Legend(MacroElement):
    """A legend box (a Leaflet control) from ready, escaped markup."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function() {
                var div = L.DomUtil.create("div", "sg-legend");
                div.innerHTML = {{ this.markup|tojson }};
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, markup: str, *, position: str = "bottomright"):
        super().__init__()
        self._name = "Legend"
        self.markup = markup
        self.position = position


class Title(MacroElement):
    """A title centred at the top of the map (escaped text)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var div = L.DomUtil.create("div", "sg-title",
                {{ this._parent.get_name() }}.getContainer());
            div.textContent = {{ this.text|tojson }};
        })();
        {% endmacro %}
        """
    )

    def __init__(self, text: str):
        super().__init__()
        self._name = "Title"
        self.text = text


class Tooltip(MacroElement):
    """A tooltip bound to its parent layer from ready, escaped markup.

    The markup reaches the page as a JSON string, never inside a JavaScript
    template literal (as with ``folium.Tooltip``), so ``${...}`` or a backtick in a
    unit name stays text.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> line = folium.PolyLine([(30, 120), (31, 121)]).add_to(m)
    >>> _ = Tooltip("<b>${alert(1)}`</b>").add_to(line)
    >>> page = m.get_root().render()
    >>> ".bindTooltip(`" in page, '.bindTooltip("' in page, "<b>" in page
    (False, True, False)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip({{ this.text|tojson }},
            {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, markup: str, *, sticky: bool = True):
        super().__init__()
        self._name = "Tooltip"
        self.text = markup
        self.options = {"sticky": sticky}


class YearSlider(MacroElement):
    """A year slider that recolours polygon layers from their per-year class ids.

    Each feature carries ``properties.c`` (year -> class id, or null for no data) and
    ``properties.tip`` (year -> tooltip markup); moving the slider sets the fill
    colour from the layer's palette and the year the tooltip shows.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var years = {{ this.years|tojson }};
            var layers = [{% for layer, palette in this.layers %}
                [{{ layer }}, {{ palette|tojson }}],{% endfor %}];
            var noData = {{ this.no_data|tojson }};
            var control = L.control({position: "bottomleft"});
            var label, input;
            function show(i) {
                var year = String(years[i]);
                label.textContent = year;
                layers.forEach(function(pair) {
                    pair[0].eachLayer(function(layer) {
                        var p = layer.feature.properties;
                        var c = p.c[year];
                        p._y = year;
                        var none = (c === null || c === undefined);
                        layer.setStyle({
                            fillColor: none ? noData : pair[1][c],
                            dashArray: none ? {{ this.dash|tojson }} : null,
                        });
                    });
                });
            }
            control.onAdd = function() {
                var div = L.DomUtil.create("div", "sg-slider");
                label = L.DomUtil.create("b", "sg-year", div);
                input = L.DomUtil.create("input", "", div);
                input.type = "range"; input.min = 0; input.max = years.length - 1;
                input.step = 1; input.value = {{ this.start }};
                input.setAttribute("aria-label", "year");
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.on(input, "input", function() { show(+input.value); });
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
            show({{ this.start }});
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        years: Sequence[str],
        layers: Sequence[tuple[str, Sequence[str]]],
        *,
        start: int,
        no_data: str,
        dash: str = "3 3",
    ):
        super().__init__()
        self._name = "YearSlider"
        self.years = list(years)
        self.layers = [(name, list(palette)) for name, palette in layers]
        self.start = start
        self.no_data = no_data
        self.dash = dash


def tooltip_js() -> str:
    """``onEachFeature`` body: a sticky tooltip showing the current year's markup.

    Examples
    --------
    >>> "bindTooltip" in tooltip_js()
    True
    """
    return (
        "function(feature, layer) {"
        " layer.bindTooltip(function(l) {"
        " var p = l.feature.properties; return p.tip[p._y] || p.tip['*'] || ''; },"
        " {sticky: true});"
        " layer.on('mouseover', function(e) { e.target.setStyle({weight: 2.5}); });"
        " layer.on('mouseout', function(e) {"
        " e.target.setStyle({weight: e.target.feature.properties._w}); });"
        "}"
    )


def tooltip_table(header: Sequence[str], rows: Sequence[tuple[str, str]]) -> str:
    """Tooltip markup: bold header lines, then label/value rows, all escaped.

    Examples
    --------
    >>> tooltip_table(["北京", "<Beijing>"], [("GTFP", "1.02")]).split("<table")[0]
    '<b>北京</b><br><b>&lt;Beijing&gt;</b>'
    """
    head = "<br>".join(f"<b>{html.escape(str(h))}</b>" for h in header if h)
    body = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>"
        for k, v in rows
    )
    return f'{head}<table class="sg-tip">{body}</table>'
