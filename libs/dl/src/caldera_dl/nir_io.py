"""NIR (the Neuromorphic Intermediate Representation, PyPI ``nir``): import graphs as caldera processes, export back.

NIR describes neurons as continuous-time equations; a simulator picks a time
step ``dt``. caldera-dl uses forward Euler with ``dt = 1e-4`` by default, the
step snnTorch exports and imports with, so an snnTorch network exported to NIR
runs here with snnTorch's own spikes:

- ``CubaLIF`` (``tau_syn dI/dt = -I + w_in x``, ``tau_mem dv/dt = v_leak - v + r I``) →
  caldera ``LIF`` with ``du = dt / tau_syn``, ``dv = dt / tau_mem``; the input scale
  ``w_in dt / tau_syn`` goes into the incoming weights, and ``v``'s gain
  ``c = r dt / tau_mem`` is divided out of the threshold and the bias
  ``v_leak dt / tau_mem``.
- ``LIF`` (``tau dv/dt = v_leak - v + r x``) → ``LIF`` with ``du = 1`` (no current state),
  ``dv = dt / tau`` and ``r dt / tau`` in the incoming weights.
- ``IF`` (``dv/dt = r x``) → ``LIF`` with ``du = 1``, ``dv = 0``, ``r dt`` in the incoming weights.
- ``LI`` (``tau dv/dt = v_leak - v + r x``, no spikes) → a ``LIF`` that never fires
  (``vth`` 2**60) whose ``v`` is the readout: ``net.readout`` lists them (an LI may
  only feed ``Output``).
- ``Threshold`` → ``LIF`` with ``du = dv = 1``: a spike where the input exceeds the
  threshold, no state.
- ``Linear`` / ``Affine`` → ``Dense`` (an Affine bias feeding a neuron without a current
  state becomes its ``bias_mant``), ``Conv2d`` → ``Conv``, ``SumPool2d`` / ``AvgPool2d``
  → a grouped ``Conv``, ``Flatten`` → Lava's ``transpose``/``flatten`` virtual ports,
  ``Delay`` (a whole number of steps) next to a ``Linear``/``Affine`` → ``DelayDense``
  (before the synapse: per input, after it: per output),
  ``Input`` / ``Output`` → the network's ``inp`` / ``out``.
- Cycles (recurrent weights: a neuron → synapse → the same neuron) and neurons fed by
  several synapses are wired as they are; nested ``NIRGraph`` nodes (snnTorch's
  recurrent layers) are inlined as ``name.child``.

Neurons reset to 0 (``v_reset`` must be 0), as caldera's LIF does; every
synapse adds caldera's one-step delay (so constant inputs — biases, ``v_leak`` —
also act in the steps before a layer's first input arrives). Anything else
(``Scale``, ``I``, ``CubaLI``, ``Conv1d``, a synapse feeding a synapse, an LI
feeding a neuron, a Delay of a fraction of a step, …) is reported: all unsupported
nodes in one error, and nothing is built.

Export (:func:`to_nir`): caldera-dl blocks of CubaLIF neurons (dense, conv, pool,
flatten; axonal delays as ``Delay`` nodes; recurrent blocks as a cycle), and
caldera networks of any topology (found by walking the port connections from the
network's layers): ``Dense`` → ``Linear``, ``DelayDense`` → ``Linear`` + ``Delay``
(delays per output or per input), ``Conv`` → ``Conv2d``, Lava's flatten ports →
``Flatten``, and each ``LIF`` as the node whose import it is (``du = 1, dv = 0``:
``IF``; ``du = dv = 1``: ``Threshold``; ``du = 1``: ``LIF``, or ``LI`` for a readout;
else ``CubaLIF``).
"""

from __future__ import annotations

import os
import typing as ty

import numpy as np
from caldera.errors import ParameterError

from caldera_dl import netx

DT = 1e-4
SYNAPSES = ("Linear", "Affine", "Conv2d", "SumPool2d", "AvgPool2d")
NEURONS = ("LIF", "CubaLIF", "IF", "LI", "Threshold")
PASS = ("Flatten", "Delay")  # nodes that only reshape or delay: folded into the synapse next to them
NO_CURRENT = ("LIF", "IF", "LI", "Threshold")  # neurons without a current state: an Affine bias is a v bias
LI_VTH = 2.0**60  # an LI neuron never reaches it


