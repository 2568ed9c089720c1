"""The examples in the library's docstrings run and give what they show.

Every module of the package is collected (a new module cannot be forgotten); the modules in
``WITH_EXAMPLES`` must also have examples that ran, so that their test cannot pass vacuously.
"""

import doctest
import importlib
import pkgutil

import pytest

import landscape

MODULES = sorted(m.name for m in pkgutil.iter_modules(landscape.__path__))
WITH_EXAMPLES = {"canonical", "corollary1", "corollary2", "display", "multistart", "shallow"}


def test_every_module_with_examples_exists():
    assert WITH_EXAMPLES <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"landscape.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    if name in WITH_EXAMPLES:
        assert result.attempted > 0, f"landscape.{name} lost its docstring examples"
