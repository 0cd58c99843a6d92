"""``tag="fixed_pt"`` on ``backend="loihi"``: a Nengo model split between the emulated chip and the host.

As nengo-loihi does it:

- **Build**: Nengo's builder makes every parameter, except that decoders are solved against the rates the
  chip's neurons actually fire at (:func:`loihi_rates`: the refractory period and the inter-spike interval
  rounded to whole steps, ``tau_rc`` as the 12-bit decay realises it), as nengo-loihi's solver does.
- **Chip**: every ensemble (``nengo.LIF`` or ``nengo.SpikingRectifiedLinear``) becomes a block of Loihi
  compartments (:class:`~caldera_nengo.loihi_procs.NengoLIF`: ``refractory_delay = round(tau_ref/dt) + 1``,
  voltage floor from ``min_voltage``). A connection between ensembles becomes one ``Dense`` synapse whose
  weights fold decoders, transform and the post ensemble's encoders and gains (nengo-loihi's full-weight
  path; nengo-loihi's default instead relays decoded values through on/off "decode neurons"). Each block has
  one synaptic filter: the longest ``Lowpass`` tau among its inputs (nengo-loihi's rule, with a warning),
  ``0.005`` s (nengo-loihi's ``decode_tau``) where none is given. Everything is then quantized by
  :mod:`caldera_nengo.discretize`.
- **Host**: Nodes and what they connect to run in a host-side Nengo model (caldera-nengo's own kernels) inside
  one caldera process, :class:`~caldera_nengo.loihi_procs.NengoHost`. A value sent to the chip is filtered
  by its connection's synapse on the host and encoded as spikes by a pair of on/off integrate-and-fire neurons
  per dimension (nengo-loihi's input encoding: each fires at up to one spike per step, ``0.5 (1 +- x) / dt``
  Hz); on the chip those spikes reach the ensemble through its encoders with ``decode_tau``'s filter. The
  chip's spikes come back to the host each step, where decoders (for connections to Nodes and for probes of
  decoded values) are applied and the synapses filter.
- **Learning**: a ``nengo.PES`` connection runs on the host (nengo-loihi supports PES only, too): the pre
  ensemble's chip spikes come back each step, and the connection is built by Nengo's own connection and PES
  builders (:meth:`LoihiPlan.host_model`, decoders from the chip-rate solve), so its update is Nengo's; into an
  Ensemble its output goes to the chip spike-encoded, as host values do. Other rules are a BuildError.
- **Passthrough Nodes** fed only by ensembles are folded into the chip synapses of the paths through them
  (nengo-loihi removes them too); one that is probed or read by the host also stays there.
- **Rounding**: a synapse with a negative weight exponent sums, then shifts right, which floors; where inputs
  arrive every step that is a steady negative current. Each such synapse gets one more input axon that spikes
  every step with weight ``2**(-e-1)``, which turns the floor into rounding (host inputs: an extra axon from
  the host; chip synapses: from a one-compartment clock neuron that fires every step).
- **Timing**: the chip's synapses deliver a spike one step after it was sent (Loihi's pipeline), so values
  sent from the host reach the neurons one step later than in ``nengo.Simulator``.

Objects that cannot be mapped raise ``nengo.exceptions.BuildError`` naming them, at build time.
"""

from __future__ import annotations

import typing as ty
import warnings

import nengo
import numpy as np
from caldera.procs.dense import Dense as ChipDense
from nengo.builder import Builder, Model
from nengo.builder.connection import get_eval_points, get_targets
from nengo.exceptions import BuildError
from nengo.solvers import NoSolver, Solver
from nengo.transforms import Dense, NoTransform

from caldera_nengo.discretize import BlockQuantization, decays, discretize_block
from caldera_nengo.loihi_procs import NengoHost, NengoLIF

#: the filter of a block with no Lowpass input, and of the host's inputs on the chip (nengo-loihi's decode_tau)
DECODE_TAU = 0.005
CHIP_NEURONS = (nengo.LIF, nengo.SpikingRectifiedLinear)
CHIP_PROBES = (
    "decoded_output of an Ensemble, spikes (or output) and voltage of Ensemble.neurons, anything of a Node, "
    "a learned connection and its learning rule"
)


