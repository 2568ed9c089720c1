"""Sphinx extension of the book: ship only the assets that the pages load.

Measured with the browser (tests/test_page_weight.py), the theme stack of Jupyter Book 1.x
puts much on every page and into the site that no page of this book needs. This extension:

- puts ``_ext/templates`` first on ``templates_path``: there, ``static/webpack-macros.html``
  drops pydata-sphinx-theme's 1.5 MB Font Awesome JavaScript (the theme's CSS already draws
  its icons with the Font Awesome web font), and ``layout.html`` drops the search index and
  search tools from every page but search.html (the book does not use search-as-you-type);
- leaves sphinx-design's CSS and JavaScript out of pages that use no sphinx-design
  component (Jupyter Book loads the extension; the book has no card, tab or grid);
- adds the print style (static/book-print.css and book-print.js: code wraps, tables,
  images and display equations fit the page), for a reader's print and for `make pdf`;
- adds the screen style static/book-screen.css and book-fit.js (nothing wider than its
  column: see those files), and book-zoom.js (a click on a figure shows it at full size);
- adds static/book-search.js to the search page only: the search results' excerpts and
  titles show the pages' mathematics as text ("λ_min"), not as TeX source;
- deletes from the built site the files that no page can request (``UNUSED``): the Font
  Awesome JavaScript and its source map, the other source maps, the .ttf copies of the
  web fonts (every browser reads the .woff2 that the CSS names first), and the theme's
  translation catalogues (read at build time, never by a browser).

A page that requested a deleted file would get a 404, which the browser tests fail on.
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

# Paths relative to the built site (glob patterns); see the module docstring.
UNUSED = [
    "_static/scripts/fontawesome.js",
    "_static/scripts/fontawesome.js.LICENSE.txt",
    "_static/**/*.map",
    "_static/vendor/fontawesome/webfonts/*.ttf",
    "_static/locales",
    "_static/webpack-macros.html",
    "_static/sbt-webpack-macros.html",
]

# sphinx-design's page assets, left out of pages without an element of class sd-*.
DESIGN_ASSETS = ("sphinx-design.min.css", "design-tabs.js")


def _config_inited(app, config):
    templates = str(HERE / "templates")
    if templates not in config.templates_path:
        config.templates_path.insert(0, templates)
    static = str(HERE / "static")
    if static not in config.html_static_path:
        config.html_static_path.append(static)


def _page_context(app, pagename, templatename, context, doctree):
    if pagename == "search":
        # The search results show the pages' math as text, not as TeX source (see the file).
        app.add_js_file("book-search.js")
    body = context.get("body") or ""
    if 'class="sd-' in body or " sd-" in body:
        return
    for key in ("css_files", "script_files"):
        files = context.get(key)
        if files is None:
            continue
        files[:] = [f for f in files if not str(getattr(f, "filename", f)).endswith(DESIGN_ASSETS)]


def _remove_unused(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for pattern in UNUSED:
        for path in sorted(out.glob(pattern), reverse=True):
            if path.is_dir():
                for sub in sorted(path.rglob("*"), reverse=True):
                    sub.rmdir() if sub.is_dir() else sub.unlink()
                path.rmdir()
            else:
                path.unlink()


def setup(app):
    app.connect("config-inited", _config_inited)
    # Print: nothing cut at the margins (a reader's print and the PDF of `make pdf`).
    app.add_css_file("book-print.css", media="print")
    app.add_js_file("book-print.js")
    # Screen: nothing wider than its column (MathJax's hidden MathML, long inline code, the
    # library reference's examples and equations).
    app.add_css_file("book-screen.css")
    app.add_js_file("book-fit.js")
    # Every figure opens at full size on a click (and in a new tab through its link).
    app.add_js_file("book-zoom.js")
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _remove_unused)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