class NIRError(ParameterError):
    """A NIR graph caldera cannot run: lists every unsupported node."""


def _load(graph: ty.Any):
    import nir

    if isinstance(graph, (str, os.PathLike)):
        return nir.read(graph)
    if not isinstance(graph, nir.NIRGraph):
        raise NIRError(f"from_nir: expected a nir.NIRGraph or a path to a NIR file, got {type(graph).__name__}")
    return graph


def _arr(x: ty.Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _shape_of(io_type: ty.Any) -> tuple[int, ...]:
    if isinstance(io_type, dict):
        io_type = next(iter(io_type.values()))
    return tuple(int(s) for s in np.asarray(io_type).reshape(-1))


def _pair(v: ty.Any) -> tuple[int, int]:
    v = np.asarray(v).reshape(-1)
    return (int(v[0]), int(v[0])) if v.size == 1 else (int(v[0]), int(v[1]))


def _flatten_subgraphs(nodes: dict, edges: list) -> tuple[dict, list]:
    """Nested ``NIRGraph`` nodes (e.g. snnTorch's recurrent layers) inlined as ``name.child`` nodes."""
    import nir

    subs = {k: v for k, v in nodes.items() if isinstance(v, nir.NIRGraph)}
    if not subs:
        return nodes, edges
    out_nodes = {k: v for k, v in nodes.items() if k not in subs}
    out_edges = []
    ins, outs = {}, {}
    for name, sub in subs.items():
        sn, se = _flatten_subgraphs(dict(sub.nodes), list(sub.edges))
        for k, v in sn.items():
            if type(v).__name__ not in ("Input", "Output"):
                out_nodes[f"{name}.{k}"] = v
        # edges through the subgraph's Input / Output nodes become edges to and from their neighbours
        ins[name] = [f"{name}.{b}" for a, b in se if type(sn[a]).__name__ == "Input"]
        outs[name] = [f"{name}.{a}" for a, b in se if type(sn[b]).__name__ == "Output"]
        out_edges += [
            (f"{name}.{a}", f"{name}.{b}")
            for a, b in se
            if type(sn[a]).__name__ != "Input" and type(sn[b]).__name__ != "Output"
        ]
    for a, b in edges:
        srcs = outs.get(a.split(".")[0], [a]) if a.split(".")[0] in subs and a not in out_nodes else [a]
        dsts = ins.get(b.split(".")[0], [b]) if b.split(".")[0] in subs and b not in out_nodes else [b]
        out_edges += [(x, y) for x in srcs for y in dsts]
    return out_nodes, out_edges


def from_nir(graph: ty.Any, *, dt: float = DT, input_shape: ty.Sequence[int] | None = None) -> netx.Network:
    """Caldera processes (``floating_pt``) for a NIR graph or file; returns a :class:`caldera_dl.netx.Network`.

    Cycles (recurrent connections) are fine: every synapse is a caldera
    connection with its one-step delay, so a neuron's spikes come back the next
    step. An ``LI`` readout has no spikes: ``net.readout`` lists its LIF processes,
    whose ``v`` holds the leaky integral (probe it).
    """
    from caldera.procs import LIF, Conv, DelayDense, Dense

    g = _load(graph)
    nodes, edges = _flatten_subgraphs(dict(g.nodes), list(g.edges))
    succ: dict[str, list[str]] = {k: [] for k in nodes}
    pred: dict[str, list[str]] = {k: [] for k in nodes}
    for a, b in edges:
        if a not in nodes or b not in nodes:
            raise NIRError(f"from_nir: edge ({a!r}, {b!r}) names a node the graph does not have")
        succ[a].append(b)
        pred[b].append(a)
    kinds = {k: type(v).__name__ for k, v in nodes.items()}
    bad = []

    def through(k: str, direction: dict) -> list[tuple[str, bool, float]]:
        """Neighbours past Flatten / Delay nodes: (node, a Flatten on the way, the delays on the way in time)."""
        out = []
        for n in direction[k]:
            if kinds.get(n) in PASS:
                d = _arr(nodes[n].delay) if kinds[n] == "Delay" else 0.0
                out += [(m, f or kinds[n] == "Flatten", dd + d) for m, f, dd in through(n, direction)]
            else:
                out.append((n, False, 0.0))
        return out

    for k, kind in kinds.items():
        if kind not in (*SYNAPSES, *NEURONS, *PASS, "Input", "Output"):
            bad.append(f"{k!r} ({kind})")
        elif kind in ("LIF", "CubaLIF", "IF"):
            n = nodes[k]
            if getattr(n, "v_reset", None) is not None and np.any(_arr(n.v_reset) != 0):
                bad.append(f"{k!r} ({kind} with v_reset != 0)")
        elif kind == "Delay":
            steps = _arr(nodes[k].delay) / dt
            if np.any(steps < 0) or np.any(np.abs(steps - np.round(steps)) > 1e-6 * np.maximum(1, steps)):
                bad.append(f"{k!r} (Delay of {nodes[k].delay} s: not a whole number of steps of dt={dt})")
    for k, kind in kinds.items():
        if kind in SYNAPSES:
            targets = through(k, succ)
            for n, _, _d in targets:
                if kinds[n] not in NEURONS and kinds[n] != "Output":
                    bad.append(f"{k!r} ({kind} feeding {kinds[n]} {n!r}: a synapse must feed neurons)")
            neurons = [n for n, _, _ in targets if kinds[n] in NEURONS]
            if not targets:
                bad.append(f"{k!r} ({kind} feeding nothing)")
            elif len(neurons) > 1:
                bad.append(f"{k!r} ({kind} feeding {len(neurons)} neuron nodes; caldera's synapse feeds one)")
            delayed = any(np.any(d) for _, _, d in targets + through(k, pred))
            if delayed and kind not in ("Linear", "Affine"):
                bad.append(f"{k!r} (Delay next to {kind}: only Linear / Affine synapses take delays)")
            if any(np.any(d) for _, _, d in through(k, pred)) and len(pred[k]) > 1:
                bad.append(f"{k!r} ({kind} with a Delay before it and several sources)")
        if kind in NEURONS:
            feeders = through(k, pred)
            if not feeders or any(kinds[f] not in SYNAPSES for f, _, _ in feeders):
                what = ", ".join(f"{kinds[f]} {f!r}" for f, _, _ in feeders) or "nothing"
                bad.append(f"{k!r} ({kind} fed by {what}; caldera feeds neurons through synapses)")
            if kind == "LI":
                for n, _, _ in through(k, succ):
                    if kinds[n] != "Output":
                        bad.append(f"{k!r} (LI feeding {kinds[n]} {n!r}: an LI is a readout, it sends no spikes)")
        if kind == "Affine":
            for n, _, _ in through(k, succ):
                if kinds[n] == "CubaLIF" and np.any(_arr(nodes[k].bias) != 0):
                    bad.append(f"{k!r} (Affine with a bias feeding CubaLIF {n!r}: a constant synaptic current)")
        if kind == "Delay":
            around = [kinds[n] for n, _, _ in through(k, pred) + through(k, succ)]
            if not any(a in SYNAPSES for a in around):
                bad.append(f"{k!r} (Delay not next to a synapse)")
    if bad:
        raise NIRError(f"from_nir: caldera cannot run these NIR nodes: {'; '.join(sorted(set(bad)))}")

    # shapes (torch layout (N,) or (C, H, W)) of every node's output, through cycles
    shapes: dict[str, tuple[int, ...]] = {}
    inputs = [k for k in nodes if kinds[k] == "Input"]
    for k in inputs:
        shapes[k] = tuple(input_shape) if input_shape is not None else _shape_of(nodes[k].input_type)
    geometry: dict[str, dict] = {}
    for _ in range(len(nodes) + 1):
        changed = False
        for k, kind in kinds.items():
            if k in shapes:
                continue
            known = [shapes[p] for p in pred[k] if p in shapes]
            if kind in ("Linear", "Affine"):
                shapes[k] = (int(_arr(nodes[k].weight).shape[0]),)
            elif not known:
                continue
            elif kind in NEURONS or kind in ("Delay", "Output"):
                shapes[k] = known[0]
            elif kind == "Flatten":
                shapes[k] = (int(np.prod(known[0])),)
            else:  # Conv2d / pooling
                src = known[0]
                if len(src) != 3:
                    raise NIRError(f"from_nir: {k!r} ({kind}) needs a (C, H, W) input, gets {src}")
                c, h, wd = src
                node = nodes[k]
                if kind == "Conv2d":
                    w = _arr(node.weight)
                    stride, pad, dil = _pair(node.stride), _pair(node.padding), _pair(node.dilation)
                    kh, kw, cout = w.shape[2], w.shape[3], w.shape[0]
                else:
                    (kh, kw), stride, pad, dil, cout = (
                        _pair(node.kernel_size),
                        _pair(node.stride),
                        _pair(node.padding),
                        (1, 1),
                        c,
                    )
                oh = (h + 2 * pad[0] - dil[0] * (kh - 1) - 1) // stride[0] + 1
                ow = (wd + 2 * pad[1] - dil[1] * (kw - 1) - 1) // stride[1] + 1
                shapes[k] = (cout, oh, ow)
                geometry[k] = dict(src=src, stride=stride, pad=pad, dil=dil, kh=kh, kw=kw)
            changed = True
        if not changed:
            break
    missing = [k for k in nodes if k not in shapes and kinds[k] != "Output"]
    if missing:
        raise NIRError(f"from_nir: cannot work out the shapes of {missing} (no path from an Input)")

    def caldera_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
        return shape[::-1] if len(shape) == 3 else shape

    # synapses
    procs: dict[str, ty.Any] = {}
    for k, kind in kinds.items():
        if kind not in SYNAPSES:
            continue
        node = nodes[k]
        sources = through(k, pred)
        if kind in ("Linear", "Affine"):
            w = _arr(node.weight)
            n_in = int(np.prod(shapes[pred[k][0]]))
            if w.ndim != 2 or w.shape[1] != n_in:
                raise NIRError(f"from_nir: {k!r} ({kind}) has weight {w.shape}; its input gives {n_in} values")
            d_out = sum((d for _, _, d in through(k, succ)), 0.0)
            d_in = sum((d for _, _, d in sources), 0.0)
            if np.any(d_out) or np.any(d_in):
                do = np.broadcast_to(_arr(d_out).reshape(-1), (w.shape[0],))
                di = np.broadcast_to(_arr(d_in).reshape(-1), (w.shape[1],))
                steps = np.rint((do[:, None] + di[None, :]) / dt).astype(np.int64)
                procs[k] = DelayDense(
                    weights=w.copy(), delays=steps, max_delay=max(int(steps.max()), 1), name=f"nir_{k}"
                )
            else:
                procs[k] = Dense(weights=w.copy(), num_message_bits=0, name=f"nir_{k}")
        else:
            geo = geometry[k]
            c, h, wd = geo["src"]
            if kind == "Conv2d":
                w = _arr(node.weight)
                if np.any(_arr(node.bias) != 0):
                    raise NIRError(f"from_nir: {k!r} (Conv2d with a bias) is not supported")
                weight = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(0, 3, 2, 1))
                groups = int(node.groups)
            else:
                val = 1.0 / (geo["kh"] * geo["kw"]) if kind == "AvgPool2d" else 1.0
                weight = np.full((c, geo["kw"], geo["kh"], 1), val)
                groups = c
            procs[k] = Conv(
                weight=weight,
                input_shape=(wd, h, c),
                stride=geo["stride"][::-1],
                padding=geo["pad"][::-1],
                dilation=geo["dil"][::-1],
                groups=groups,
                name=f"nir_{k}",
            )

    # neurons
    blocks: list[netx.Block] = []
    readout = []
    for k, kind in kinds.items():
        if kind not in NEURONS:
            continue
        node = nodes[k]
        feeders = [f for f, _, _ in through(k, pred)]
        shape = shapes[k]
        cshape = caldera_shape(shape)

        def full(x: ty.Any, shape: tuple[int, ...] = shape) -> np.ndarray:
            a = _arr(x)
            a = a.reshape(shape) if a.size == int(np.prod(shape)) else np.broadcast_to(a, shape)
            return a.transpose(2, 1, 0) if len(shape) == 3 else a

        ones = np.ones(cshape)
        zeros = np.zeros(cshape)
        if kind == "CubaLIF":
            du = dt / full(node.tau_syn)
            dv = dt / full(node.tau_mem)
            w_scale = full(node.w_in) * du
            gain = full(node.r) * dv
            vth, leak = full(node.v_threshold), full(node.v_leak)
        elif kind in ("LIF", "LI"):
            du, dv = ones, dt / full(node.tau)
            w_scale, gain = full(node.r) * dv, ones
            vth = full(node.v_threshold) if kind == "LIF" else ones * LI_VTH
            leak = full(node.v_leak)
        elif kind == "IF":  # dv/dt = r x: v += dt r x
            du, dv = ones, zeros
            w_scale, gain = full(node.r) * dt, ones
            vth, leak = full(node.v_threshold), zeros
        else:  # Threshold: a spike where the input exceeds the threshold, no state
            du, dv, w_scale, gain = ones, ones, ones, ones
            vth, leak = full(node.threshold), zeros
        vth = vth / gain
        bias = leak * dv / gain
        for f in feeders:
            if kinds[f] == "Affine" and kind in NO_CURRENT:
                b = _arr(nodes[f].bias)
                bias = bias + (b.reshape(cshape) if b.size > 1 else b) * w_scale / gain
        for name, val in (("du", du), ("dv", dv), ("vth", vth)):
            if np.ptp(val) > 1e-12 * max(1.0, float(np.abs(val).max())):
                raise NIRError(f"from_nir: {k!r} ({kind}) has per-neuron {name}; caldera's LIF takes one value")
        for f in feeders:
            _scale_synapse(procs[f], w_scale)
        lif = LIF(
            shape=cshape,
            du=float(du.reshape(-1)[0]),
            dv=float(dv.reshape(-1)[0]),
            vth=float(vth.reshape(-1)[0]),
            bias_mant=bias if np.any(bias != 0) else 0,
            name=f"nir_{k}",
        )
        procs[k] = lif
        if kind == "LI":
            readout.append(lif)
        for f in feeders:
            procs[f].a_out.connect(lif.a_in)
        syn = procs[feeders[0]]
        blocks.append(netx.Block(len(blocks), kind, cshape, lif, syn, inp=syn.s_in, out=lif.s_out))

    # connections into the synapses
    net_inp = None
    for k, kind in kinds.items():
        if kind not in SYNAPSES:
            continue
        p = procs[k]
        for s, flat, _ in through(k, pred):
            if kinds[s] == "Input":
                net_inp = net_inp or p.s_in
            elif kinds[s] in NEURONS:
                port = procs[s].s_out
                if flat and len(port.shape) == 3:
                    port.transpose([2, 1, 0]).flatten().connect(p.s_in)
                else:
                    port.connect(p.s_in)
    if not blocks:
        raise NIRError("from_nir: the graph has no neurons")
    outputs = [k for k in nodes if kinds[k] == "Output"]
    net = netx.Network(blocks, source="NIR graph", input_shape=None)
    if net_inp is not None:
        net.inp = net_inp
        net.in_layer = next((b for b in blocks if b.inp is net_inp), blocks[0])
    outs = [procs[p] for k in outputs for p, _, _ in through(k, pred) if kinds.get(p) in NEURONS]
    if outs:
        net.out = outs[0].s_out
        net.out_layer = next(b for b in blocks if b.neuron is outs[0])
    net.readout = readout
    in_shapes = [shapes[k] for k in inputs]
    net.input_shape = caldera_shape(in_shapes[0]) if in_shapes else None
    return net