# -- the rates the chip fires at -------------------------------------------------------------------
def loihi_rates(neuron_type: ty.Any, x: np.ndarray, gain: np.ndarray, bias: np.ndarray, dt: float) -> np.ndarray:
    """Firing rates of Loihi compartments configured for ``neuron_type`` at inputs ``x`` (Nengo's ``rates``
    signature plus ``dt``): the inter-spike interval is a whole number of steps."""
    j = neuron_type.current(x, gain, bias)
    out = np.zeros_like(j)
    if type(neuron_type) is nengo.SpikingRectifiedLinear:
        on = j > 0
        out[on] = (neuron_type.amplitude / dt) / np.ceil(1.0 / (j[on] * dt))
        return out
    # LIF: the refractory period in whole steps, tau_rc as its rounded 12-bit decay realises it
    tau_ref = dt * np.round(neuron_type.tau_ref / dt)
    decay = np.round(-np.expm1(-dt / neuron_type.tau_rc) * 4095) / 4095
    tau_rc = -dt / np.log1p(-decay)
    j = j - 1
    on = j > 0
    period = tau_ref + tau_rc * np.log1p(1.0 / j[on])
    out[on] = (neuron_type.amplitude / dt) / np.ceil(period / dt)
    return out


def _build_loihi_solver(model: Model, solver: Solver, conn: nengo.Connection, rng: np.random.RandomState):
    """Nengo's decoder build (eval points, targets, solver) with activities from :func:`loihi_rates`."""
    if solver.weights:
        raise BuildError(f"{conn}: solvers with weights=True are not supported with tag='fixed_pt'")
    built = model.params[conn.pre_obj]
    eval_points = get_eval_points(model, conn, rng)
    targets = get_targets(conn, eval_points, dtype=nengo.rc.float_dtype)
    x = np.dot(eval_points, built.encoders.T / conn.pre_obj.radius)
    activities = loihi_rates(conn.pre_obj.neuron_type, x, built.gain, built.bias, model.dt)
    if np.count_nonzero(activities) == 0:
        raise BuildError(f"Building {conn}: 'activities' matrix is all zero for {conn.pre_obj}")
    decoders, info = conn.solver(activities, targets, rng=rng)
    # kept for the host, which builds a learned connection again (the decoders it starts from)
    model.__dict__.setdefault("_caldera_loihi_solved", {})[conn] = (eval_points, decoders.T, info)
    return eval_points, decoders.T, info


def loihi_builder() -> type[Builder]:
    """A Nengo ``Builder`` whose decoders are solved against :func:`loihi_rates`."""
    builders = dict(Builder.builders)
    builders[Solver] = _build_loihi_solver
    builders[NoSolver] = Builder.builders[NoSolver]
    return type("LoihiRatesBuilder", (Builder,), {"builders": builders})


# -- what can be mapped ------------------------------------------------------------------------------
def check_loihi(network: nengo.Network) -> None:
    """Raise BuildError for the first object of ``network`` that cannot run with ``tag='fixed_pt'``."""
    for ens in network.all_ensembles:
        if type(ens.neuron_type) not in CHIP_NEURONS:
            raise BuildError(
                f"{ens}: neuron type {type(ens.neuron_type).__name__} cannot run on the Loihi chip; supported with "
                "tag='fixed_pt': LIF and SpikingRectifiedLinear (other types: tag='floating_pt')"
            )
        if ens.noise is not None:
            raise BuildError(f"{ens}: ensemble noise is not supported on the Loihi chip (tag='fixed_pt')")
    for conn in network.all_connections:
        if conn.learning_rule_type is not None:
            _check_learned(conn)
        on_chip = isinstance(conn.pre_obj, (nengo.Ensemble, nengo.ensemble.Neurons)) or isinstance(
            conn.post_obj, (nengo.Ensemble, nengo.ensemble.Neurons)
        )
        if isinstance(conn.post_obj, nengo.connection.LearningRule):
            _check_learned(conn.post_obj.connection)  # the error's target: a PES rule, on the host
        if on_chip and not isinstance(conn.transform, (Dense, NoTransform)):
            raise BuildError(
                f"{conn}: {type(conn.transform).__name__} transforms are not supported on the Loihi chip "
                "(tag='fixed_pt'); supported: Dense and no transform"
            )
        chip_post = isinstance(conn.post_obj, (nengo.Ensemble, nengo.ensemble.Neurons))
        if (
            chip_post
            and conn.learning_rule_type is None
            and conn.synapse is not None
            and type(conn.synapse) is not nengo.Lowpass
        ):
            raise BuildError(
                f"{conn}: synapse {conn.synapse} cannot be a Loihi compartment's filter; supported on connections "
                "into ensembles with tag='fixed_pt': nengo.Lowpass and None"
            )
    for probe in network.all_probes:
        _probe_kind(probe)


