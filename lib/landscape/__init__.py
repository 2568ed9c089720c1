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

from . import _perturb

_perturb.install_from_environment()

from .models.deep import DeepLinearNetwork, MultiTowerNetwork  # noqa: E402
from .models.losses import Huber, Quadratic, SoftmaxCrossEntropy  # noqa: E402
from .models.shallow import ProblemStack, ShallowProblem  # noqa: E402
from .optim.certify import certify_minimum  # noqa: E402
from .optim.critical_points import find_critical_points  # noqa: E402
from .optim.curvature import hessian_report, smallest_eigenvalue  # noqa: E402
from .optim.descent import gradient_descent  # noqa: E402
from .optim.lbfgs import lbfgs  # noqa: E402
from .theory.paper_a.lemma1 import critical_point, critical_points, identify  # noqa: E402
from .theory.paper_a.lemma2 import saddle_bound  # noqa: E402
from .theory.paper_b import rank_constrained_minimum  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "DeepLinearNetwork", "Huber", "MultiTowerNetwork", "ProblemStack", "Quadratic", "ShallowProblem",
    "SoftmaxCrossEntropy", "certify_minimum", "critical_point", "critical_points", "find_critical_points",
    "gradient_descent", "hessian_report", "identify", "lbfgs", "rank_constrained_minimum", "saddle_bound",
    "smallest_eigenvalue",
]
