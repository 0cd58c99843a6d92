"""NumPy models of the QUBO network's processes (couplings, annealing neurons, cost tracker), ``floating_pt`` and ``fixed_pt``.

The ``fixed_pt`` models use only integer arithmetic, as Loihi does:
integer couplings and fields, an integer temperature, and the Metropolis test
``256 * dE <= T * L[u]`` with an 8-bit random ``u`` and a 256-entry table
``L[u] = round(-256 ln((u + 1/2) / 256))`` in place of ``-ln U``.
"""

from __future__ import annotations

import time

import numpy as np
from caldera.errors import ParameterError
from caldera.lazy import lazy_module
from caldera.model import (
    CSR_MATRIX,
    LavaPyType,
    PyInPort,
    PyLoihiProcessModel,
    PyOutPort,
    SendFirstMixin,
    implements,
    requires,
    tag,
)
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU

from caldera_optim.models import _scipy_kernel
from caldera_optim.processes import AnnealingBinaryNeurons, CostTracker, ReplicaCoupling

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)

#: -256 ln((u + 0.5) / 256) for an 8-bit u, rounded: exponential noise for the fixed-point Metropolis test
NEG_LOG_TABLE = np.round(-256.0 * np.log((np.arange(256) + 0.5) / 256.0)).astype(np.int64)