#: why each rule other than PES cannot run with tag='fixed_pt' (what it would have to change on the chip)
_RULE_REASONS = {
    "weights": "it learns neuron-to-neuron weights, which live in the chip's synapses (on-chip learning is not "
    "emulated)",
    "encoders": "it learns the post ensemble's encoders, which are folded into the chip's synapse weights (on-chip "
    "learning is not emulated)",
}


def _rules(conn: nengo.Connection) -> list:
    rt = conn.learning_rule_type
    if isinstance(rt, dict):
        return list(rt.values())
    return list(rt) if isinstance(rt, (list, tuple)) else [rt]


def _check_learned(conn: nengo.Connection) -> None:
    """A learned connection runs with tag='fixed_pt' where its rule is PES on decoders: the pre ensemble on the
    chip, its decoders and Nengo's PES update on the host (as nengo-loihi supports PES only)."""
    for rule in _rules(conn):
        if type(rule) is not nengo.PES:
            why = _RULE_REASONS.get(
                rule.modifies, "nengo-loihi, whose split tag='fixed_pt' follows, learns with PES only"
            )
            raise BuildError(
                f"{conn}: learning rule {type(rule).__name__} cannot run with tag='fixed_pt': {why}. Supported with "
                "tag='fixed_pt': nengo.PES (the pre ensemble on the chip, its decoders and the update on the host); "
                "every rule runs with tag='floating_pt'"
            )
    if isinstance(conn.post_obj, nengo.ensemble.Neurons) or conn.solver.weights:
        what = "a weight solver" if conn.solver.weights else "Ensemble.neurons as post"
        raise BuildError(
            f"{conn}: PES into neurons ({what}: neuron-to-neuron weights and a per-neuron error through the post "
            "ensemble's encoders) cannot run with tag='fixed_pt'; supported: PES from an Ensemble or its Neurons "
            "into an Ensemble or a Node"
        )


def _probe_kind(probe: nengo.Probe) -> str:
    obj = probe.obj
    if isinstance(obj, nengo.Node):
        return "node"
    if isinstance(obj, nengo.Connection) and obj.learning_rule_type is not None:
        return "host"  # a learned connection runs on the host
    if isinstance(obj, nengo.connection.LearningRule):
        return "host"
    if isinstance(obj, nengo.Ensemble) and probe.attr == "decoded_output":
        return "decoded"
    if isinstance(obj, nengo.ensemble.Neurons) and probe.attr in ("output", "spikes"):
        return "spikes"
    if isinstance(obj, nengo.ensemble.Neurons) and probe.attr == "voltage":
        return "voltage"
    raise BuildError(
        f"{probe}: probing {probe.attr!r} of {obj} is not supported with tag='fixed_pt'; supported: {CHIP_PROBES}"
    )


# -- the plan: host model, chip blocks and their quantization -------------------------------------
class Recv:
    """Chip spikes of one ensemble as a host Node: Nengo's spike values (``amplitude / dt``) each step; or
    (``voltage=True``) its voltages, in units of the threshold as Nengo's (the scale is set once quantized)."""

    def __init__(self, ens: nengo.Ensemble, dt: float, voltage: bool = False) -> None:
        self.ens = ens
        self.voltage = voltage
        self.size = ens.n_neurons
        self.scale = 1.0 if voltage else ens.neuron_type.amplitude / dt
        self.value = np.zeros(self.size)

    def receive(self, spikes: np.ndarray) -> None:
        np.multiply(spikes, self.scale, out=self.value)

    def __call__(self, t: float) -> np.ndarray:
        return self.value


