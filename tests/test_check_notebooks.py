"""The notebook lint (scripts/check_notebooks.py) catches what nbval does not see."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_notebooks.py"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
PNG = "iVBORw0KGgo="  # content does not matter to the lint


def make_notebook(path: Path, counts, outputs=None, tags=None, kernel="python3", metadata=None):
    """A notebook with one code cell per entry of `counts` (None = never executed)."""
    cells = [new_markdown_cell("# A tiny notebook")]
    for i, count in enumerate(counts):
        cell = new_code_cell(f"x = {i}\nx", execution_count=count)
        if outputs and outputs[i] is not None:
            cell.outputs = outputs[i]
        if tags and tags[i]:
            cell.metadata["tags"] = tags[i]
        cells.append(cell)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC, name=kernel)
    nb.metadata.update(metadata or {})
    nbformat.write(nb, path)
    return path


def run_lint(*paths):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, paths)],
                          capture_output=True, text=True, timeout=60)


def test_executed_notebook_passes(tmp_path):
    nb = make_notebook(tmp_path / "good.ipynb", [1, 2, 3])
    result = run_lint(nb)
    assert result.returncode == 0, result.stderr
    assert "1 notebook(s) OK" in result.stdout


def test_unexecuted_notebook_fails(tmp_path):
    nb = make_notebook(tmp_path / "stripped.ipynb", [None, None])
    result = run_lint(nb)
    assert result.returncode == 1
    assert f"{nb}: cell 1: code cell was never executed" in result.stderr
    assert f"{nb}: cell 2: code cell was never executed" in result.stderr


def test_half_run_notebook_fails(tmp_path):
    nb = make_notebook(tmp_path / "half.ipynb", [1, None])
    result = run_lint(nb)
    assert result.returncode == 1
    assert "cell 2: code cell was never executed" in result.stderr


@pytest.mark.parametrize("counts", [[2, 1], [1, 3], [1, 1], [5, 6]])
def test_out_of_order_counts_fail(tmp_path, counts):
    nb = make_notebook(tmp_path / "shuffled.ipynb", counts)
    result = run_lint(nb)
    assert result.returncode == 1
    assert "execution count" in result.stderr and str(nb) in result.stderr


def test_empty_unexecuted_code_cell_is_fine(tmp_path):
    path = make_notebook(tmp_path / "empty.ipynb", [1])
    nb = nbformat.read(path, 4)
    nb.cells.append(new_code_cell(""))
    nbformat.write(nb, path)
    assert run_lint(path).returncode == 0


def test_stored_error_fails_unless_tagged(tmp_path):
    error = [new_output("error", ename="ValueError", evalue="boom", traceback=[])]
    bad = make_notebook(tmp_path / "error.ipynb", [1], outputs=[error])
    result = run_lint(bad)
    assert result.returncode == 1 and "stored error output ValueError: boom" in result.stderr
    ok = make_notebook(tmp_path / "expected.ipynb", [1], outputs=[error], tags=[["raises-exception"]])
    assert run_lint(ok).returncode == 0


def test_wrong_kernelspec_fails(tmp_path):
    nb = make_notebook(tmp_path / "kernel.ipynb", [1], kernel="landscape-dev")
    result = run_lint(nb)
    assert result.returncode == 1 and "kernelspec name is 'landscape-dev'" in result.stderr


def test_widget_without_saved_state_fails(tmp_path):
    view = [new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "IntSlider(value=0)"})]
    nb = make_notebook(tmp_path / "widget.ipynb", [1], outputs=[view])
    result = run_lint(nb)
    assert result.returncode == 1 and "no saved widget state" in result.stderr
    state = {"widgets": {"application/vnd.jupyter.widget-state+json": {
        "version_major": 2, "version_minor": 0,
        "state": {"abc": {"model_name": "IntSliderModel", "model_module": "@jupyter-widgets/controls",
                          "model_module_version": "2.0.0", "state": {}}}}}}
    nb = make_notebook(tmp_path / "widget_saved.ipynb", [1], outputs=[view], metadata=state)
    assert run_lint(nb).returncode == 0, run_lint(nb).stderr


@pytest.mark.parametrize("output", [
    new_output("execute_result", execution_count=1,
               data={"text/plain": "[<matplotlib.lines.Line2D at 0x7f3a2c1b5d90>]"}),
    new_output("stream", name="stdout", text="<function surface at 0x7f00deadbeef>\n"),
    new_output("execute_result", execution_count=1,
               data={"text/plain": "<Figure size 640x480 with 1 Axes>", "image/png": PNG}),
    new_output("display_data", data={"text/plain": "<Figure size 640x480 with 1 Axes>"}),
])
def test_addresses_and_figure_reprs_fail(tmp_path, output):
    nb = make_notebook(tmp_path / "repr.ipynb", [1], outputs=[[output]])
    result = run_lint(nb)
    assert result.returncode == 1
    assert "memory address" in result.stderr or "<Figure size" in result.stderr


def test_displayed_figure_is_fine(tmp_path):
    figure = new_output("display_data", data={"text/plain": "<Figure size 640x480 with 1 Axes>", "image/png": PNG})
    nb = make_notebook(tmp_path / "figure.ipynb", [1], outputs=[[figure]])
    assert run_lint(nb).returncode == 0


def test_folder_is_searched_and_all_problems_reported(tmp_path):
    make_notebook(tmp_path / "a.ipynb", [1, 2])
    (tmp_path / "sub").mkdir()
    make_notebook(tmp_path / "sub" / "b.ipynb", [None])
    make_notebook(tmp_path / "sub" / "c.ipynb", [2, 1])
    result = run_lint(tmp_path)
    assert result.returncode == 1
    assert "b.ipynb: cell 1" in result.stderr and "c.ipynb: cell 1" in result.stderr
    assert "a.ipynb" not in result.stderr


@pytest.mark.parametrize("tags, outputs, ok", [
    (["nbval-ignore-output"], [new_output("stream", name="stdout", text="0.4556\n")], False),
    (["nbval-skip"], [new_output("stream", name="stdout", text="716\n")], False),
    (["machine-info", "nbval-ignore-output"], [new_output("stream", name="stdout", text="x86_64\n")], True),
    (["nbval-ignore-output"], [new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "m1", "version_major": 2,
                                                     "version_minor": 0},
        "text/plain": "Widget"})], True),
])
def test_hiding_a_cell_from_nbval_is_for_widgets_and_machine_information(tmp_path, tags, outputs, ok):
    state = {"application/vnd.jupyter.widget-state+json": {
        "state": {"m1": {"model_name": "IntSliderModel", "model_module": "@jupyter-widgets/controls",
                         "model_module_version": "2.0.0", "state": {}}},
        "version_major": 2, "version_minor": 0}}
    nb = make_notebook(tmp_path / "hidden.ipynb", [1], outputs=[outputs], tags=[tags],
                       metadata={"widgets": state})
    result = run_lint(nb)
    assert (result.returncode == 0) == ok, result.stdout
    if not ok:
        report = result.stdout + result.stderr
        assert "machine-info" in report and "cell 1" in report


def test_hiding_comment_counts_like_the_tag(tmp_path):
    path = make_notebook(tmp_path / "comment.ipynb", [1])
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = "# NBVAL_IGNORE_OUTPUT\nprint(0.4556)"
    nbformat.write(nb, path)
    assert run_lint(path).returncode == 1


def _with_source(path: Path, source: str) -> Path:
    nb = nbformat.read(make_notebook(path, [1]), as_version=4)
    nb.cells[1].source = source
    nbformat.write(nb, path)
    return path


def test_code_line_of_77_columns_passes(tmp_path):
    nb = _with_source(tmp_path / "short.ipynb", "x = 1\n" + "y = " + "1" * 73)
    result = run_lint(nb)
    assert result.returncode == 0, result.stderr


def test_code_line_over_77_columns_fails(tmp_path):
    nb = _with_source(tmp_path / "long.ipynb", "x = 1\n" + "y = " + "1" * 74)
    result = run_lint(nb)
    assert result.returncode == 1
    assert "1 code line(s) longer than 77 columns" in result.stderr
    assert "cell 1 line 2 (78 columns)" in result.stderr


def test_pending_long_lines_only_shrink(tmp_path, monkeypatch):
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import check_notebooks
    finally:
        sys.path.remove(str(SCRIPT.parent))
    book = tmp_path / "book" / "shallow"
    book.mkdir(parents=True)
    nb = _with_source(book / "x.ipynb", "y = " + "1" * 80 + "\nz = " + "2" * 80)
    for allowed, ok, message in [(2, True, ""), (1, False, "LONG_CODE_LINES_PENDING allows 1"),
                                 (3, False, "lower its entry to 2"), (None, True, "")]:
        monkeypatch.setattr(check_notebooks, "LONG_CODE_LINES_PENDING", {"book/shallow/x.ipynb": allowed})
        problems = check_notebooks.check_notebook(nb)
        assert (not problems) == ok, problems
        assert all(message in p for p in problems)
