"""Sparse coding with a locally competitive algorithm (LCA) network: ``LCA(dictionary, lam).solve(y)``.

LCA (Rozell, Johnson, Baraniuk & Olshausen 2008) solves the LASSO problem::

    minimize_a  1/2 ||y - Phi a||^2 + lam ||a||_1

with neurons whose potentials ``u`` leak towards their drive and whose graded
output is the soft threshold ``a = sign(u) max(|u| - lam, 0)``. Two wirings give
the same fixed point (the LASSO optimality conditions ``Phi^T (y - Phi a) = lam
sign(a)`` on the active set, ``|Phi^T (y - Phi a)| <= lam`` elsewhere):

* one layer (``layers=1``): the neurons are driven by ``Phi^T y`` and inhibit
  each other through a recurrent synapse ``I - Phi^T Phi``;
* two layers (``layers=2``): a residual layer computes ``r = y - Phi a`` (synapse
  ``-Phi``) and drives the coding layer through ``Phi^T``, which adds its own
  activity ``a`` (as in Lava's two-layer LCA).

``Phi`` (``dictionary``) is ``m x n``: ``m`` the signal's dimension, one atom per
column. ``y`` is one signal (``m``) or several (``m x k``, solved at once, one
column each). The step is ``dt = min(1, 1 / ||Phi||_2^2)`` by default (a
gradient step on the smooth part, which converges).

``tag="fixed_pt"`` runs integer models: ``u``, ``a``, the drive and ``lam``
are integers at a power-of-two scale chosen so the largest drive is about
``2**16`` (within Loihi's 24-bit potentials), synapse weights are
``weight_bits``-bit integers with a shared exponent (8 bits, Loihi's weight
precision, by default), and ``dt`` is rounded to a power of two (a right
shift). The reported coefficients are the integers divided by the scale; the
weight precision limits how close they get to the float solution (measured:
see ``tests/optim/test_lca.py``).
"""

from __future__ import annotations

import math
import time
import typing as ty
from dataclasses import dataclass

import numpy as np
from caldera.errors import ParameterError
from caldera.run_conditions import RunSteps
from caldera.run_config import RunConfig


@dataclass
class LCAResult:
    """``coefficients``: ``n`` (or ``n x k``); ``objective``: ``1/2||y - Phi a||^2 + lam ||a||_1`` (per signal)."""

    coefficients: np.ndarray
    objective: float | np.ndarray
    iterations: int
    status: str
    wall_time_s: float


def lasso_objective(dictionary: np.ndarray, y: np.ndarray, a: np.ndarray, lam: float) -> float | np.ndarray:
    """``1/2 ||y - Phi a||^2 + lam ||a||_1`` (one value per column for several signals)."""
    r = y - dictionary @ a
    val = 0.5 * np.sum(r * r, axis=0) + lam * np.sum(np.abs(a), axis=0)
    return float(val) if np.ndim(val) == 0 else val


