"""landscape: optimization landscapes of linear neural networks.

The names a chapter or a reader needs most are importable from here::

    from landscape import ShallowProblem, critical_points, saddle_bound, DeepLinearNetwork

The rest lives in the subpackages, by role (``lib/README.md`` has the layout and the rule for
what may import what): :mod:`landscape.models` (the objectives), :mod:`landscape.optim` (the
numerical methods), :mod:`landscape.theory` (the papers' statements as code),
:mod:`landscape.studies` (one driver per chapter) and :mod:`landscape.book` (the book's tools).

Importing the package has no side effects (no seeding, no plotting style, no warnings
filters, no pyplot), except in the perturbed mode of the reproducibility check, which the
environment variable ``LANDSCAPE_PERTURB`` switches on (:mod:`landscape._perturb`); it is
installed before anything else is imported.
"""

import importlib as _importlib

from . import _perturb

_perturb.install_from_environment()

#: The curated names and the module each lives in. They are imported on first use (PEP 562), so
#: that ``import landscape.book.ledger`` (every chapter, the tests) does not load the maths
#: stack (SciPy's sparse and optimize modules) it does not need.
_CURATED = {
    "DeepLinearNetwork": "models.deep", "MultiTowerNetwork": "models.deep",
    "Huber": "models.losses", "Quadratic": "models.losses", "SoftmaxCrossEntropy": "models.losses",
    "ProblemStack": "models.shallow", "ShallowProblem": "models.shallow",
    "certify_minimum": "optim.certify", "find_critical_points": "optim.critical_points",
    "hessian_report": "optim.curvature", "smallest_eigenvalue": "optim.curvature",
    "gradient_descent": "optim.descent", "lbfgs": "optim.lbfgs",
    "critical_point": "theory.paper_a.lemma1", "critical_points": "theory.paper_a.lemma1",
    "identify": "theory.paper_a.lemma1", "saddle_bound": "theory.paper_a.lemma2",
    "rank_constrained_minimum": "theory.paper_b",
}


def __getattr__(name: str):
    if name in _CURATED:
        value = getattr(_importlib.import_module(f".{_CURATED[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'landscape' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_CURATED))


__version__ = "0.1.0"

__all__ = sorted(_CURATED)
