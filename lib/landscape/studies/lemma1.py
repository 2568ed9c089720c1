"""The Lemma 1 chapter's survey: critical points of g searched from random starts and each
mapped back to the set C (:func:`survey`, :class:`Survey`), with the label of a support
(:func:`support_label`) and the stored-data summary the chapter writes
(:func:`survey_summary`). The set C and :func:`~landscape.theory.paper_a.lemma1.identify` are
:mod:`landscape.theory.paper_a.lemma1`; the search is
:func:`landscape.optim.critical_points.find_critical_points`.

For example, every critical point found on a small problem is in C:

>>> import numpy as np
>>> from landscape.theory.paper_a.lemma1 import problem_with_spectrum
>>> p = problem_with_spectrum([3.0, 2.0, 1.0], d0=3, d1=2, d2=3, mu=0.5,
...                           rng=np.random.default_rng(0))
>>> sv = survey(p, np.random.default_rng(1), n_starts=8)
>>> sv.n_starts, sv.n_in_C == sv.n_converged                  # every critical point is in C
(8, True)
>>> support_label((0, 2))
'{0,2}'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from .._checks import as_int, as_nonnegative_float, as_positive_float, as_positive_int
from ..models.shallow import ShallowProblem, check_problem
from ..optim.critical_points import SearchResult, find_critical_points
from ..theory.paper_a.lemma1 import identify, problem_scale

__all__ = ['Survey', 'support_label', 'survey', 'survey_summary']


@dataclass(frozen=True)
class Survey:
    """Critical points found from random starts, each mapped back to C (:func:`survey`).

    Attributes
    ----------
    search : SearchResult
        The raw search.
    patterns : list
        For each start, the :class:`~landscape.theory.paper_a.lemma1.Pattern` of its end point if the search converged,
        else ``None``.
    rtol : ndarray (B,)
        The tolerance used for membership in C at each end point (see :func:`survey`).
    """

    search: SearchResult
    patterns: list
    rtol: np.ndarray

    @property
    def n_starts(self) -> int:
        """Number of starts."""
        return len(self.patterns)

    @property
    def n_converged(self) -> int:
        """Starts whose search reached ``||grad|| <= gtol``."""
        return int(np.count_nonzero(self.search.converged))

    @property
    def n_in_C(self) -> int:
        """Converged end points that are elements of C."""
        return sum(1 for pat in self.patterns if pat is not None and pat.in_C)

    def counts(self) -> Counter:
        """How many converged end points have each support (``"not in C"`` for the others)."""
        return Counter(pat.support if pat.in_C else "not in C" for pat in self.patterns if pat is not None)

    def residuals(self) -> np.ndarray:
        """:attr:`~landscape.theory.paper_a.lemma1.Pattern.residual` of every converged end point."""
        return np.array([pat.residual for pat in self.patterns if pat is not None])


def _unit_problem(problem: ShallowProblem):
    """The problem on data rescaled by powers of two to unit scale, ``(unit, kx, m)``.

    ``X / 2^kx`` and ``Y / 4^m`` with ``2^kx`` the power of two nearest the median singular
    value of X and ``4^m`` the power of four nearest ``lambda_1``. ``g`` on the original data
    at ``(W1, W2)`` is ``16^m`` times ``g`` on the unit data at ``(W1 2^(kx-m), W2 2^-m)``: the
    map takes critical points to critical points and C to C, and multiplying by powers of two
    is exact in floating point. Data within a factor ``2^2.5`` (X) and ``4^1.5`` (lambda_1) of
    unit scale is left alone (``kx = 0``, ``m = 0``; the search is made for that range, and
    its per-run results on such data do not change); ``unit`` is ``problem`` itself when
    ``kx = m = 0``.
    """
    sig = float(np.median(problem.sigma))
    lam1 = float(problem.lam[0]) if problem.lam.size else 0.0
    lx = np.log2(sig)
    ly = np.log2(lam1) / 2.0 if lam1 > 0.0 else 0.0
    kx = int(np.round(lx)) if abs(lx) > 2.5 else 0
    m = int(np.round(ly)) if abs(ly) > 1.5 else 0
    if kx == 0 and m == 0:
        return problem, 0, 0
    unit = ShallowProblem(problem.X * 2.0 ** -kx, problem.Y * 4.0 ** -m, problem.d1, problem.mu)
    return unit, kx, m


def survey(problem: ShallowProblem, rng, n_starts: int = 120, scales=(0.3, 1.0, 3.0),
           max_iter: int = 150, gtol=None, factor: float = 10.0) -> Survey:
    r"""Search critical points from random starts and identify each one (Lemma 1, "only if").

    Starts are Gaussian, in equal numbers at each of ``scales`` times the size of the
    critical points (entries of ``W2`` of standard deviation ``s sqrt(lambda_1 / d2)``, of
    ``W1`` ``s sqrt(lambda_1 / d0) / median(sigma)``), so that the search meets small and
    large critical points alike. Each start runs :func:`~landscape.optim.critical_points.find_critical_points`; each converged
    end point is mapped back with :func:`~landscape.theory.paper_a.lemma1.identify`.

    Membership tolerance. At a critical point where g is flat to second order along some
    direction and grows like the fourth power (C has such points when a zero column of
    ``Ztilde`` can grow into directions the other columns do not use, e.g. ``d1 > r``), a
    point at distance ``delta`` has a gradient of size ``delta^3``: a search stopped at
    gradient ``epsilon`` can be ``epsilon^(1/3)`` away. So an end point counts as an element
    of C when its relative distance is at most ``factor * (epsilon / ||Y X^T||)^(1/3)``
    (and at least ``1e-9``); a point that is not near C at all fails this by far.

    Scale. The search, its stopping rule and this tolerance are those of data of unit scale:
    the survey runs on X and Y rescaled by powers of two (the median singular value of X and
    ``lambda_1`` near 1, see ``_unit_problem``) and its points are mapped back, so that
    rescaling X or Y does not change which points are found or judged in C (on data already
    of unit scale nothing is rescaled). ``gtol``, if given, and :attr:`~landscape.optim.critical_points.SearchResult.grad_norm`
    are in the units of the rescaled data.

    Refuses a ``problem`` of another type, an ``rng`` that is not a Generator, ``n_starts``
    and ``max_iter`` that are not integers >= 1, ``scales`` that are empty or not finite
    numbers >= 0, and a ``factor`` that is not a finite number > 0.
    """
    if np.size(scales) == 0:
        raise ValueError(f"scales must hold at least one scale; got {scales!r}")
    problem = check_problem(problem)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    n_starts = as_positive_int("n_starts", n_starts)
    scales = [as_nonnegative_float("scales", s) for s in np.atleast_1d(scales)]
    factor = as_positive_float("factor", factor)
    unit, kx, m = _unit_problem(problem)
    if unit is not problem:  # the same survey on data of unit scale, mapped back
        sv = survey(unit, rng, n_starts=n_starts, scales=scales, max_iter=max_iter, gtol=gtol,
                    factor=factor)
        a1, a2 = 2.0 ** (m - kx), 2.0 ** m  # W1 = a1 W1_unit, W2 = a2 W2_unit
        search = replace(sv.search, W1=a1 * sv.search.W1, W2=a2 * sv.search.W2)
        patterns = [None if pat is None else
                    replace(pat, W1=a1 * pat.W1, W2=a2 * pat.W2, Wt1=a2 * pat.Wt1, Wt2=a2 * pat.Wt2)
                    for pat in sv.patterns]
        return Survey(search, patterns, sv.rtol)
    lam1 = problem_scale(problem)
    s1 = np.sqrt(lam1 / problem.d0) / float(np.median(problem.sigma))
    s2 = np.sqrt(lam1 / problem.d2)
    which = np.arange(n_starts) % len(scales)
    sc = np.array(scales)[which]
    W1 = sc[:, None, None] * s1 * rng.standard_normal((n_starts, problem.d1, problem.d0))
    W2 = sc[:, None, None] * s2 * rng.standard_normal((n_starts, problem.d2, problem.d1))
    res = find_critical_points(problem, W1, W2, max_iter=max_iter, gtol=gtol)
    ref = max(float(np.linalg.norm(problem.YXt)), np.finfo(np.float64).tiny)
    rtol = np.maximum(factor * np.cbrt(res.grad_norm / ref), 1e-9)
    patterns = [identify(problem, res.W1[i], res.W2[i], rtol=rtol[i]) if res.converged[i] else None
                for i in range(n_starts)]
    return Survey(res, patterns, rtol)


def support_label(support) -> str:
    """``"{0,2}"`` for the support ``(0, 2)``; other labels (``"not in C"``) unchanged.

    Refuses a ``support`` that is neither a string nor a sequence of integers >= 0."""
    if isinstance(support, str):
        return support
    if isinstance(support, bytes) or not hasattr(support, "__iter__"):
        raise TypeError(f"support must be a sequence of integer indices or a label; got {support!r}")
    return "{" + ",".join(str(as_int(f"support[{i}]", j, 0)) for i, j in enumerate(support)) + "}"


def survey_summary(sv: Survey) -> dict:
    """The per-run details of a :class:`Survey` as plain data, for a stored file.

    ``n_starts``, ``n_converged``, ``n_in_C``, ``supports`` (label -> count, by support size
    then lexicographically, :func:`support_label`) and ``worst_residual`` (the largest
    relative distance to C of an end point in C; ``None`` if there is none).

    Refuses an ``sv`` that is not a :class:`Survey`.
    """
    if not isinstance(sv, Survey):
        raise TypeError(f"sv must be a landscape.studies.lemma1.Survey (from survey); got {type(sv).__name__}")
    counts = sorted(sv.counts().items(),
                    key=lambda kv: (isinstance(kv[0], str), len(kv[0]), str(kv[0])))
    res = np.array([pat.residual for pat in sv.patterns if pat is not None and pat.in_C])
    return {"n_starts": sv.n_starts, "n_converged": sv.n_converged, "n_in_C": sv.n_in_C,
            "supports": {support_label(k): int(v) for k, v in counts},
            "worst_residual": float(res.max()) if res.size else None}