def _scale_synapse(syn: ty.Any, scale: np.ndarray) -> None:
    """Multiply each output row of a Dense / each output channel of a Conv by the neuron's input scale."""
    s = np.asarray(scale)
    if type(syn).__name__ in ("Dense", "DelayDense"):
        w = np.asarray(syn.weights.init, dtype=np.float64) * s.reshape(-1, 1)
        syn.weights.init = w
        syn.proc_params["weights"] = w
    else:  # Conv: one scale per output channel (neurons (X, Y, C))
        per_c = s.reshape(-1, s.shape[-1])[0] if s.ndim == 3 else s.reshape(-1)
        if s.ndim == 3 and np.ptp(s.reshape(-1, s.shape[-1]), axis=0).max() > 0:
            raise NIRError(f"from_nir: {syn.name}: the neurons after a convolution need one input scale per channel")
        w = np.asarray(syn.weight.init, dtype=np.float64) * per_c.reshape(-1, 1, 1, 1)
        syn.weight.init = w
        syn.proc_params["weight"] = w


# -- export ---------------------------------------------------------------------------------------------------
def _cuba(shape: tuple[int, ...], cd: float, vd: float, th: float, bias: ty.Any, dt: float, w_in_scale: float = 1.0):
    import nir

    if cd <= 0 or vd <= 0:
        raise NIRError(f"to_nir: decays must be > 0 to be written as NIR time constants (got du={cd}, dv={vd})")
    tau_syn, tau_mem = dt / cd, dt / vd
    ones = np.ones(shape)
    b = np.zeros(shape) if bias is None else np.broadcast_to(np.asarray(bias, dtype=np.float64), shape)
    return nir.CubaLIF(
        tau_syn=ones * tau_syn,
        tau_mem=ones * tau_mem,
        r=ones * (tau_mem / dt),
        v_leak=b * (tau_mem / dt),
        v_threshold=ones * th,
        v_reset=np.zeros(shape),
        w_in=ones * (tau_syn / dt) * w_in_scale,
    )


