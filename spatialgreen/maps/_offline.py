"""Self-contained HTML: inline Leaflet, drop CDN assets spatialgreen maps never use.

folium writes ``<script src>``/``<link href>`` tags pointing at CDNs, so a saved page is
blank without internet (often the case in China, always the case on this project's
machines). Leaflet's JavaScript and CSS come from the PyPI package ``xstatic-leaflet``
(the XStatic standard packages web assets as plain Python distributions; its version
1.9.3 is the Leaflet folium 0.20 loads). Nothing third-party is kept in this repository.

jQuery, Bootstrap, Font Awesome and awesome-markers are loaded by every folium map but
are only used by popups and icon markers, which spatialgreen maps do not use; a page
that does use them (or any other CDN asset) cannot be made offline, and saying so is
better than writing a page that silently breaks.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from ..errors import DependencyError

__all__ = ["external_assets", "inline_assets"]

_TAG = re.compile(
    r'<script\b[^>]*\bsrc="(?P<js>[^"]+)"[^>]*>\s*</script>'
    r'|<link\b[^>]*\bhref="(?P<css>[^"]+)"[^>]*/?>'
)
_UNUSED = ("jquery", "bootstrap", "awesome-markers", "awesome_markers",
           "fontawesome", "awesome.rotate", "glyphicons")  # fmt: skip
_NEEDS_UNUSED = ("L.AwesomeMarkers", "$(", "jQuery(", "$.ajax")
# double-quoted and template string literals: legend, tooltip and layer texts
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`')


def _leaflet_dir() -> Path:
    try:
        import xstatic.pkg.leaflet as xleaflet
    except ImportError as exc:
        raise DependencyError(
            "offline maps need Leaflet's files from the 'xstatic-leaflet' package: "
            "pip install xstatic-leaflet (or save with offline=False)"
        ) from exc
    return Path(xleaflet.BASE_DIR)


def _leaflet_css(folder: Path) -> str:
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    # The layer-control and marker icons are tiny PNGs: embed them as data URIs.
    def _embed(match: re.Match[str]) -> str:
        image = folder / match.group(1)
        if not image.is_file():
            return match.group(0)
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", _embed, css)


def external_assets(page: str) -> list[str]:
    """URLs of every script and stylesheet the page loads.

    Examples
    --------
    >>> external_assets('<script src="https://x/a.js"></script><p>')
    ['https://x/a.js']
    """
    return [m.group("js") or m.group("css") for m in _TAG.finditer(page)]


def inline_assets(page: str) -> str:
    """Replace Leaflet's CDN tags with the files' contents; drop unused assets.

    Raises
    ------
    DependencyError
        When the page needs an asset that cannot be inlined (jQuery for popups,
        awesome-markers for icons, a plugin's script).

    Examples
    --------
    >>> page = ('<link rel="stylesheet" href="https://cdn/leaflet@1.9.3/dist/leaflet.css"/>'
    ...         '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>')
    >>> out = inline_assets(page)
    >>> out.startswith("<style>") and "jquery" not in out
    True
    """
    code = _STRING.sub('""', _scripts_only(page))  # user text cannot look like jQuery
    used = [token for token in _NEEDS_UNUSED if token in code]
    if used:
        raise DependencyError(
            f"this map uses {used[0]!r} (folium popups or icon markers need jQuery / "
            "awesome-markers from a CDN); offline pages support tooltips and circle "
            "markers only; save with offline=False to keep the CDN links"
        )
    folder = _leaflet_dir()
    unsupported: list[str] = []

    def _replace(match: re.Match[str]) -> str:
        url = match.group("js") or match.group("css")
        name = url.rsplit("/", 1)[-1].lower()
        if "leaflet" in url.lower() and name == "leaflet.js":
            js = (folder / "leaflet.js").read_text(encoding="utf-8")
            # "</script" inside the library would close the tag early.
            return "<script>" + js.replace("</script", "<\\/script") + "</script>"
        if "leaflet" in url.lower() and name == "leaflet.css":
            return "<style>" + _leaflet_css(folder) + "</style>"
        if any(token in url.lower() for token in _UNUSED):
            return ""
        unsupported.append(url)
        return match.group(0)

    out = _TAG.sub(_replace, page)
    if unsupported:
        raise DependencyError(
            f"cannot make these assets offline: {unsupported}; they come from a folium "
            "plugin spatialgreen does not package; save with offline=False"
        )
    return out


def _scripts_only(page: str) -> str:
    """The inline JavaScript of the page (where jQuery use would show)."""
    return "\n".join(re.findall(r"<script>(.*?)</script>", page, flags=re.S))
