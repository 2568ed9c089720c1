"""Sphinx extension of the book: give every notebook code cell an HTML anchor.

MyST-NB renders a code cell as a ``<div class="cell ...">`` without an id, so nothing can
link to one cell. This extension adds ``id="cell-<index>"`` (the cell's 0-based index in the
notebook) to each code cell's container, so that the ledger of claims can link a claim to
the exact check cell that verifies it.
"""

from docutils import nodes


def _add_ids(app, doctree):
    for node in doctree.findall(nodes.container):
        if node.get("nb_element") == "cell_code" and node.get("cell_index") is not None:
            anchor = f"cell-{node['cell_index']}"
            if anchor not in node["ids"]:
                node["ids"].append(anchor)


def setup(app):
    app.connect("doctree-read", _add_ids)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