def _init(proc: ty.Any, name: str) -> np.ndarray:
    return np.asarray(getattr(proc, name).init, dtype=np.float64)


def _neuron_node(lif: ty.Any, dt: float):
    """The NIR node whose import is this floating_pt LIF (IF, Threshold, LI, LIF or CubaLIF, by its parameters)."""
    import nir

    shape = tuple(lif.shape)
    p = {k: _init(lif, k).reshape(-1) for k in ("du", "dv", "vth")}
    for k, v in p.items():
        if np.ptp(v) > 0:
            raise NIRError(f"to_nir: {lif.name}: per-neuron {k}; NIR export takes one value per population")
    du, dv, vth = (float(p[k][0]) for k in ("du", "dv", "vth"))
    if du > 1 or dv > 1:
        raise NIRError(f"to_nir: {lif.name} holds fixed_pt integers; export the floating_pt network")
    bias = np.broadcast_to(_init(lif, "bias_mant"), shape)

    def torch_layout(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a.transpose(2, 1, 0)) if a.ndim == 3 else a

    tshape = shape[::-1] if len(shape) == 3 else shape
    tones, tbias = np.ones(tshape), torch_layout(np.asarray(bias))
    if du == 1 and dv == 0:
        if np.any(bias != 0):
            raise NIRError(
                f"to_nir: {lif.name}: an integrate-and-fire neuron with a bias has no NIR node (IF has none)"
            )
        return nir.IF(r=tones / dt, v_threshold=tones * vth, v_reset=np.zeros(tshape))
    if du == 1 and dv == 1 and vth < LI_VTH:
        if np.any(bias != 0):
            raise NIRError(f"to_nir: {lif.name}: a stateless threshold with a bias has no NIR node")
        return nir.Threshold(threshold=tones * vth)
    if du == 1 and 0 < dv < 1:
        tau, r, leak = tones * (dt / dv), tones / dv, tbias / dv
        if vth >= LI_VTH:
            return nir.LI(tau=tau, r=r, v_leak=leak)
        return nir.LIF(tau=tau, r=r, v_leak=leak, v_threshold=tones * vth, v_reset=np.zeros(tshape))
    return _cuba(tshape, du, dv, vth, tbias, dt)


