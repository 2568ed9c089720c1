"""Cross-cutting (named for what it checks, not after a module): the library's layout rules
(``lib/README.md``): what may import what, and no private names used across modules."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "landscape"
#: base -> models -> optim -> theory -> studies; book imports only the base.
LAYER = {"_checks": 0, "_perturb": 0, "canonical": 0, "models": 1, "optim": 2, "theory": 3, "studies": 4}
MODULES = sorted(p for p in ROOT.rglob("*.py") if p.name != "__init__.py")


def _package(path: pathlib.Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def _imports(path: pathlib.Path):
    """``(line, target top-level package, imported names)`` for every import of the package."""
    here = path.relative_to(ROOT).parent.parts
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - (node.level - 1)]
                parts = list(base) + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "landscape":
                parts = node.module.split(".")[1:]
            else:
                continue
            names = [a.name for a in node.names]
            target = parts[0] if parts else names[0]
            yield node.lineno, target, names, parts


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layers(path):
    mine = _package(path)
    for line, target, names, _ in _imports(path):
        if target == mine or target in ("_checks", "_perturb", "canonical"):
            continue
        where = f"{path.relative_to(ROOT)}:{line} imports {target} ({', '.join(names)})"
        if target == "book":
            assert mine in ("studies", "book"), f"only studies may import the book's tools: {where}"
        else:
            assert mine != "book", f"the book's tools import only the base: {where}"
            assert LAYER[target] <= LAYER[mine], f"{where}: imports only go base -> models -> optim -> theory -> studies"


def _private_attributes_defined(tree) -> set:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name.startswith("_"):
            out.add(node.name)
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            out.add(node.attr)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.add(node.target.id)      # dataclass fields
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_names_across_modules(path):
    tree = ast.parse(path.read_text())
    for line, target, names, parts in _imports(path):
        private = [n for n in names if n.startswith("_") and not (parts == [] and n in ("_perturb",))]
        assert not private, f"{path.relative_to(ROOT)}:{line} imports private names {private} of {'.'.join(parts)}"
    own = _private_attributes_defined(tree)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
            assert node.attr in own, (f"{path.relative_to(ROOT)}:{node.lineno} uses {node.attr}, a private "
                                      "name of another module")


def test_the_curated_names_resolve_lazily():
    """``from landscape import ShallowProblem, ...`` works for every curated name, each the object
    its module exports, and importing a book tool does not load the maths stack."""
    import importlib
    import subprocess
    import sys

    import landscape

    for name, module in landscape._CURATED.items():
        assert name in importlib.import_module(f"landscape.{module}").__all__
        assert getattr(landscape, name) is getattr(importlib.import_module(f"landscape.{module}"), name)
    out = subprocess.run([sys.executable, "-c", "import sys, landscape.book.ledger; "
                          "print('scipy.sparse.linalg' in sys.modules)"], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