def gather_rows(csr: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each entry ``k`` of ``rows``, the nonzeros of ``csr[rows[k]]``: ``(k, column, value)`` arrays."""
    indptr = csr.indptr
    starts = indptr[rows]
    counts = indptr[rows + 1] - starts
    total = int(counts.sum())
    if total == 0:
        e = np.zeros(0, np.int64)
        return e, e, np.zeros(0, csr.data.dtype)
    owner = np.repeat(np.arange(rows.size), counts)
    offs = np.cumsum(counts) - counts
    pos = np.arange(total) - offs[owner] + starts[owner]
    return owner, csr.indices[pos], csr.data[pos]


def exchange_pairs(
    temperatures: np.ndarray, costs: np.ndarray, noise: np.ndarray, parity: int, scale: int = 1
) -> np.ndarray:
    """Which neighbouring pairs ``(i, i + 1)``, ``i = parity, parity + 2, ...``, swap (replica exchange).

    The Metropolis rule: a pair swaps with probability ``min(1, exp((b_i - b_j)(E_i - E_j)))``, ``b = 1 / T``,
    ``j = i + 1``, that is where ``scale (T_j - T_i)(E_j - E_i) <= T_i T_j noise`` for the pair's noise
    (``noise[k]`` for the k-th pair): a standard exponential ``-ln U`` with ``scale`` 1 (``floating_pt``), or
    ``L[u] = NEG_LOG_TABLE[u]`` (about ``-256 ln U``) with ``scale`` 256 in integers (``fixed_pt``). A pair
    with a replica at temperature 0 never swaps. Returns the first index of each pair that swaps.
    """
    t = np.asarray(temperatures)
    e = np.asarray(costs)
    first = np.arange(int(parity), t.size - 1, 2)
    if first.size == 0:
        return first
    ti, tj = t[first], t[first + 1]
    lhs = (tj - ti) * (e[first + 1] - e[first]) * scale
    accept = (ti > 0) & (tj > 0) & (lhs <= ti * tj * np.asarray(noise)[: first.size])
    return first[accept]


def _check_integers(what: str, values: np.ndarray) -> None:
    if values.size and not np.all(values == np.round(values)):
        raise ParameterError(f"{what} must be integers for fixed_pt (scale the QUBO to integer coefficients)")


# -- QUBO: couplings ----------------------------------------------------------------------


class _CouplingBase(SendFirstMixin, PyLoihiProcessModel):
    """Holds the fields ``W x`` (n x replicas); sends the current block's, absorbs its flips.

    A step's flips ``d`` (+-1 per replica and variable of the block) change the
    fields by ``W[:, block] d``. With few flips the update is event-driven: the
    couplings of the flipped variables are gathered (per block, as a table
    padded to the block's largest degree when that wastes little, else from the
    CSR rows) and scatter-added into the fields (``np.add.at``). With many flips
    it is one sparse product over the whole block, accumulated into the fields
    in place.
    Either way the result is the same sum (exact for ``fixed_pt``'s integers).
    """

    fixed = False
    #: the event-driven update is used while it scatters fewer entries than this share of the block product's
    #: multiply-adds (``np.add.at`` costs about 10x a multiply-add of SciPy's product, measured)
    EVENT_SHARE = 1 / 16

    def validate(self) -> None:
        self._prepare()

    def on_var_set(self, name: str) -> None:
        if name == "weights":
            self._prepare()

    def _prepare(self) -> None:
        w = sp.csr_matrix(self.weights)
        if self.fixed:
            _check_integers(f"ReplicaCoupling {self.process.name!r}: weights", w.data)
        dtype = self._dtype = np.int64 if self.fixed else np.float64
        self._w = sp.csr_matrix(w, dtype=dtype)
        self._w.sort_indices()
        b = self.proc_params["blocks"]
        self._bounds = [(int(lo), int(hi)) for lo, hi in zip(b[:-1], b[1:])]
        r, width = self.process.s_in.shape
        self._r, self._width = r, width
        wt = self._w.T.tocsr()  # row j: the couplings of variable j (column j of W)
        wt.sort_indices()
        self._blk: list[sp.csr_matrix] = []  # per block: W[:, block] (n x width), for the product
        self._rows: list[sp.csr_matrix] = []  # per block: its variables' couplings (width x n), CSR
        self._table: list[tuple[np.ndarray, np.ndarray] | None] = []  # the same, padded: (column * r, value)
        self._per_flip: list[float] = []  # entries an event-driven update touches per flip
        self._event_max: list[float] = []
        for lo, hi in self._bounds:
            rows = wt[lo:hi]
            blk = sp.csr_matrix(rows.T)
            blk.sort_indices()
            self._blk.append(blk)
            self._rows.append(rows)
            deg = np.diff(rows.indptr)
            dmax = int(deg.max()) if deg.size else 0
            table = None
            if 0 < dmax * (hi - lo) <= 2 * rows.nnz + (hi - lo):
                owner = np.repeat(np.arange(hi - lo), deg)
                pos = np.arange(rows.nnz) - rows.indptr[owner]
                idx = np.zeros((hi - lo, dmax), np.int64)
                val = np.zeros((hi - lo, dmax), dtype)
                idx[owner, pos] = rows.indices.astype(np.int64) * r
                val[owner, pos] = rows.data
                table = (idx, val)
            self._table.append(table)
            self._per_flip.append(float(dmax if table is not None else max(rows.nnz / max(hi - lo, 1), 1.0)))
            self._event_max.append(self.EVENT_SHARE * rows.nnz * r)
        self._matvecs = _scipy_kernel.csr_matvecs()
        self._x = np.zeros((width, r), dtype)  # the flips of a block, transposed, for the product
        self._out = np.zeros((r, width), self._dtype)
        self.field = np.ascontiguousarray(self.field, dtype=self._dtype)

    def _block(self) -> int:
        return (self.time_step - 1) % len(self._bounds)

    def send_spk(self) -> None:
        lo, hi = self._bounds[self._block()]
        out = self._out
        out[:, : hi - lo] = self.field[lo:hi].T
        self.a_out.send(out)

    def recv_spk(self) -> None:
        d = self.s_in.recv()
        self._flips = d  # (what the loihi emulator's model counts; see caldera_optim.models.loihi)
        c = self._block()
        lo, hi = self._bounds[c]
        k = np.count_nonzero(d[:, : hi - lo])  # (a SIMD count: far cheaper than nonzero, which only events need)
        if k == 0:
            return
        fld = self.field.reshape(-1)  # a view: field is C-contiguous, variable-major
        if k * self._per_flip[c] <= self._event_max[c]:
            rep, j = np.nonzero(d[:, : hi - lo])
            v = d[rep, j]
            table = self._table[c]
            if table is not None:
                idx = table[0][j]
                idx += rep[:, None]
                val = table[1][j]
                val *= v[:, None]
                idx, val = idx.reshape(-1), val.reshape(-1)
            else:
                owner, col, data = gather_rows(self._rows[c], j)
                idx = col.astype(np.int64) * self._r + rep[owner]
                val = data * v[owner]
            np.add.at(fld, idx, val)
            return
        x = self._x[: hi - lo]
        np.copyto(x, d[:, : hi - lo].T)
        blk = self._blk[c]
        if self._matvecs is not None:
            self._matvecs(blk.shape[0], hi - lo, self._r, blk.indptr, blk.indices, blk.data, x.reshape(-1), fld)
        else:
            self.field += blk @ x


@implements(proc=ReplicaCoupling, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyReplicaCouplingFloat(_CouplingBase):
    s_in = LavaPyType(PyInPort.VEC_DENSE, np.int8)
    a_out = LavaPyType(PyOutPort.VEC_DENSE, np.float64)
    weights = LavaPyType(CSR_MATRIX, np.float64)
    field = LavaPyType(np.ndarray, np.float64)


@implements(proc=ReplicaCoupling, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyReplicaCouplingFixed(_CouplingBase):
    fixed = True
    s_in = LavaPyType(PyInPort.VEC_DENSE, np.int8)
    a_out = LavaPyType(PyOutPort.VEC_DENSE, np.int64)
    weights = LavaPyType(CSR_MATRIX, np.int64)
    field = LavaPyType(np.ndarray, np.int64)


# -- QUBO: neurons ------------------------------------------------------------------------
class _NeuronsBase(PyLoihiProcessModel):
    """One block of variables per step, across all replicas, in a handful of whole-block array operations.

    Besides ``state`` the model keeps, per block, the signs ``1 - 2 x`` of its
    variables as one contiguous array, so that the energy changes are one
    product with the received fields, a flip is a sign change, the flips sent
    are the old signs where a flip was accepted and the new ``x`` is ``sign < 0``.
    The Metropolis noise is drawn for many steps at once.
    """

    schedule = "recv_first"
    fixed = False
    #: random numbers drawn at once (for this many proposals, rounded to whole steps)
    NOISE_BATCH = 1 << 17

    def validate(self) -> None:
        pp = self.proc_params
        name = f"AnnealingBinaryNeurons {self.process.name!r}"
        self._diag = np.asarray(pp["diag"], np.float64)
        self._w = sp.csr_matrix(pp["couplings"], dtype=np.float64)
        self._t_hot, self._t_cold = float(pp["t_hot"]), float(pp["t_cold"])
        if self.fixed:
            _check_integers(f"{name}: diag", self._diag)
            _check_integers(f"{name}: couplings", self._w.data)
            for k in ("t_hot", "t_cold"):
                _check_integers(f"{name}: {k}", np.asarray(pp[k]))
            self._diag = self._diag.astype(np.int64)
        self._dtype = np.int64 if self.fixed else np.float64
        self._anneal = int(np.asarray(self.anneal_steps).reshape(-1)[0])
        self._quench = bool(np.asarray(self.quench).reshape(-1)[0])
        self._refract = int(pp["refract"])
        self._ladder = np.asarray(pp.get("ladder", np.ones(self.state.shape[0])), np.float64)
        self._graded = bool(np.any(self._ladder != 1.0))  # replicas at temperatures of their own
        self._exchange_every = int(pp.get("exchange_every", 0))
        self._xrng = np.random.default_rng([int(pp["seed"]), 4])  # the exchanges' own draws
        self.rung = np.asarray(self.rung, np.int64)
        self.exchange_stats = np.asarray(self.exchange_stats, np.int64)
        self._rng = np.random.default_rng([int(pp["seed"]), 2])
        r, n = self.state.shape
        self._r, self._n = r, n
        self.state = np.ascontiguousarray(self.state, np.int8)
        b = pp["blocks"]
        self._bounds = [(int(lo), int(hi)) for lo, hi in zip(b[:-1], b[1:])]
        self._sgn = [np.empty((r, hi - lo), self._dtype) for lo, hi in self._bounds]  # 1 - 2x, per block
        self.on_var_set("state")
        adj = (abs(self._w) + abs(self._w.T)).tocsr()
        adj.setdiag(0)
        adj.eliminate_zeros()
        # blocks whose variables are coupled among themselves need the conflict check: a few random
        # orderings of the block, each as the sparse matrix of "neighbour j outranks i"
        order_rng = np.random.default_rng([int(pp["seed"]), 3])
        self._upper: list[list[sp.csr_matrix] | None] = []
        for lo, hi in self._bounds:
            sub = adj[lo:hi, lo:hi].tocoo()
            if sub.nnz == 0:
                self._upper.append(None)
                continue
            mats = []
            for _ in range(8):
                rank = order_rng.permutation(hi - lo)
                keep = rank[sub.col] > rank[sub.row]
                mats.append(
                    sp.csr_matrix(
                        (np.ones(int(keep.sum()), np.float32), (sub.row[keep], sub.col[keep])), shape=sub.shape
                    )
                )
            self._upper.append(mats)
        r, width = self.process.a_in.shape
        self._outs = [np.zeros((r, width), np.int8) for _ in self._bounds]  # per block: its padding stays 0
        self._dcost = np.empty(r, self._dtype)
        self._better = np.empty(r, bool)
        self._best_is_state = False  # whether best_state == state in every replica (then a step copies a block)
        # per block, (r, block width) views of the step's work arrays, made once
        de, te, acc, d = (np.empty(r * width, self._dtype) for _ in range(4))
        mask = np.empty(r * width, bool)
        self._views = []
        for (lo, hi), out in zip(self._bounds, self._outs):
            shape = (r, hi - lo)
            size = shape[0] * shape[1]
            self._views.append(
                (
                    de[:size].reshape(shape),
                    te[:size].reshape(shape),
                    mask[:size].reshape(shape),
                    acc[:size].reshape(shape),
                    d[:size].reshape(shape),
                    out[:, : hi - lo],
                    self._diag[lo:hi],
                )
            )
        self._noise = np.empty(max(self.NOISE_BATCH // (r * width), 1) * r * width, self._noise_dtype)
        self._noise_pos = self._noise.size
        if self.time_step == 0:
            self._init_cost()

    def _init_cost(self) -> None:
        """The initial states' costs (later steps add the cost change of each flip)."""
        x = self.state.astype(np.float64)
        h = np.asarray((self._w @ x.T).T)
        cost = x @ self._diag + 0.5 * np.einsum("ij,ij->i", x, h)
        self.cost = np.rint(cost).astype(np.int64) if self.fixed else cost
        self.best_cost = np.full(x.shape[0], np.inf)  # states count once a step has made them

    def on_var_set(self, name: str) -> None:
        if name == "quench":
            self._quench = bool(np.asarray(self.quench).reshape(-1)[0])
        elif name == "anneal_steps":
            a = int(np.asarray(self.anneal_steps).reshape(-1)[0])
            if a < 1:
                raise ParameterError(f"AnnealingBinaryNeurons {self.process.name!r}: anneal_steps must be >= 1")
            self._anneal = a
        elif name in ("state", "best_state"):
            self._best_is_state = False
            if name == "state":
                for (lo, hi), s in zip(self._bounds, self._sgn):
                    np.subtract(1, 2 * self.state[:, lo:hi], out=s, dtype=self._dtype)

    def temperature_at(self, t: int) -> float:
        """Geometric cooling from t_hot to t_cold over anneal_steps steps, then reheating.

        The last 2 % of a cycle (when it has at least 100 steps) run at zero
        temperature: a greedy descent that leaves every replica in a local minimum.
        """
        if self._quench:
            return 0.0
        a = self._anneal
        k = (t - 1) % a
        if a == 1 or self._t_hot == self._t_cold:
            return self._t_cold if a == 1 else self._t_hot
        if a >= 100 and k >= a - a // 50:
            return 0.0
        a = a - a // 50 if a >= 100 else a
        frac = k / (a - 1)
        if self._t_cold == 0.0:  # cool to t_hot/1000 and then quench to zero (greedy descent)
            return 0.0 if frac >= 1 else self._t_hot * (1e-3**frac)
        return self._t_hot * (self._t_cold / self._t_hot) ** frac

    def cycle_fraction(self, t: int) -> float:
        """How far step ``t`` is into its cooling cycle: 0 at the start, 1 from the end of the cooling on."""
        a = self._anneal
        if a == 1:
            return 1.0
        k = (t - 1) % a
        a = a - a // 50 if a >= 100 else a
        return min(k / (a - 1), 1.0) if a > 1 else 1.0

    def replica_temperatures(self, t: int) -> np.ndarray:
        """Each replica's temperature in step ``t``: the schedule's times its rung's ladder factor.

        The factors shrink to 1 as the cycle cools (``ladder ** (1 - cycle_fraction)``), so that every
        replica ends the cycle at ``t_cold``: early on the ladder spans its full range.
        """
        base = _NeuronsBase.temperature_at(self, t)
        if base <= 0.0:
            return np.zeros(self._r)
        return base * self._ladder[self.rung] ** (1.0 - self.cycle_fraction(t))

    def _exchange(self, temps: np.ndarray) -> None:
        """One round of replica exchange: replicas on neighbouring rungs swap rungs (``exchange_pairs``).

        Rounds alternate between the pairs of rungs ``(0, 1), (2, 3), ...`` and ``(1, 2), (3, 4), ...``;
        every round draws one noise value per pair (whether or not a pair can swap).
        """
        st = self.exchange_stats
        parity = int(st[0]) % 2
        st[0] += 1
        r = self._r
        n_pairs = (r - parity) // 2
        if n_pairs < 1:
            return
        noise = self._swap_noise(n_pairs)
        inv = np.empty(r, np.int64)
        inv[self.rung] = np.arange(r)  # inv[k]: the replica on rung k
        acc = exchange_pairs(temps[inv], self.cost[inv], noise, parity, 256 if self.fixed else 1)
        st[1] += n_pairs
        st[2] += acc.size
        if acc.size:
            a, b = inv[acc], inv[acc + 1]
            self.rung[a] = acc + 1
            self.rung[b] = acc

    def _next_noise(self, size: int) -> np.ndarray:
        """``size`` values of the Metropolis noise, from a batch drawn for many steps at once."""
        pos = self._noise_pos
        if pos + size > self._noise.size:
            self._fill_noise(self._noise)
            pos = 0
        self._noise_pos = pos + size
        return self._noise[pos : pos + size]

    def run_spk(self) -> None:
        c = (self.time_step - 1) % len(self._bounds)
        lo, hi = self._bounds[c]
        sgn = self._sgn[c]
        de, te, accept, acc, d, out_block, diag = self._views[c]
        x = self.state[:, lo:hi]
        t_now = self.temperature_at(self.time_step)
        np.add(self.a_in.recv()[:, : hi - lo], diag, out=de)
        de *= sgn  # dE = (1 - 2x)(q_ii + h)
        t_rep = None
        if self._graded:
            t_rep = self.replica_temperatures(self.time_step)
            self.replica_temperature[:] = t_rep
            hot = t_rep > 0
            if hot.all():
                self._propose(de, t_rep[:, None], accept, te)
            elif hot.any():  # (the same draws, then the replicas at zero temperature take only downhill flips)
                self._propose(de, t_rep[:, None], accept, te)
                accept[~hot] = de[~hot] < 0
            else:
                self._propose(de, 0, accept, te)
        else:
            self.replica_temperature[:] = t_now
            self._propose(de, t_now, accept, te)
        if self._refract:
            ref = self.refractory
            accept &= ref[:, lo:hi] == 0
            np.subtract(ref, 1, out=ref, where=ref > 0)
        if self._upper[c] is not None and accept.any():
            flat = self._resolve_conflicts(np.flatnonzero(accept), accept, self._upper[c])
            accept[...] = False
            accept.reshape(-1)[flat] = True
        # (same-type whole-block arithmetic throughout: masked or mixed-type ufuncs are several times slower)
        np.copyto(acc, accept)  # 1 where a flip was accepted
        np.multiply(sgn, acc, out=d)  # the flips: the old sign (+1 where x turns 1) where accepted, else 0
        np.copyto(out_block, d, casting="unsafe")
        sgn -= d
        sgn -= d
        np.bitwise_xor(x, accept.view(np.int8), out=x)
        dcost = self._dcost
        np.vecdot(de, acc, out=dcost)
        self.cost += dcost
        if self._refract:
            ref[:, lo:hi][accept] = self._rng.integers(0, self._refract + 1, int(accept.sum()))
        better = np.less(self.cost, self.best_cost, out=self._better)
        k = np.count_nonzero(better)
        if k == self._r:  # (common while cooling: whole copies are cheaper than row gathers)
            np.copyto(self.best_cost, self.cost)
            if self._best_is_state:  # only this block's variables changed since
                self.best_state[:, lo:hi] = x
            else:
                np.copyto(self.best_state, self.state)
            self._best_is_state = True
        elif k:
            rows = np.flatnonzero(better)
            self.best_cost[rows] = self.cost[rows]
            self.best_state[rows] = self.state[rows]
            self._best_is_state = False
        else:
            self._best_is_state = False
        self.temperature[0] = t_now
        if self._exchange_every and self.time_step % self._exchange_every == 0:
            self._exchange(self.replica_temperature if t_rep is None else t_rep)
        self.s_out.send(self._outs[c])
        self.cost_out.send(self.cost)

    def _resolve_conflicts(self, flat: np.ndarray, propose: np.ndarray, uppers: list) -> np.ndarray:
        """Keep a proposal only if no coupled proposal in the same replica outranks it.

        ``uppers`` holds a few random orderings of the block; ``up[i]`` lists
        the neighbours that outrank ``i``, so the test is a sparse product (many
        proposals) or a gather over the proposers' neighbours (few).
        """
        if flat.size < 2:
            return flat
        up = uppers[int(self._rng.integers(len(uppers)))]
        r, width = propose.shape
        if flat.size * (up.nnz / width) * 8 > up.nnz * r:
            beaten = (up @ propose.T.astype(np.float32)).T.reshape(-1)
            return flat[beaten[flat] == 0]
        rep, col = np.divmod(flat, width)
        owner, j, _ = gather_rows(up, col)
        if owner.size == 0:
            return flat
        hit = propose.reshape(-1)[rep[owner] * width + j]
        lost = np.bincount(owner[hit], minlength=flat.size) > 0
        return flat[~lost]


@implements(proc=AnnealingBinaryNeurons, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyAnnealingNeuronsFloat(_NeuronsBase):
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.float64)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int8)
    cost_out = LavaPyType(PyOutPort.VEC_DENSE, np.float64)
    state = LavaPyType(np.ndarray, np.int8)
    refractory = LavaPyType(np.ndarray, np.int32)
    cost = LavaPyType(np.ndarray, np.float64)
    best_state = LavaPyType(np.ndarray, np.int8)
    best_cost = LavaPyType(np.ndarray, np.float64)
    temperature = LavaPyType(np.ndarray, np.float64)
    replica_temperature = LavaPyType(np.ndarray, np.float64)
    rung = LavaPyType(np.ndarray, np.int64)
    exchange_stats = LavaPyType(np.ndarray, np.int64)
    anneal_steps = LavaPyType(np.ndarray, np.int64)
    quench = LavaPyType(np.ndarray, np.int8)

    _noise_dtype = np.float64

    def _swap_noise(self, size: int) -> np.ndarray:
        """Standard exponentials ``-ln U`` for the exchange test."""
        return self._xrng.standard_exponential(size)

    def _fill_noise(self, buf: np.ndarray) -> None:
        """``ln(1 - U)`` for uniform ``U`` in [0, 1): minus a standard exponential, finite."""
        self._rng.random(out=buf)
        np.subtract(1.0, buf, out=buf)
        np.log(buf, out=buf)

    def _propose(self, de: np.ndarray, t_now: float, accept: np.ndarray, te: np.ndarray) -> None:
        """Metropolis: accept where ``dE <= T E`` with ``E = -ln(1 - U)`` standard exponential."""
        if np.ndim(t_now) == 0 and t_now <= 0.0:
            np.less(de, 0, out=accept)
            return
        np.multiply(self._next_noise(de.size).reshape(de.shape), np.negative(t_now), out=te)
        np.less_equal(de, te, out=accept)


@implements(proc=AnnealingBinaryNeurons, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyAnnealingNeuronsFixed(_NeuronsBase):
    fixed = True
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int64)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int8)
    cost_out = LavaPyType(PyOutPort.VEC_DENSE, np.int64)
    state = LavaPyType(np.ndarray, np.int8)
    refractory = LavaPyType(np.ndarray, np.int32)
    cost = LavaPyType(np.ndarray, np.int64)
    best_state = LavaPyType(np.ndarray, np.int8)
    best_cost = LavaPyType(np.ndarray, np.float64)
    temperature = LavaPyType(np.ndarray, np.int64)
    replica_temperature = LavaPyType(np.ndarray, np.int64)
    rung = LavaPyType(np.ndarray, np.int64)
    exchange_stats = LavaPyType(np.ndarray, np.int64)
    anneal_steps = LavaPyType(np.ndarray, np.int64)
    quench = LavaPyType(np.ndarray, np.int8)

    _noise_dtype = np.int64

    def _swap_noise(self, size: int) -> np.ndarray:
        """``L[u]`` for uniform 8-bit ``u``: the integer exchange test (see ``exchange_pairs``)."""
        return NEG_LOG_TABLE[self._xrng.integers(0, 256, size, dtype=np.uint8)]

    def temperature_at(self, t: int) -> float:
        return int(np.floor(super().temperature_at(t)))

    def replica_temperatures(self, t: int) -> np.ndarray:
        """Integer temperatures: the floor of the schedule's (unrounded) temperature times the ladder factor."""
        return np.floor(super().replica_temperatures(t)).astype(np.int64)

    def _fill_noise(self, buf: np.ndarray) -> None:
        """``L[u]`` for uniform 8-bit ``u`` (see the module docstring)."""
        np.take(NEG_LOG_TABLE, self._rng.integers(0, 256, buf.size, dtype=np.uint8), out=buf)

    def _propose(self, de: np.ndarray, t_now: float, accept: np.ndarray, tl: np.ndarray) -> None:
        """Integer Metropolis: accept where ``256 dE <= T L[u]``."""
        if np.ndim(t_now) == 0:
            if t_now <= 0:
                np.less(de, 0, out=accept)
                return
            t_now = int(t_now)
        np.multiply(self._next_noise(de.size).reshape(de.shape), t_now, out=tl)
        np.less_equal(de * 256, tl, out=accept)


