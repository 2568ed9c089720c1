"""landscape: optimization landscapes of linear neural networks.

Submodules are imported explicitly (``from landscape.shallow import ShallowProblem``);
importing the package has no side effects (no seeding, no plotting style, no warnings
filters), except in the perturbed mode of the reproducibility check, which the
environment variable ``LANDSCAPE_PERTURB`` switches on (:mod:`landscape._perturb`).
"""

from . import _perturb

_perturb.install_from_environment()

__version__ = "0.1.0"
