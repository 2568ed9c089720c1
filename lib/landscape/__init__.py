"""landscape: optimization landscapes of linear neural networks.

Submodules are imported explicitly (``from landscape.shallow import ShallowProblem``);
importing the package has no side effects (no seeding, no plotting style, no warnings
filters).
"""

__version__ = "0.1.0"