class Send:
    """A host value spike-encoded for the chip: per dimension an on and an off integrate-and-fire neuron
    (voltage ``+= 0.5 (1 +- x)`` per step, a spike and ``-= 1`` at 1, at most one spike per step)."""

    def __init__(self, dim: int, label: str, scale: float = 1.0) -> None:
        self.dim = dim
        self.label = label
        self.scale = scale  # the input times scale is the value encoded (1 / radius where the host sends values)
        self.voltage = np.zeros(2 * dim)
        self.rounding = False  # one more axon, always spiking: the synapse's rounding offset
        self.reset()

    def __str__(self) -> str:
        return f"host ({self.label})"

    @property
    def size(self) -> int:
        return 2 * self.dim + self.rounding

    def reset(self) -> None:
        self.voltage[:] = 0
        self.spikes = np.zeros(self.size, dtype=bool)
        self.spikes[2 * self.dim :] = True

    def __call__(self, t: float, x: np.ndarray) -> None:
        v = self.voltage
        if self.scale != 1.0:
            x = x * self.scale
        v[: self.dim] += 0.5 * (1 + x)
        v[self.dim :] += 0.5 * (1 - x)
        np.maximum(v, 0, out=v)
        on = self.spikes[: 2 * self.dim]
        np.greater_equal(v, 1, out=on)
        v[on] -= 1
        np.minimum(v, 1, out=v)  # one spike per step: what cannot be sent is not kept


class Block:
    """One ensemble on the chip: its floating-point inputs (weights per spike, tau) and, once quantized,
    its integers."""

    def __init__(self, ens: nengo.Ensemble) -> None:
        self.ens = ens
        self.inputs: list[tuple[ty.Any, np.ndarray, float]] = []  # (source, weights (n, n_src), tau)
        self.q: BlockQuantization | None = None
        self.refractory_delay = 1
        self.vmin = 0
        self.v0: np.ndarray | None = None
        self.rounded: list[bool] = []  # per input: a chip synapse whose shift is made to round by the clock


def _matrix(w: ty.Any, rows: int, cols: int) -> np.ndarray:
    """A connection's built weights as a (rows, cols) matrix (None: identity; scalar or vector: diagonal)."""
    if w is None:
        return np.eye(rows, cols)
    w = np.asarray(w, dtype=np.float64)
    if w.ndim == 0:
        return float(w) * np.eye(rows, cols)
    if w.ndim == 1:
        return np.diag(w)
    return w


def _indices(n: int, sl: ty.Any) -> np.ndarray:
    return np.arange(n)[sl]


