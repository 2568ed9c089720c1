"""Time the closed-form dense Hessian of ShallowProblem against the alternatives.

For each size (d0, d1, d2) it times, best of several repeats:

* ``hessian``      the closed-form block assembly of landscape.models.shallow;
* ``hvp loop``     a column-by-column assembly from Hessian-vector products;
* ``central fd``   central finite differences of the gradient (2 n gradients);
* ``fill``         allocating and filling a fresh n x n array (the floor for any method
                   that writes the Hessian);
* ``jax``          ``jax.jit(jax.hessian(g))``, warm, when JAX is installed (optional).

and prints the ratios and the agreement with the HVP loop (max |difference| / max |H|).
Targets (issue 3): >= 8x faster than the HVP loop at n = 450 and 600; within 4x of the
fill time at n = 4000; agreement 1e-10.

Run: ``make bench`` or ``.venv/bin/python bench/hessian.py``.
"""

from __future__ import annotations

import os

import numpy as np

from landscape.models.shallow import ShallowProblem
from _timing import best_of

SIZES = [(10, 15, 20), (20, 15, 20), (50, 40, 50)]
MU = 0.125


def hvp_loop(p, W1, W2):
    n = p.n_params
    H = np.empty((n, n))
    e = np.zeros(n)
    for k in range(n):
        e[k] = 1.0
        H1, H2 = p.hessian_vector_product(W1, W2, *p.unpack(e))
        H[:, k] = np.concatenate([H1.ravel(), H2.ravel()])
        e[k] = 0.0
    return H


def central_fd(p, W1, W2, h=1e-6):
    theta = p.pack(W1, W2)
    n = theta.size
    H = np.empty((n, n))
    for k in range(n):
        e = np.zeros(n)
        e[k] = h
        gp = np.concatenate([g.ravel() for g in p.gradient(*p.unpack(theta + e))])
        gm = np.concatenate([g.ravel() for g in p.gradient(*p.unpack(theta - e))])
        H[:, k] = (gp - gm) / (2 * h)
    return H


def jax_hessian(p):
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    C, B, Yt, US = (jnp.asarray(a) for a in (p.XXt, p.YXt, p.Ytilde, p.U * p.sigma))
    d0, d1, d2, mu, n1 = p.d0, p.d1, p.d2, p.mu, p.d1 * p.d0

    def g(theta):
        W1 = theta[:n1].reshape(d1, d0)
        W2 = theta[n1:].reshape(d2, d1)
        R = W2 @ (W1 @ US) - Yt
        D = W2.T @ W2 - W1 @ C @ W1.T
        return 0.5 * jnp.sum(R * R) + 0.25 * mu * jnp.sum(D * D)

    hess = jax.jit(jax.hessian(g))

    def run(theta):
        return np.asarray(hess(jnp.asarray(theta)).block_until_ready())

    return run


def main():
    print(f"BLAS threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    rng = np.random.default_rng(0)
    header = f"{'(d0,d1,d2)':>14} {'n':>5} {'hessian':>10} {'hvp loop':>10} {'fd':>10} {'fill':>9} " \
             f"{'loop/H':>7} {'fd/H':>7} {'H/fill':>7} {'agree':>8}"
    print(header)
    for d0, d1, d2 in SIZES:
        N = 100
        X = rng.standard_normal((d0, N))
        Y = rng.standard_normal((d2, N))
        p = ShallowProblem(X, Y, d1, MU)
        W1, W2 = p.random_weights(rng)
        n = p.n_params
        reps = 20 if n < 1000 else 5
        t_h, H = best_of(lambda: p.hessian(W1, W2), reps)
        t_loop, H_loop = best_of(lambda: hvp_loop(p, W1, W2), max(2, reps // 5))
        t_fd, H_fd = best_of(lambda: central_fd(p, W1, W2), max(2, reps // 5))
        t_fill, _ = best_of(lambda: np.full((n, n), 1.0), reps)
        agree = np.abs(H - H_loop).max() / np.abs(H).max()
        print(f"{str((d0, d1, d2)):>14} {n:>5} {t_h*1e3:>8.2f}ms {t_loop*1e3:>8.1f}ms {t_fd*1e3:>8.1f}ms "
              f"{t_fill*1e3:>7.2f}ms {t_loop/t_h:>7.1f} {t_fd/t_h:>7.1f} {t_h/t_fill:>7.2f} {agree:>8.1e}")
        jax_run = jax_hessian(p)
        if jax_run is not None:
            theta = p.pack(W1, W2)
            jax_run(theta)  # compile
            t_jax, H_jax = best_of(lambda: jax_run(theta), reps)
            print(f"{'':>14} {'':>5} jax.hessian (jit, warm) {t_jax*1e3:.2f}ms: jax/closed-form = "
                  f"{t_jax/t_h:.1f}x, agreement {np.abs(H - H_jax).max() / np.abs(H).max():.1e}")
        else:
            print(f"{'':>14} {'':>5} (JAX not installed: jax.hessian comparison skipped)")


if __name__ == "__main__":
    main()
