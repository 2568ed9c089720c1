"""The reproducibility appendix's helpers read the repository's own files."""

from pathlib import Path

from landscape.book import reproducibility as rep


def test_pins_and_data_scripts(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("numpy==2.1.0\n# a comment\nscipy==1.14.1 ; python_version>='3.11'\n-e ./lib\n")
    assert rep.pinned(tmp_path / "requirements.txt") == {"numpy": "2.1.0", "scipy": "1.14.1"}

    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "a_data.py").write_text('"""Regenerate book/x/data/a.json: the runs of A."""\n')
    (scripts / "helper.py").write_text('"""Not a data script."""\n')
    (scripts / "b.py").write_text("x = 1\n")
    assert rep.data_scripts(scripts) == [("a_data.py", "book/x/data/a.json")]


def _notebook(path: Path, *sources: str) -> None:
    import json

    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None}
             for s in sources]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_seed_expressions_and_global_seeding(tmp_path: Path) -> None:
    book, lib = tmp_path / "book", tmp_path / "lib"
    book.mkdir()
    lib.mkdir()
    _notebook(book / "a.ipynb",
              "rng = np.random.default_rng(3)\nruns = [f(np.random.default_rng(100 + s)) for s in range(8)]",
              "draw(setup, seeds=range(20))\n%time x = 1")
    (lib / "m.py").write_text("import numpy as np\n")
    assert rep.seeds(book) == {"a.ipynb": ["3", "100 + s for s in range(8)", "range(20)"]}
    assert rep.global_seeding(book, lib) == []
    (lib / "bad.py").write_text("np.random.seed(0)\n")
    _notebook(book / "b.ipynb", "import random\nrandom.seed(1)")
    assert rep.global_seeding(book, lib) == ["b.ipynb: random.seed(", "bad.py: np.random.seed("]


def test_stored_seeds(tmp_path: Path) -> None:
    import json

    data = tmp_path / "ch" / "data"
    data.mkdir(parents=True)
    (data / "r.json").write_text(json.dumps({
        "rules": {"reported_seeds": [0, 1, 2, 3, 7], "step": 0.1},
        "grid": {"data_seed": 5},
        "fields": ["seed", "reached"],
        "configs": [{"runs": [[0, 1], [1, 0], [2, 1]]}],
    }))
    assert rep.stored_seeds(tmp_path) == {
        "ch/data/r.json": {"reported_seeds": "0-3, 7", "data_seed": "5", "runs (seed column)": "0-2"}}