class LoihiPlan:
    """How a network runs with ``tag='fixed_pt'``: built from ``model`` (the full build, made with
    :func:`loihi_builder`), a host Nengo network, the chip blocks, and the processes made from them."""

    def __init__(self, network: nengo.Network, model: Model) -> None:
        self.network = network
        self.model = model
        self.dt = model.dt
        self.blocks: dict[nengo.Ensemble, Block] = {ens: Block(ens) for ens in network.all_ensembles}
        self.recvs: list[Recv] = []
        self.sends: list[Send] = []
        self.probe_alias: dict[nengo.Probe, nengo.Probe] = {}  # the user's probe -> the host probe
        self._recv_of: dict[tuple[nengo.Ensemble, bool], tuple[Recv, nengo.Node]] = {}
        self.send_targets: list[tuple[Send, nengo.Ensemble, int]] = []  # (send, post ensemble, input index)
        # learned connections, built on the host: conn -> (pre ensemble, its spikes' Node, the post's Send Node)
        self.learned: dict[nengo.Connection, tuple[nengo.Ensemble, nengo.Node, nengo.Node | None]] = {}
        self._learned_send: dict[nengo.Ensemble, nengo.Node] = {}
        probe_conns = {
            k.post_obj: k
            for k in model.params
            if isinstance(k, nengo.Connection) and isinstance(k.post_obj, nengo.Probe)
        }
        host = nengo.Network(label=f"host of {network}", seed=network.seed, add_to_container=False)
        self.host_network = host
        self._fold_passthrough(network)
        off_host = {n for n in self.folded if n not in self.host_passthrough}
        host.nodes.extend(n for n in network.all_nodes if n not in off_host)
        with host:
            for conn in network.all_connections:
                post_chip = isinstance(conn.post_obj, (nengo.Ensemble, nengo.ensemble.Neurons))
                if conn.learning_rule_type is not None:
                    self._learned(conn)
                elif post_chip and conn.pre_obj in self.folded and self._foldable(conn):
                    self._through(conn)
                elif conn.post_obj not in off_host:
                    self._connection(conn)
            for probe in network.all_probes:
                kind = _probe_kind(probe)
                if kind in ("node", "host"):
                    host.probes.append(probe)
                elif kind in ("spikes", "voltage"):
                    _, node = self._recv(probe.obj.ensemble, voltage=kind == "voltage")
                    target = node if probe.slice is None else node[probe.slice]
                    self.probe_alias[probe] = nengo.Probe(
                        target, synapse=probe.synapse, sample_every=probe.sample_every
                    )
                else:
                    ens = probe.obj
                    _, node = self._recv(ens)
                    dec = model.params[probe_conns[probe]].weights
                    out = nengo.Node(size_in=dec.shape[0], label=f"{probe} decoded")
                    nengo.Connection(node, out, transform=dec, synapse=None)
                    self.probe_alias[probe] = nengo.Probe(out, synapse=probe.synapse, sample_every=probe.sample_every)
        for block in self.blocks.values():
            self._quantize(block)
        for r in self.recvs:
            if r.voltage:  # chip voltage over the chip threshold: Nengo's voltage (threshold 1)
                r.scale = 1.0 / (self.blocks[r.ens].q.vth << 6)

    # -- connections
    def _recv(self, ens: nengo.Ensemble, voltage: bool = False) -> tuple[Recv, nengo.Node]:
        key = (ens, voltage)
        if key not in self._recv_of:
            r = Recv(ens, self.dt, voltage)
            self.recvs.append(r)
            what = "voltages" if voltage else "spikes"
            self._recv_of[key] = (r, nengo.Node(r, size_out=r.size, label=f"{ens} {what}"))
        return self._recv_of[key]

    def _pre_weights(self, conn: nengo.Connection, ens: nengo.Ensemble) -> np.ndarray:
        """(size_out, n_pre): the decoded value (or transformed activity) per unit of Nengo spike value."""
        w = self.model.params[conn].weights
        if isinstance(conn.pre_obj, nengo.Ensemble):
            return np.asarray(w, dtype=np.float64)
        idx = _indices(ens.n_neurons, conn.pre_slice)
        full = np.zeros((conn.size_out, ens.n_neurons))
        full[:, idx] = _matrix(w, conn.size_out, idx.size)
        return full

    def _post_map(self, conn: nengo.Connection, w: np.ndarray, encoded: bool) -> np.ndarray:
        """(n_post, n_src): ``w`` (size_out, n_src) into the post ensemble's neurons' input currents.
        ``encoded``: ``w`` gives values divided by the post ensemble's radius (the host's encoded inputs)."""
        post = conn.post_obj
        if isinstance(post, nengo.Ensemble):
            return self._post_map_ens(post, w, conn.post_slice, encoded)
        built = self.model.params[post.ensemble]
        idx = _indices(post.ensemble.n_neurons, conn.post_slice)
        out = np.zeros((post.ensemble.n_neurons, w.shape[1]))
        np.add.at(out, idx, built.gain[idx, None] * w)
        return out

    def _post_map_ens(self, post: nengo.Ensemble, w: np.ndarray, sl: ty.Any = None, encoded: bool = True):
        """(n_post, n_src): ``w`` (values of ``post``'s dimensions ``sl``) into its neurons' input currents."""
        built = self.model.params[post]
        idx = _indices(post.dimensions, slice(None) if sl is None else sl)
        enc = built.encoders * built.gain[:, None] if encoded else built.scaled_encoders
        return enc[:, idx] @ w

    def _fold_passthrough(self, network: nengo.Network) -> None:
        """Passthrough Nodes fed only by ensembles (directly or through other such Nodes) are folded into the
        chip synapses of the paths through them, as nengo-loihi removes passthrough Nodes, instead of going
        chip -> host -> chip. ``self.folded[node]``: per presynaptic ensemble, the Node's input as
        ``(ensemble, matrix (size_in, n_neurons) in Nengo's units, synapse)``. A path with two synapses, or a
        function on a Node's output, is not folded. A folded Node also stays on the host where it is probed or
        read by the host (``self.host_passthrough``)."""
        chip = (nengo.Ensemble, nengo.ensemble.Neurons)
        ins: dict = {}
        outs: dict = {}
        for c in network.all_connections:
            ins.setdefault(c.post_obj, []).append(c)
            outs.setdefault(c.pre_obj, []).append(c)
        cands = {n for n in network.all_nodes if n.output is None and n in ins}
        folded: dict = {}

        def fold(node, seen=()):
            if node in folded:
                return folded[node]
            if node not in cands or node in seen:
                return None
            terms = []
            for c in ins[node]:
                if c.learning_rule_type is not None:  # learned on the host: the Node stays there
                    return None
                place = _indices(node.size_in, c.post_slice)
                if isinstance(c.pre_obj, chip):
                    pre = c.pre_obj if isinstance(c.pre_obj, nengo.Ensemble) else c.pre_obj.ensemble
                    m = np.zeros((node.size_in, pre.n_neurons))
                    np.add.at(m, place, self._pre_weights(c, pre))
                    terms.append((pre, m, c.synapse))
                    continue
                inner = fold(c.pre_obj, (*seen, node)) if c.function is None else None
                if inner is None:
                    return None
                t = _matrix(self.model.params[c].weights, c.size_out, c.size_mid)
                for pre, m2, syn in inner:
                    if syn is not None and c.synapse is not None:
                        return None
                    m = np.zeros((node.size_in, pre.n_neurons))
                    np.add.at(m, place, t @ m2[_indices(c.pre_obj.size_out, c.pre_slice)])
                    terms.append((pre, m, syn if syn is not None else c.synapse))
            folded[node] = terms
            return terms

        for node in list(cands):
            fold(node)
        self.folded = {n: t for n, t in folded.items() if t is not None}
        probed = {p.obj for p in network.all_probes}
        host = {n for n in self.folded if n in probed}
        changed = True
        while changed:  # a folded Node read by the host (or by a Node kept on the host) stays there too
            changed = False
            for n in self.folded:
                if n in host:
                    continue
                for c in outs.get(n, ()):
                    on_chip = isinstance(c.post_obj, chip) and self._foldable(c)
                    if not on_chip and (c.post_obj not in self.folded or c.post_obj in host):
                        host.add(n)
                        changed = True
                        break
        self.host_passthrough = host

    def _foldable(self, c: nengo.Connection) -> bool:
        """Whether ``c`` (from a folded Node into the chip) can be one chip synapse per presynaptic ensemble."""
        terms = self.folded.get(c.pre_obj)
        return (
            terms is not None
            and c.function is None
            and not any(syn is not None and c.synapse is not None for _, _, syn in terms)
        )

    def _through(self, c: nengo.Connection) -> None:
        """The chip synapses of ``c``, from a folded passthrough Node into an ensemble."""
        t = _matrix(self.model.params[c].weights, c.size_out, c.size_mid)
        post = c.post_obj if isinstance(c.post_obj, nengo.Ensemble) else c.post_obj.ensemble
        for pre, m, syn in self.folded[c.pre_obj]:
            w = t @ m[_indices(c.pre_obj.size_out, c.pre_slice)]
            if not np.any(w):  # this ensemble does not reach this connection's output
                continue
            synapse = syn if syn is not None else c.synapse
            tau = 0.0 if synapse is None else synapse.tau
            spike = pre.neuron_type.amplitude / self.dt
            self.blocks[post].inputs.append((pre, self._post_map(c, w * spike, encoded=False), tau))

    def _connection(self, conn: nengo.Connection) -> None:
        chip = (nengo.Ensemble, nengo.ensemble.Neurons)
        pre_chip = isinstance(conn.pre_obj, chip)
        post_chip = isinstance(conn.post_obj, chip)
        tau = 0.0 if conn.synapse is None else getattr(conn.synapse, "tau", 0.0)
        if not pre_chip and not post_chip:
            self.host_network.connections.append(conn)
        elif pre_chip:
            pre = conn.pre_obj if isinstance(conn.pre_obj, nengo.Ensemble) else conn.pre_obj.ensemble
            w = self._pre_weights(conn, pre)
            if post_chip:
                spike = pre.neuron_type.amplitude / self.dt  # Nengo's spike value; a chip spike is 1
                post = conn.post_obj if isinstance(conn.post_obj, nengo.Ensemble) else conn.post_obj.ensemble
                self.blocks[post].inputs.append((pre, self._post_map(conn, w * spike, encoded=False), tau))
            else:
                _, node = self._recv(pre)
                nengo.Connection(node, conn.post, transform=w, synapse=conn.synapse, label=f"{conn} (host)")
        else:  # host -> chip
            post_is_ens = isinstance(conn.post_obj, nengo.Ensemble)
            post = conn.post_obj if post_is_ens else conn.post_obj.ensemble
            t = _matrix(self.model.params[conn].weights, conn.size_out, conn.size_mid)
            if post_is_ens:  # transform on the host, values in units of the radius
                host_t, chip_t, dim = t / post.radius, np.eye(conn.size_out), conn.size_out
            else:  # into neurons: the transform's output may be large, so it is applied on the chip
                host_t, chip_t, dim = np.eye(conn.size_mid), t, conn.size_mid
            send = Send(dim, f"{conn}")
            self.sends.append(send)
            node = nengo.Node(send, size_in=dim, size_out=0, label=f"{conn} (to chip)")
            kw = {"function": conn.function} if conn.function is not None else {}
            nengo.Connection(conn.pre, node, transform=host_t, synapse=conn.synapse, **kw)
            onoff = np.hstack([chip_t, -chip_t])
            self.blocks[post].inputs.append((send, self._post_map(conn, onoff, encoded=True), DECODE_TAU))

    def _learned(self, conn: nengo.Connection) -> None:
        """A PES-learned connection runs on the host, built by Nengo's own connection and PES builders
        (:meth:`host_model`): its pre ensemble's chip spikes come back each step, the decoders (learning) and
        the connection's synapse are applied there, and the result goes to a host Node, or, for an Ensemble,
        to the chip as host values do (spike-encoded, per unit of the post ensemble's radius)."""
        pre = conn.pre_obj if isinstance(conn.pre_obj, nengo.Ensemble) else conn.pre_obj.ensemble
        _, recv = self._recv(pre)
        send_node = None
        if isinstance(conn.post_obj, nengo.Ensemble):
            post = conn.post_obj
            send_node = self._learned_send.get(post)
            if send_node is None:
                send = Send(post.dimensions, f"learned into {post}", scale=1.0 / post.radius)
                self.sends.append(send)
                send_node = nengo.Node(send, size_in=post.dimensions, size_out=0, label=f"learned into {post}")
                onoff = np.hstack([np.eye(post.dimensions), -np.eye(post.dimensions)])
                block = self.blocks[post]
                block.inputs.append((send, self._post_map_ens(post, onoff), DECODE_TAU))
                self._learned_send[post] = send_node
        self.learned[conn] = (pre, recv, send_node)
        self.host_network.connections.append(conn)

    def host_model(self) -> Model:
        """The host's Nengo model, built: the host network, with each learned connection built by Nengo's own
        builders after its pre ensemble's output (and an Ensemble post's input) are made the host's signals,
        its decoders those of the full build and its seed the full build's."""
        host = Model(dt=self.dt, label=f"host of {self.network}, dt={self.dt:f}", builder=self._host_builder())
        for conn in self.learned:
            host.seeds[conn] = self.model.seeds[conn]
            host.seeded[conn] = self.model.seeded[conn]
        host.build(self.host_network)
        return host

    def _host_builder(self) -> type[Builder]:
        solved = self.model.__dict__.get("_caldera_loihi_solved", {})
        learned = self.learned
        full = self.model

        def build_solver(model, solver, conn, rng):  # the decoders of the full build (solved for the chip)
            return solved[conn]

        def build_connection(model, conn):
            if conn in learned:
                pre, recv, send_node = learned[conn]
                out = model.sig[recv]["out"]
                model.sig[pre]["out"] = out
                model.sig[pre.neurons]["out"] = out
                model.params[pre] = full.params[pre]
                if send_node is not None:
                    model.sig[conn.post_obj]["in"] = model.sig[send_node]["in"]
            return Builder.builders[nengo.Connection](model, conn)

        builders = dict(Builder.builders)
        builders[Solver] = build_solver
        builders[NoSolver] = Builder.builders[NoSolver]
        builders[nengo.Connection] = build_connection
        return type("LoihiHostBuilder", (Builder,), {"builders": builders})

    # -- quantization
    def _quantize(self, block: Block) -> None:
        ens, dt = block.ens, self.dt
        built = self.model.params[ens]
        taus = sorted({tau for _, _, tau in block.inputs})
        if len(taus) > 1:
            warnings.warn(
                f"{ens}: Loihi has one synaptic filter per compartment; its inputs have taus {taus}, using the "
                f"longest, {taus[-1]:g}",
                stacklevel=4,
            )
        tau_s = taus[-1] if taus else DECODE_TAU
        nt = ens.neuron_type
        lif = type(nt) is nengo.LIF
        try:
            decay_u, decay_v, scale_v = decays(tau_s, dt, nt.tau_rc if lif else None)
        except BuildError as e:
            raise BuildError(f"{ens}: {e}") from e
        vth = 1.0 if lif else 1.0 / dt  # SpikingRectifiedLinear: an input of 1 fires 1/dt steps apart (1 Hz)
        block.refractory_delay = int(np.round(getattr(nt, "tau_ref", 0.0) / dt)) + 1
        q = discretize_block(str(ens), decay_u, decay_v, scale_v, vth, built.bias, [w for _, w, _ in block.inputs])
        block.rounded = []
        for i, ((src, _, _), (w, e)) in enumerate(zip(block.inputs, q.synapses)):
            rounded = e <= -2
            if rounded:
                # The synapse sums, then shifts right by -e, which floors: with inputs arriving every step
                # (on/off pairs that mostly cancel, busy populations) that is a steady negative current. An
                # axon that spikes every step with weight 2**(-e-1) (half the last bit kept) makes the shift
                # round: the host's inputs get one more axon, chip synapses one from a neuron that fires
                # every step (the clock, one compartment).
                q.synapses[i] = (np.hstack([w, np.full((w.shape[0], 1), 2 ** (-e - 1), np.int32)]), e)
                if isinstance(src, Send):
                    src.rounding = True
                    src.reset()
            block.rounded.append(rounded and not isinstance(src, Send))
        block.q = q
        min_voltage = getattr(nt, "min_voltage", 0.0)
        vmin = q.v_scale * min_voltage
        block.vmin = -(2 ** int(np.clip(np.round(np.log2(-vmin + 1)), 0, 23))) + 1
        # the initial voltages Nengo drew for this ensemble, in the chip's units (nengo-loihi starts at 0)
        sig = self.model.sig[ens.neurons].get("voltage")
        v0 = np.zeros(ens.n_neurons) if sig is None else np.asarray(sig.initial_value, dtype=np.float64)
        block.v0 = np.floor(np.clip(v0, 0, 1) * (q.vth << 6)).astype(np.int32)

    # -- processes
    def make_processes(self, program: ty.Any) -> NengoHost:
        """Fresh caldera processes (chip state at its initial values), connected; returns the host process."""
        self.program = program
        for s in self.sends:
            s.reset()
        for r in self.recvs:
            r.value[:] = 0
        host = NengoHost(self, name=f"nengo host:{self.network}")
        lifs = {}
        for ens, b in self.blocks.items():
            q = b.q
            lifs[ens] = NengoLIF(
                shape=(ens.n_neurons,),
                v=b.v0,
                du=q.du,
                dv=q.dv,
                bias_mant=q.bias_mant,
                bias_exp=q.bias_exp,
                vth=q.vth,
                refractory_delay=b.refractory_delay,
                vmin=b.vmin,
                voltage_out=any(r.voltage and r.ens is ens for r in self.recvs),
                name=f"{ens}",
            )
        send_index = {id(s): i for i, s in enumerate(self.sends)}
        clock = None
        if any(any(b.rounded) for b in self.blocks.values()):  # fires every step: v = 1 > threshold 0
            clock = NengoLIF(shape=(1,), bias_mant=1, vth=0, name="rounding clock")
        for ens, b in self.blocks.items():
            for (src, _, _), (w, w_exp), rounded in zip(b.inputs, b.q.synapses, b.rounded):
                dense = ChipDense(weights=w, weight_exp=w_exp, name=f"{src} -> {ens}")
                if isinstance(src, Send):
                    getattr(host, f"send_{send_index[id(src)]}").connect(dense.s_in)
                elif rounded:
                    lifs[src].s_out.concat_with([clock.s_out], axis=0).connect(dense.s_in)
                else:
                    lifs[src].s_out.connect(dense.s_in)
                dense.a_out.connect(lifs[ens].a_in)
        for i, r in enumerate(self.recvs):
            (lifs[r.ens].v_out if r.voltage else lifs[r.ens].s_out).connect(getattr(host, f"recv_{i}"))
        self.lifs = lifs
        return host


__all__ = ["LoihiPlan", "check_loihi", "loihi_builder", "loihi_rates"]