class LCA:
    """A sparse-coding network for ``dictionary`` (``m x n``) and sparsity weight ``lam`` (see the module docstring)."""

    def __init__(
        self,
        dictionary: ty.Any,
        lam: float,
        *,
        layers: int = 1,
        tag: str = "floating_pt",
        dt: float | None = None,
        weight_bits: int = 8,
        backend: str | None = None,
    ) -> None:
        phi = np.asarray(dictionary, dtype=np.float64) if not hasattr(dictionary, "toarray") else dictionary.toarray()
        if phi.ndim != 2 or phi.size == 0:
            raise ParameterError(f"LCA: dictionary must be a non-empty m x n matrix, got shape {np.shape(phi)}")
        if not np.all(np.isfinite(phi)):
            raise ParameterError("LCA: dictionary contains NaN or infinite entries")
        try:
            lam = float(lam)
        except (TypeError, ValueError):
            raise ParameterError(f"LCA: lam must be a number > 0, got {lam!r}") from None
        if not (np.isfinite(lam) and lam > 0):
            raise ParameterError(f"LCA: lam must be finite and > 0, got {lam!r}")
        if layers not in (1, 2):
            raise ParameterError(f"LCA: layers must be 1 or 2, got {layers!r}")
        if tag not in ("floating_pt", "fixed_pt"):
            raise ParameterError(f"LCA: tag must be 'floating_pt' or 'fixed_pt', got {tag!r}")
        if isinstance(weight_bits, bool) or not isinstance(weight_bits, int) or not 2 <= weight_bits <= 24:
            raise ParameterError(f"LCA: weight_bits must be an integer in 2..24, got {weight_bits!r}")
        norm2 = float(np.linalg.norm(phi, 2)) ** 2
        if norm2 == 0:
            raise ParameterError("LCA: the dictionary is all zeros")
        if dt is None:
            dt = min(1.0, 1.0 / norm2)
        else:
            try:
                dt = float(dt)
            except (TypeError, ValueError):
                raise ParameterError(f"LCA: dt must be a number in (0, 1], got {dt!r}") from None
            if not 0 < dt <= 1:
                raise ParameterError(f"LCA: dt must be in (0, 1], got {dt!r}")
        self.dictionary, self.lam, self.layers, self.tag = phi, lam, layers, tag
        self.dt, self.weight_bits, self.backend = dt, weight_bits, backend

    @staticmethod
    def _quantize(w: np.ndarray, bits: int) -> tuple[np.ndarray, int]:
        """Integer weights of ``bits`` bits (sign included) and the exponent: ``w ~ w_int * 2**exp``."""
        big = float(np.abs(w).max())
        if big == 0:
            return np.zeros_like(w), 0
        e = (bits - 1) - math.ceil(math.log2(big + 1e-300)) - (1 if big == 2.0 ** math.ceil(math.log2(big)) else 0)
        wi = np.clip(np.round(w * 2.0**e), -(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        return wi, -e

    def solve(self, y: ty.Any, *, max_iter: int = 20000, tol: float = 1e-8, check_every: int = 50) -> LCAResult:
        """Run the network on ``y`` until the coefficients settle (relative change ``<= tol``) or ``max_iter``."""
        from caldera_optim.processes import LCAConnection, LCANeurons, LCAResidualNeurons, LCASynapse

        t0 = time.perf_counter()
        phi = self.dictionary
        m, n = phi.shape
        yv = np.asarray(y, dtype=np.float64)
        single = yv.ndim == 1
        if yv.ndim not in (1, 2) or yv.shape[0] != m:
            raise ParameterError(
                f"LCA.solve: y has shape {yv.shape}, the dictionary is {m} x {n}: y must have {m} rows (one per "
                "dictionary row)"
            )
        if not np.all(np.isfinite(yv)):
            raise ParameterError("LCA.solve: y contains NaN or infinite entries")
        for name, v, lo in (("max_iter", max_iter, 1), ("check_every", check_every, 1)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
                raise ParameterError(f"LCA.solve: {name} must be an integer >= {lo}, got {v!r}")
        if not (isinstance(tol, (int, float)) and tol >= 0):
            raise ParameterError(f"LCA.solve: tol must be a number >= 0, got {tol!r}")
        y2 = yv.reshape(m, -1)
        k = y2.shape[1]
        fixed = self.tag == "fixed_pt"
        b = phi.T @ y2
        scale = 1.0
        dt_shift = max(0, round(-math.log2(self.dt)))
        if fixed:
            big = max(float(np.abs(b).max()), float(np.abs(y2).max()), self.lam, 1e-300)
            scale = 2.0 ** (16 - math.ceil(math.log2(big)))
        lam_n = round(self.lam * scale) if fixed else self.lam

        def conv(w: np.ndarray, cls: type, name: str) -> ty.Any:
            if fixed:
                wi, e = self._quantize(w, self.weight_bits)
                return cls(weights=wi, batch=k, weight_exp=e, name=name)
            return cls(weights=w, batch=k, name=name)

        if self.layers == 1:
            drive = np.round(b * scale) if fixed else b
            v1 = LCANeurons(shape=(n, k), lam=lam_n, dt=self.dt, dt_shift=dt_shift, bias=drive, name="lca_v1")
            rec = conv(np.eye(n) - phi.T @ phi, LCASynapse, "lca_recurrent")
            v1.s_out.connect(rec.s_in)
            rec.a_out.connect(v1.a_in)
        else:
            ybias = np.round(y2 * scale) if fixed else y2
            v1 = LCANeurons(shape=(n, k), lam=lam_n, dt=self.dt, dt_shift=dt_shift, self_feedback=True, name="lca_v1")
            res = LCAResidualNeurons(shape=(m, k), bias=ybias, name="lca_residual")
            down = conv(-phi, LCASynapse, "lca_reconstruct")
            up = conv(phi.T.copy(), LCAConnection, "lca_feedforward")
            v1.s_out.connect(down.s_in)
            down.a_out.connect(res.a_in)
            res.s_out.connect(up.s_in)
            up.a_out.connect(v1.a_in)
        cfg = RunConfig(backend=self.backend, tag=self.tag)
        steps, status = 0, "max_iterations"
        prev = np.zeros((n, k))
        prev_u = None
        try:
            while steps < max_iter:
                kk = min(check_every, max_iter - steps)
                v1.run(condition=RunSteps(num_steps=kk), run_cfg=cfg)
                steps += kk
                a = np.asarray(v1.a.get(), np.float64) / scale
                if not np.all(np.isfinite(a)):
                    raise RuntimeError("LCA: the network diverged (dt too large for this dictionary)")
                change = np.abs(a - prev).max() / max(np.abs(a).max(), 1e-12)
                if fixed:  # integer dynamics: converged at an exact fixed point (u unchanged over a check)
                    u = v1.u.get()
                    if prev_u is not None and np.array_equal(u, prev_u):
                        status = "converged"
                        break
                    prev_u = u
                elif steps > check_every and change <= tol:
                    status = "converged"
                    break
                prev = a
        finally:
            v1.stop()
        coef = a[:, 0] if single else a
        return LCAResult(
            coefficients=coef,
            objective=lasso_objective(phi, yv if single else y2, coef, self.lam),
            iterations=steps,
            status=status,
            wall_time_s=time.perf_counter() - t0,
        )


__all__ = ["LCA", "LCAResult", "lasso_objective"]