def _source(port: ty.Any) -> tuple[ty.Any, bool]:
    """The OutPort feeding ``port`` (an InPort's first incoming connection) through virtual ports; and whether a
    transpose + flatten (Lava's flatten of an (X, Y, C) population) lies on the way."""
    from caldera.ports import OutPort, ReshapePort, TransposePort

    flat = False
    p = port
    while True:
        if not p.in_connections:
            return None, flat
        q = p.in_connections[0]
        if isinstance(q, OutPort):
            return q, flat
        if isinstance(q, (ReshapePort, TransposePort)) and q.side == "out":
            flat = flat or isinstance(q, ReshapePort) and len(q.shape) == 1
            p = q
            continue
        if isinstance(q, (ReshapePort, TransposePort)):  # a view in front of an InPort: keep walking back
            p = q
            continue
        raise NIRError(f"to_nir: {port.qualified_name} is fed through a {type(q).__name__}; NIR has no such node")


def _export_processes(model: ty.Any, dt: float) -> tuple[dict, list]:
    """NIR nodes and edges of a caldera network of Dense / DelayDense / Conv synapses and LIF neurons, any topology
    (recurrent connections included), found by walking the port connections from the network's layers."""
    import nir
    from caldera.ports import OutPort
    from caldera.procs import LIF, Conv, DelayDense, Dense

    def name(p: ty.Any) -> str:
        return p.name.replace(".", "_")

    nodes: dict = {}
    edges: list = []
    from collections import deque

    todo = deque(p for b in model.layers for p in b.processes)  # in layer order: the graph lists nodes that way
    seen: set[int] = set()
    inputs: list = []
    while todo:
        proc = todo.popleft()
        if id(proc) in seen:
            continue
        seen.add(id(proc))
        kind = type(proc).__name__
        if kind in ("LIF", "LIFReset") and isinstance(proc, LIF):
            nodes[name(proc)] = _neuron_node(proc, dt)
            for q in proc.a_in.in_connections:
                src = q
                while not isinstance(src, OutPort) and src.in_connections:
                    src = src.in_connections[0]
                syn = src.process if isinstance(src, OutPort) else None
                if syn is None or not isinstance(syn, (Dense, Conv)):
                    raise NIRError(f"to_nir: {proc.name} is fed by {src!r}; NIR export takes synapses before neurons")
                todo.append(syn)
                d = None
                if isinstance(syn, DelayDense):
                    d = _init(syn, "delays")
                    rows = np.all(d == d[:, :1], axis=1).all()
                    if np.any(d) and rows:
                        dn = f"{name(syn)}_delay"
                        nodes[dn] = nir.Delay(delay=d[:, 0] * dt)
                        edges += [(name(syn), dn), (dn, name(proc))]
                        continue
                edges.append((name(syn), name(proc)))
        elif isinstance(proc, (Dense, Conv)):
            if isinstance(proc, Conv):
                from caldera.procs.conv import make_tuple

                w = _init(proc, "weight")  # (out, W, H, in_group), a true convolution
                pp = proc.proc_params
                xin, yin, cin = pp["input_shape"]
                nodes[name(proc)] = nir.Conv2d(
                    input_shape=(int(yin), int(xin)),
                    weight=np.ascontiguousarray(w.transpose(0, 3, 2, 1)[:, :, ::-1, ::-1]),
                    stride=make_tuple(pp.get("stride", 1))[::-1],  # caldera's (X, Y) -> NIR's (H, W)
                    padding=make_tuple(pp.get("padding", 0))[::-1],
                    dilation=make_tuple(pp.get("dilation", 1))[::-1],
                    groups=int(pp.get("groups", 1)),
                    bias=np.zeros(w.shape[0]),
                )
            else:
                nodes[name(proc)] = nir.Linear(weight=_init(proc, "weights"))
            src, flat = _source(proc.s_in)
            pre = name(proc)
            if isinstance(proc, DelayDense):
                d = _init(proc, "delays")
                if np.any(d) and not np.all(d == d[:, :1]):
                    if not np.all(d == d[:1, :]):
                        raise NIRError(
                            f"to_nir: {proc.name}: delays vary by both input and output; NIR's Delay node gives one "
                            f"delay per neuron"
                        )
                    dn = f"{name(proc)}_in_delay"
                    nodes[dn] = nir.Delay(delay=d[0] * dt)
                    edges.append((dn, pre))
                    pre = dn
            if flat:
                fn = f"{name(proc)}_flatten"
                shape = tuple(src.shape) if src is not None else None
                tshape = shape[::-1] if shape is not None and len(shape) == 3 else shape
                nodes[fn] = nir.Flatten(input_type={"input": np.asarray(tshape)}, start_dim=0, end_dim=-1)
                edges.append((fn, pre))
                pre = fn
            if src is not None and isinstance(src.process, LIF):
                edges.append((name(src.process), pre))
                todo.append(src.process)
            else:
                inputs.append((pre, proc.s_in.shape if not flat else src.shape))
        else:
            raise NIRError(f"to_nir: {proc.name} is a {kind}; NIR export takes Dense, DelayDense, Conv and LIF")
    if not inputs:
        raise NIRError("to_nir: no synapse takes the network's input")
    shape = inputs[0][1]
    nodes["input"] = nir.Input(input_type={"input": np.asarray(shape[::-1] if len(shape) == 3 else shape)})
    edges += [("input", pre) for pre, _ in inputs]
    out = model.out.process if hasattr(model.out, "process") else None
    if out is not None and name(out) in nodes:
        oshape = tuple(model.out.shape)
        nodes["output"] = nir.Output(output_type={"output": np.asarray(oshape[::-1] if len(oshape) == 3 else oshape)})
        edges.append((name(out), "output"))
    return nodes, edges


