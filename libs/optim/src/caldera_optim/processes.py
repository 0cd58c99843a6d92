"""The processes the solvers are built from (definitions only; models are in ``caldera_optim.models``).

QUBO network (replicas are an extra dimension of one population, so a step costs
a few array operations whatever their number; one block of variables, a class of a
graph colouring, is updated per step)::

    AnnealingBinaryNeurons --s_out (flips of the block, +-1)--> ReplicaCoupling (holds the fields W x)
    ReplicaCoupling --a_out (fields of the block updated next)--> AnnealingBinaryNeurons.a_in
    AnnealingBinaryNeurons --cost_out (R,)--> CostTracker

QP network (PIPG: projected primal-dual gradient dynamics)::

    QPPrimalNeurons --x_out--> Dense/Sparse(Q) --> grad_in           (send-first: Q x of the last step)
    QPPrimalNeurons --xbar_out--> MatVec(H) --> QPDualNeurons.a_in     (same step)
    QPDualNeurons --v_out--> Dense/Sparse(H^T) --> QPPrimalNeurons.dual_in
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera.errors import ParameterError
from caldera.lazy import lazy_module
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.variable import Var, is_sparse

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)


def _positive_int(proc: str, name: str, value: ty.Any, lo: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise ParameterError(f"{proc}: {name} must be an integer >= {lo}, got {value!r}")
    return int(value)


def _finite_nonneg(proc: str, name: str, value: ty.Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{proc}: {name} must be a number, got {value!r}") from None
    if not np.isfinite(v) or v < 0:
        raise ParameterError(f"{proc}: {name} must be finite and >= 0, got {value!r}")
    return v


def _blocks(cls: str, blocks: ty.Any, n: int) -> np.ndarray:
    if blocks is None:
        return np.array([0, n])
    b = np.asarray(blocks).reshape(-1)
    if b.dtype.kind not in "iu" or b.size < 2 or b[0] != 0 or b[-1] != n or np.any(np.diff(b) <= 0):
        raise ParameterError(f"{cls}: blocks must be increasing integer boundaries from 0 to {n}, got {blocks!r}")
    return b.astype(np.int64)


def _init_state(cls: str, init_state: ty.Any, shape: tuple[int, int]) -> np.ndarray:
    try:
        x0 = np.broadcast_to(np.asarray(init_state), shape)
    except ValueError:
        raise ParameterError(f"{cls}: init_state must broadcast to (replicas, n) = {shape}") from None
    if not np.all((x0 == 0) | (x0 == 1)):
        raise ParameterError(f"{cls}: init_state must be 0/1")
    return x0.astype(np.int8)


class ReplicaCoupling(Process):
    """Symmetric couplings ``W`` (zero diagonal) with the neurons' local fields ``field = W x`` (n x replicas).

    The variables are updated block by block (``blocks``: boundaries; step t
    updates block ``(t-1) % len(blocks)``). Send-first, like every synapse: in
    step t it sends the fields of block t's variables (``a_out``, padded to the
    widest block), then receives that block's flips (``s_in``, +-1/0) and adds
    ``flips @ W[block]`` to the fields, so nothing a step sends is stale.
    """

    def __init__(
        self,
        *,
        weights: ty.Any,
        replicas: int = 1,
        blocks: ty.Any = None,
        init_state: ty.Any = 0,
        name: str | None = None,
    ) -> None:
        cls = type(self).__name__
        w = sp.csr_matrix(weights, dtype=np.float64)
        if w.shape[0] != w.shape[1]:
            raise ParameterError(f"{cls}: weights must be square, got {w.shape}")
        if w.nnz and not np.all(np.isfinite(w.data)):
            raise ParameterError(f"{cls}: weights contain NaN or infinite entries")
        if w.diagonal().any():
            raise ParameterError(f"{cls}: weights must have a zero diagonal (the diagonal is the neurons' bias)")
        replicas = _positive_int(cls, "replicas", replicas)
        n = w.shape[0]
        b = _blocks(cls, blocks, n)
        x0 = _init_state(cls, init_state, (replicas, n))
        super().__init__(weights=w, replicas=replicas, blocks=b, name=name)
        width = int(np.diff(b).max())
        self.s_in = InPort(shape=(replicas, width))
        self.a_out = OutPort(shape=(replicas, width))
        self.weights = Var(shape=w.shape, init=w)
        # field[i, r]: variable i's field in replica r (variables along rows: a block is a contiguous slab)
        self.field = Var(shape=(n, replicas), init=np.asarray(w @ x0.T.astype(np.float64)))


class AnnealingBinaryNeurons(Process):
    """Stochastic binary neurons doing parallel simulated annealing on ``x^T Q x``, one row per replica.

    Step t updates one block of variables (``blocks``: boundaries; block
    ``(t-1) % len(blocks)``). Each neuron of the block that is not refractory
    receives its field ``h = (x W)_i`` (``W = 2 offdiag(Q)``, from the
    ``ReplicaCoupling``), computes the cost change of flipping
    ``dE = (1 - 2x)(q_ii + h)`` and proposes a flip when ``dE <= T * xi``
    (``xi`` exponential noise: the Metropolis rule). Coupled variables never
    flip in the same step, so the tracked cost is exact: when blocks are the
    classes of a graph colouring (what the solver builds) no two variables of
    a block are coupled; inside a block that has couplings, among coupled
    proposers only the one ranked highest in a random ordering flips. A neuron
    that flipped is refractory for a random number of steps in ``0..refract``.
    The temperature falls geometrically from ``t_hot`` to ``t_cold`` over
    ``anneal_steps`` steps and then restarts (reheats); while ``quench`` is 1
    every step runs at zero temperature (the solver's final descent).

    ``couplings`` is ``W`` (the same matrix the ``ReplicaCoupling`` holds): the
    neurons use it for the initial cost ``x^T Q x = diag.x + x.W.x / 2`` and the
    conflict check. ``diag`` holds the linear terms ``q_ii``.

    Replica exchange (parallel tempering): ``ladder`` (factors >= 1, one per
    rung of a temperature ladder, rung 0 the coldest; default all 1) gives
    the replica on rung ``k`` the schedule's temperature times
    ``ladder[k] ** (1 - f)``, ``f`` the fraction of the cooling cycle done
    (the ladder closes to ``t_cold`` at the cycle's end; ``fixed_pt``: the
    floor of that product). ``rung[r]`` is replica ``r``'s rung (initially
    ``r``). Every ``exchange_every`` steps (0: never) the replicas on
    neighbouring rungs ``(k, k + 1)``, ``k`` even and odd in turn, swap rungs
    with the Metropolis probability ``min(1, exp((b_k - b_k+1)(E_k - E_k+1)))``
    (``caldera_optim.models.qubo.exchange_pairs``): exchanging temperatures is
    exchanging configurations between the temperatures, without moving a
    state. ``replica_temperature`` holds the temperatures each replica ran the
    last step at, ``temperature`` the schedule's, ``exchange_stats`` the
    exchange rounds, pairs tried and pairs swapped so far.
    """

    def __init__(
        self,
        *,
        diag: ty.Any,
        couplings: ty.Any,
        replicas: int = 1,
        t_hot: float = 1.0,
        t_cold: float = 0.01,
        anneal_steps: int = 1000,
        refract: int = 0,
        seed: int = 0,
        init_state: ty.Any = None,
        blocks: ty.Any = None,
        ladder: ty.Any = None,
        exchange_every: int = 0,
        name: str | None = None,
    ) -> None:
        cls = type(self).__name__
        d = np.asarray(diag, dtype=np.float64).reshape(-1)
        if d.size == 0 or not np.all(np.isfinite(d)):
            raise ParameterError(f"{cls}: diag must be a non-empty finite vector")
        n = d.size
        adj = sp.csr_matrix(couplings, dtype=np.float64)
        if adj.shape != (n, n):
            raise ParameterError(f"{cls}: couplings have shape {adj.shape}, expected ({n}, {n})")
        if adj.nnz and not np.all(np.isfinite(adj.data)):
            raise ParameterError(f"{cls}: couplings contain NaN or infinite entries")
        replicas = _positive_int(cls, "replicas", replicas)
        t_hot = _finite_nonneg(cls, "t_hot", t_hot)
        t_cold = _finite_nonneg(cls, "t_cold", t_cold)
        if t_cold > t_hot:
            raise ParameterError(f"{cls}: t_cold={t_cold} must not exceed t_hot={t_hot}")
        anneal_steps = _positive_int(cls, "anneal_steps", anneal_steps)
        refract = _positive_int(cls, "refract", refract, lo=0)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ParameterError(f"{cls}: seed must be an integer, got {seed!r}")
        b = _blocks(cls, blocks, n)
        if ladder is None:
            lad = np.ones(replicas)
        else:
            try:
                lad = np.asarray(ladder, dtype=np.float64).reshape(-1)
            except (TypeError, ValueError):
                raise ParameterError(f"{cls}: ladder must be {replicas} numbers >= 1, got {ladder!r}") from None
            if lad.size != replicas or not np.all(np.isfinite(lad)) or np.any(lad < 1):
                raise ParameterError(f"{cls}: ladder must be {replicas} finite numbers >= 1 (one per replica)")
        exchange_every = _positive_int(cls, "exchange_every", exchange_every, lo=0)
        shape = (replicas, n)
        if init_state is None:
            x0 = np.random.default_rng([int(seed), 1]).integers(0, 2, size=shape).astype(np.int8)
        else:
            x0 = _init_state(cls, init_state, shape)
        super().__init__(
            diag=d,
            couplings=adj,
            replicas=replicas,
            t_hot=t_hot,
            t_cold=t_cold,
            anneal_steps=anneal_steps,
            refract=refract,
            seed=int(seed),
            blocks=b,
            ladder=lad,
            exchange_every=exchange_every,
            name=name,
        )
        width = int(np.diff(b).max())
        self.a_in = InPort(shape=(replicas, width))
        self.s_out = OutPort(shape=(replicas, width))
        self.cost_out = OutPort(shape=(replicas,))
        self.state = Var(shape=shape, init=x0)
        self.refractory = Var(shape=shape, init=0)
        self.cost = Var(shape=(replicas,), init=0)
        self.best_state = Var(shape=shape, init=x0)
        self.best_cost = Var(shape=(replicas,), init=np.inf)
        self.temperature = Var(shape=(1,), init=t_hot)
        self.replica_temperature = Var(shape=(replicas,), init=t_hot * lad)
        self.rung = Var(shape=(replicas,), init=np.arange(replicas))
        self.exchange_stats = Var(shape=(3,), init=0)
        self.anneal_steps = Var(shape=(1,), init=anneal_steps)
        #: 1: every step runs at zero temperature (a greedy descent), whatever the schedule says
        self.quench = Var(shape=(1,), init=0)


class CostTracker(Process):
    """Tracks each replica's best cost, the step and wall time it was found, and a per-step trace.

    ``trace`` holds the best cost over all replicas after each of the last
    ``trace_len`` steps (index ``(t-1) % trace_len``); the solver reads it
    between runs. ``reached`` becomes 1 once a cost ``<= target`` is seen.
    """

    def __init__(
        self, *, replicas: int = 1, target: float = -np.inf, trace_len: int = 100, name: str | None = None
    ) -> None:
        cls = type(self).__name__
        replicas = _positive_int(cls, "replicas", replicas)
        trace_len = _positive_int(cls, "trace_len", trace_len)
        try:
            target = float(target)
        except (TypeError, ValueError):
            raise ParameterError(f"{cls}: target must be a number, got {target!r}") from None
        if np.isnan(target):
            raise ParameterError(f"{cls}: target must not be NaN")
        super().__init__(replicas=replicas, target=target, trace_len=trace_len, name=name)
        self.cost_in = InPort(shape=(replicas,))
        self.best_cost = Var(shape=(replicas,), init=np.inf)
        self.best_step = Var(shape=(replicas,), init=0)
        self.best_time = Var(shape=(replicas,), init=0.0)
        self.trace = Var(shape=(trace_len,), init=np.inf)
        self.reached = Var(shape=(1,), init=0)


# -- QP -----------------------------------------------------------------------------------
def _weights(cls: str, weights: ty.Any) -> ty.Any:
    w = sp.csr_matrix(weights, dtype=np.float64) if is_sparse(weights) else np.asarray(weights, np.float64)
    if w.ndim != 2:
        raise ParameterError(f"{cls}: weights must be a matrix, got shape {w.shape}")
    vals = w.data if is_sparse(w) else w
    if np.size(vals) and not np.all(np.isfinite(vals)):
        raise ParameterError(f"{cls}: weights contain NaN or infinite entries")
    return w


class MatVec(Process):
    """A same-step (receive-first) connection: ``a_out[t] = weights @ s_in[t]``, one column per replica."""

    def __init__(self, *, weights: ty.Any, batch: int = 1, name: str | None = None) -> None:
        cls = type(self).__name__
        w = _weights(cls, weights)
        batch = _positive_int(cls, "batch", batch)
        super().__init__(weights=w, batch=batch, name=name)
        self.s_in = InPort(shape=(w.shape[1], batch))
        self.a_out = OutPort(shape=(w.shape[0], batch))


class DelayedMatVec(Process):
    """A synapse (send-first): ``a_out[t] = weights @ s_in[t-1]``; ``a_buff`` is what step 1 sends."""

    def __init__(self, *, weights: ty.Any, batch: int = 1, name: str | None = None) -> None:
        cls = type(self).__name__
        w = _weights(cls, weights)
        batch = _positive_int(cls, "batch", batch)
        super().__init__(weights=w, batch=batch, name=name)
        self.s_in = InPort(shape=(w.shape[1], batch))
        self.a_out = OutPort(shape=(w.shape[0], batch))
        self.a_buff = Var(shape=(w.shape[0], batch), init=0.0)


class QPPrimalNeurons(Process):
    """PIPG primal neurons: ``x <- clip(x - alpha * (grad_in + p + dual_in), lb, ub)``, one column per replica.

    Sends ``x`` (to the ``Q`` synapse) and ``2x - x_prev`` (the extrapolated
    state, to the constraint connection). ``alpha`` is one step size per replica.
    """

    def __init__(
        self, *, p: ty.Any, alpha: ty.Any, lb: ty.Any, ub: ty.Any, x0: ty.Any = None, name: str | None = None
    ) -> None:
        cls = type(self).__name__
        p = np.asarray(p, np.float64).reshape(-1)
        n = p.size
        alpha = np.asarray(alpha, np.float64).reshape(-1)
        k = alpha.size
        if k == 0 or np.any(alpha <= 0) or not np.all(np.isfinite(alpha)):
            raise ParameterError(f"{cls}: alpha must be one positive finite step size per replica")
        lb = np.broadcast_to(np.asarray(lb, np.float64).reshape(-1), (n,)).copy()
        ub = np.broadcast_to(np.asarray(ub, np.float64).reshape(-1), (n,)).copy()
        x0 = np.zeros(n) if x0 is None else np.asarray(x0, np.float64).reshape(-1)
        x0 = np.clip(x0, lb, ub)
        super().__init__(p=p, alpha=alpha, lb=lb, ub=ub, name=name)
        self.grad_in = InPort(shape=(n, k))
        self.dual_in = InPort(shape=(n, k))
        self.x_out = OutPort(shape=(n, k))
        self.xbar_out = OutPort(shape=(n, k))
        self.x = Var(shape=(n, k), init=np.repeat(x0[:, None], k, axis=1))


class QPDualNeurons(Process):
    """PIPG dual neurons: ``v <- v + beta * (a_in - g)``; the first ``num_ineq`` rows are clipped at 0."""

    def __init__(self, *, g: ty.Any, beta: ty.Any, num_ineq: int, name: str | None = None) -> None:
        cls = type(self).__name__
        g = np.asarray(g, np.float64).reshape(-1)
        m = g.size
        beta = np.asarray(beta, np.float64).reshape(-1)
        k = beta.size
        if k == 0 or np.any(beta <= 0) or not np.all(np.isfinite(beta)):
            raise ParameterError(f"{cls}: beta must be one positive finite step size per replica")
        num_ineq = _positive_int(cls, "num_ineq", num_ineq, lo=0)
        if num_ineq > m:
            raise ParameterError(f"{cls}: num_ineq={num_ineq} exceeds the {m} constraint rows")
        super().__init__(g=g, beta=beta, num_ineq=num_ineq, name=name)
        self.a_in = InPort(shape=(m, k))
        self.v_out = OutPort(shape=(m, k))
        self.v = Var(shape=(m, k), init=0.0)


# -- LCA (sparse coding) ---------------------------------------------------------------------
class LCASynapse(Process):
    """A synapse (send-first) for the LCA network: ``a_out[t] = (weights @ s_in[t-1]) * 2**weight_exp``.

    ``floating_pt``: the product times ``2**weight_exp``. ``fixed_pt``: integer
    weights and inputs, the product shifted right by ``-weight_exp`` (floor), as a
    Loihi synapse scales its integer weights by an exponent. One column per signal.
    """

    def __init__(self, *, weights: ty.Any, batch: int = 1, weight_exp: int = 0, name: str | None = None) -> None:
        cls = type(self).__name__
        w = _weights(cls, weights)
        batch = _positive_int(cls, "batch", batch)
        if isinstance(weight_exp, bool) or not isinstance(weight_exp, (int, np.integer)) or weight_exp > 0:
            raise ParameterError(f"{cls}: weight_exp must be an integer <= 0, got {weight_exp!r}")
        super().__init__(weights=w, batch=batch, weight_exp=int(weight_exp), name=name)
        self.s_in = InPort(shape=(w.shape[1], batch))
        self.a_out = OutPort(shape=(w.shape[0], batch))
        self.a_buff = Var(shape=(w.shape[0], batch), init=0)


class LCAConnection(LCASynapse):
    """The same connection without the delay (receive-first): ``a_out[t] = (weights @ s_in[t]) * 2**weight_exp``."""


class LCANeurons(Process):
    """LCA neurons (Rozell et al. 2008), one column per signal, graded output ``a = soft_threshold(u, lam)``.

    ``u <- u + dt * (bias + a_in + fb * a - u)``, where ``fb`` is 1 in the
    two-layer form (the neurons' own activity; ``a_in`` is then ``Phi^T r``
    from the residual layer) and 0 in the one-layer form (``a_in`` is
    ``(I - Phi^T Phi) a`` from the recurrent synapse, ``bias`` is ``Phi^T y``).
    ``fixed_pt``: integer ``u``, ``bias`` and ``lam``; ``dt = 2**-dt_shift``
    (``dt`` is then ignored) with floor shifts.
    """

    def __init__(
        self,
        *,
        shape: tuple[int, int],
        lam: float,
        dt: float = 0.1,
        dt_shift: int = 3,
        bias: ty.Any = 0.0,
        self_feedback: bool = False,
        name: str | None = None,
    ) -> None:
        cls = type(self).__name__
        n, k = (_positive_int(cls, "shape", int(v)) for v in shape)
        lam = _finite_nonneg(cls, "lam", lam)
        dt = _finite_nonneg(cls, "dt", dt)
        if not 0 < dt <= 1:
            raise ParameterError(f"{cls}: dt must be in (0, 1], got {dt!r}")
        dt_shift = _positive_int(cls, "dt_shift", dt_shift, lo=0)
        b = np.broadcast_to(np.asarray(bias, np.float64), (n, k)).copy()
        if not np.all(np.isfinite(b)):
            raise ParameterError(f"{cls}: bias contains NaN or infinite entries")
        super().__init__(lam=lam, dt=dt, dt_shift=dt_shift, self_feedback=bool(self_feedback), name=name)
        self.a_in = InPort(shape=(n, k))
        self.s_out = OutPort(shape=(n, k))
        self.u = Var(shape=(n, k), init=0)
        self.a = Var(shape=(n, k), init=0)
        self.bias = Var(shape=(n, k), init=b)


class LCAResidualNeurons(Process):
    """The residual layer of the two-layer LCA: ``r = bias + a_in`` (``bias = y``, ``a_in = -Phi a``), receive-first."""

    def __init__(self, *, shape: tuple[int, int], bias: ty.Any = 0.0, name: str | None = None) -> None:
        cls = type(self).__name__
        m, k = (_positive_int(cls, "shape", int(v)) for v in shape)
        b = np.broadcast_to(np.asarray(bias, np.float64), (m, k)).copy()
        if not np.all(np.isfinite(b)):
            raise ParameterError(f"{cls}: bias contains NaN or infinite entries")
        super().__init__(name=name)
        self.a_in = InPort(shape=(m, k))
        self.s_out = OutPort(shape=(m, k))
        self.r = Var(shape=(m, k), init=0)
        self.bias = Var(shape=(m, k), init=b)


__all__ = [
    "LCASynapse",
    "LCAConnection",
    "LCANeurons",
    "LCAResidualNeurons",
    "ReplicaCoupling",
    "AnnealingBinaryNeurons",
    "CostTracker",
    "MatVec",
    "DelayedMatVec",
    "QPPrimalNeurons",
    "QPDualNeurons",
]
