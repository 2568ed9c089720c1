"""The reproducibility appendix's helpers read the repository's own files."""

from pathlib import Path

from landscape import reproducibility as rep


def test_pins_and_data_scripts(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("numpy==2.1.0\n# a comment\nscipy==1.14.1 ; python_version>='3.11'\n-e ./lib\n")
    assert rep.pinned(tmp_path / "requirements.txt") == {"numpy": "2.1.0", "scipy": "1.14.1"}

    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "a_data.py").write_text('"""Regenerate book/x/data/a.json: the runs of A."""\n')
    (scripts / "helper.py").write_text('"""Not a data script."""\n')
    (scripts / "b.py").write_text("x = 1\n")
    assert rep.data_scripts(scripts) == [("a_data.py", "book/x/data/a.json")]