# -- QUBO: cost tracking ------------------------------------------------------------------
class _TrackerBase(PyLoihiProcessModel):
    schedule = "recv_first"

    def validate(self) -> None:
        self._target = float(self.proc_params["target"])
        self._t0: float | None = None
        self._len = int(self.proc_params["trace_len"])
        self._min: float | None = None  # best_cost.min(), kept up to date

    def on_var_set(self, name: str) -> None:
        if name == "best_cost":
            self._min = None

    def run_spk(self) -> None:
        if self._t0 is None:
            self._t0 = time.perf_counter()
        c = np.asarray(self.cost_in.recv(), np.float64)
        better = c < self.best_cost
        if better.any():
            self.best_cost[better] = c[better]
            self.best_step[better] = self.time_step
            self.best_time[better] = time.perf_counter() - self._t0
            self._min = self.best_cost.min()
            if self._min <= self._target:
                self.reached[0] = 1
        elif self._min is None:
            self._min = self.best_cost.min()
        self.trace[(self.time_step - 1) % self._len] = self._min


@implements(proc=CostTracker, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyCostTracker(_TrackerBase):
    cost_in = LavaPyType(PyInPort.VEC_DENSE, np.float64)
    best_cost = LavaPyType(np.ndarray, np.float64)
    best_step = LavaPyType(np.ndarray, np.int64)
    best_time = LavaPyType(np.ndarray, np.float64)
    trace = LavaPyType(np.ndarray, np.float64)
    reached = LavaPyType(np.ndarray, np.int8)


@implements(proc=CostTracker, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyCostTrackerFixed(PyCostTracker):
    """The same host-side bookkeeping for integer costs (a separate class so fixed-point backends accept it)."""


MODELS = [
    PyReplicaCouplingFloat,
    PyReplicaCouplingFixed,
    PyAnnealingNeuronsFloat,
    PyAnnealingNeuronsFixed,
    PyCostTracker,
    PyCostTrackerFixed,
]

__all__ = ["MODELS", "NEG_LOG_TABLE", "exchange_pairs", "gather_rows"] + [m.__name__ for m in MODELS]
