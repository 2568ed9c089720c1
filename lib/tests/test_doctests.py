"""The examples in the library's docstrings run and give what they show."""

import doctest
import importlib

import pytest

MODULES = ["_checks", "shallow", "critical", "conditions", "spectrum", "losses", "deep", "deep_training",
           "corollary1", "nonlinear", "reproducibility", "experiments", "experiment_plots",
           "stationary", "probe", "training", "saddles", "display", "ledger", "widgets", "plotting"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"landscape.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
