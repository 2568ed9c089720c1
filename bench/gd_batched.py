"""Batched gradient descent over seeds: against a per-seed loop, and against JAX.

Times ``landscape.optim.descent.gradient_descent`` on a ``ProblemStack`` of 20 instances of paper
A's setup (d0 = 20, d1 = 15, d2 = 20, N = 100, mu = 1/8; values recorded every 10 steps) and
compares it with

* a per-seed loop: the same function called once per instance (target: the batched runner is
  at least 3 times faster), and
* ``jax.lax.scan`` over the steps of a ``jax.vmap``-ed step over the instances, in float64,
  with the same recording (target: the batched runner within 1.3 times JAX's time). JAX is
  optional: without it this part is skipped. Compilation is timed separately.

Run: ``.venv/bin/python bench/gd_batched.py [--steps 2000] [--repeat 3]``. The BLAS thread
count is whatever the environment says (``make bench`` keeps the caller's); see
``bench/figures.py`` for its effect.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from landscape.studies.experiments import PAPER, SETUPS, draw
from landscape.optim.descent import gradient_descent
from _timing import best_of


def jax_runner(batch, step, n_steps, record_every):
    """A jitted JAX version of the same loop, or None when JAX is not installed."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    stack = batch.stack
    US, Yt, C, YXt, outside, _ = (jnp.asarray(a) for a in stack._data)
    mu = stack.mu

    def value(W1, W2, US, Yt, C, outside):
        R = W2 @ (W1 @ US) - Yt
        D = W2.T @ W2 - W1 @ C @ W1.T
        return 0.5 * (jnp.sum(R * R) + outside) + 0.25 * mu * jnp.sum(D * D)

    def grad(W1, W2, C, YXt):
        K = W1 @ C
        E = W2 @ K - YXt
        D = W2.T @ W2 - K @ W1.T
        return W2.T @ E - mu * (D @ K), E @ W1.T + mu * (W2 @ D)

    def block(carry, _):  # record_every steps, then one value
        W1, W2 = carry

        def one(c, _):
            G1, G2 = jax.vmap(grad)(c[0], c[1], C, YXt)
            return (c[0] - step * G1, c[1] - step * G2), None

        (W1, W2), _ = jax.lax.scan(one, (W1, W2), None, length=record_every)
        return (W1, W2), jax.vmap(value)(W1, W2, US, Yt, C, outside)

    @jax.jit
    def run(W1, W2):
        return jax.lax.scan(block, (W1, W2), None, length=n_steps // record_every)

    W1, W2 = jnp.asarray(batch.W1), jnp.asarray(batch.W2)

    def call():
        (A1, A2), values = run(W1, W2)
        return np.asarray(values), np.asarray(A1)

    return call


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    n, every = args.steps, 10
    batch = draw(SETUPS[1], range(args.seeds), mu=PAPER["mu"], x_scale=0.1)
    step = 5e-3
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    print(f"{args.seeds} instances of (d0, d1, d2) = (20, 15, 20), {n} steps, record every {every};"
          f" OPENBLAS_NUM_THREADS={threads}")

    t_batch, run = best_of(lambda: gradient_descent(batch.stack, (batch.W1, batch.W2), step, n, every),
                           args.repeat)

    def loop():
        return [gradient_descent(batch.problem(i), (batch.W1[i], batch.W2[i]), step, n, every)
                for i in range(args.seeds)]

    t_loop, runs = best_of(loop, max(1, args.repeat - 1))
    np.testing.assert_allclose(np.stack([r.values for r in runs], axis=1), run.values, rtol=1e-9)
    print(f"batched runner      {t_batch:8.3f} s   ({1e6 * t_batch / n:.0f} us per step for all seeds)")
    print(f"per-seed loop       {t_loop:8.3f} s   ratio loop / batched = {t_loop / t_batch:.1f}"
          f"  (target >= 3)")
    call = jax_runner(batch, step, n, every)
    if call is None:
        print("JAX                 skipped (not installed; `pip install jax jaxlib` to compare)")
        return
    t = time.perf_counter()
    values, _ = call()
    t_compile = time.perf_counter() - t
    t_jax, (values, _) = best_of(call, args.repeat)
    np.testing.assert_allclose(values, run.values[1:], rtol=1e-8)
    print(f"JAX scan + vmap     {t_jax:8.3f} s   (first call with compilation {t_compile:.2f} s)")
    print(f"ratio batched / JAX = {t_batch / t_jax:.2f}  (target <= 1.3)")


if __name__ == "__main__":
    main()