def to_nir(model: ty.Any, *, dt: float = DT, path: str | os.PathLike | None = None):
    """A NIR graph of a caldera-dl network (``caldera_dl.block.Network``) or of caldera processes
    (a :class:`caldera_dl.netx.Network` in ``floating_pt``, e.g. from ``to_processes`` or ``from_nir``).

    Written to ``path`` too when given (``nir.write``).
    """
    import nir

    from caldera_dl import block as B

    nodes: dict = {}
    edges: list = []
    if isinstance(model, B.Network):
        if model.input_shape is None:
            raise NIRError("to_nir: the model needs input_shape")
        shape = tuple(model.input_shape)
        nodes["input"] = nir.Input(input_type={"input": np.asarray(shape)})
        prev = "input"
        for i, blk in enumerate(model.blocks):
            if isinstance(blk, B.Flatten):
                nodes[f"{i}"] = nir.Flatten(input_type={"input": np.asarray(shape)}, start_dim=0, end_dim=-1)
                shape = (int(np.prod(shape)),)
                edges.append((prev, f"{i}"))
                prev = f"{i}"
                continue
            n = blk.neuron
            from caldera_dl.neuron import CubaLIF

            if type(n) is not CubaLIF or n.refractory or n.quantize:
                raise NIRError(f"to_nir: block {i} ({type(blk).__name__} with {type(n).__name__}) has no NIR form here")
            cd, vd = (float(x) for x in n.decays())
            bias = None if n.bias is None else n.bias.detach().double().numpy()
            scale = 1.0
            if isinstance(blk, B.Dense):
                syn = nir.Linear(weight=blk.synapse.weight.detach().double().numpy())
                shape = (blk.out_features,)
            elif isinstance(blk, B.Conv):
                s = blk.synapse
                syn = nir.Conv2d(
                    input_shape=tuple(shape[1:]),
                    weight=s.weight.detach().double().numpy(),
                    stride=s.stride,
                    padding=s.padding,
                    dilation=s.dilation,
                    groups=s.groups,
                    bias=np.zeros(s.out_channels),
                )
                shape = (s.out_channels, *blk.output_hw(shape[1:]))
            else:
                kh, kw = blk.kernel_size
                syn = nir.SumPool2d(
                    kernel_size=np.asarray(blk.kernel_size), stride=np.asarray(blk.stride), padding=np.asarray([0, 0])
                )
                shape = (shape[0], (shape[1] - kh) // blk.stride[0] + 1, (shape[2] - kw) // blk.stride[1] + 1)
                scale = blk.pool_weight
            nodes[f"{i}_syn"] = syn
            nodes[f"{i}"] = _cuba(shape, cd, vd, n.threshold, bias, dt, scale)
            edges.append((prev, f"{i}_syn"))
            if getattr(blk, "delay", None) is not None:  # axonal delays: a Delay node between synapse and neuron
                nodes[f"{i}_delay"] = nir.Delay(delay=blk.delay.steps().cpu().numpy().astype(np.float64) * dt)
                edges += [(f"{i}_syn", f"{i}_delay"), (f"{i}_delay", f"{i}")]
            else:
                edges.append((f"{i}_syn", f"{i}"))
            if isinstance(blk, B.RecurrentDense):  # the cycle: neuron -> recurrent weights -> neuron
                nodes[f"{i}_rec"] = nir.Linear(weight=blk.recurrent.weight.detach().double().numpy())
                edges += [(f"{i}", f"{i}_rec"), (f"{i}_rec", f"{i}")]
            prev = f"{i}"
        nodes["output"] = nir.Output(output_type={"output": np.asarray(shape)})
        edges.append((prev, "output"))
    elif isinstance(model, netx.Network):
        nodes, edges = _export_processes(model, dt)
    else:
        raise NIRError(
            f"to_nir: expected a caldera_dl.block.Network or a caldera_dl.netx.Network, got {type(model).__name__}"
        )
    graph = nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    if path is not None:
        nir.write(path, graph)
    return graph


__all__ = ["from_nir", "to_nir", "NIRError", "DT"]
