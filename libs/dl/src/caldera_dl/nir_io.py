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
- ``Linear`` / ``Affine`` → ``Dense`` (an Affine bias feeding a ``LIF`` becomes its
  ``bias_mant``), ``Conv2d`` → ``Conv``, ``SumPool2d`` / ``AvgPool2d`` → a grouped
  ``Conv``, ``Flatten`` → Lava's ``transpose``/``flatten`` virtual ports,
  ``Input`` / ``Output`` → the network's ``inp`` / ``out``.

Neurons reset to 0 (``v_reset`` must be 0), as caldera's LIF does; every
synapse adds caldera's one-step delay. Anything else (``Delay``, ``LI``,
``IF``, ``Threshold``, subgraphs, a synapse feeding a synapse, …) is reported:
all unsupported nodes in one error, and nothing is built.
"""

from __future__ import annotations

import os
import typing as ty

import numpy as np
from caldera.errors import ParameterError

from caldera_dl import netx

DT = 1e-4
SYNAPSES = ("Linear", "Affine", "Conv2d", "SumPool2d", "AvgPool2d")
NEURONS = ("LIF", "CubaLIF")


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


def from_nir(graph: ty.Any, *, dt: float = DT, input_shape: ty.Sequence[int] | None = None) -> netx.Network:
    """Caldera processes (``floating_pt``) for a NIR graph or file; returns a :class:`caldera_dl.netx.Network`."""
    from caldera.procs import LIF, Conv, Dense

    g = _load(graph)
    nodes, edges = dict(g.nodes), list(g.edges)
    succ: dict[str, list[str]] = {k: [] for k in nodes}
    pred: dict[str, list[str]] = {k: [] for k in nodes}
    for a, b in edges:
        if a not in nodes or b not in nodes:
            raise NIRError(f"from_nir: edge ({a!r}, {b!r}) names a node the graph does not have")
        succ[a].append(b)
        pred[b].append(a)
    kinds = {k: type(v).__name__ for k, v in nodes.items()}
    bad = []
    for k, kind in kinds.items():
        if kind not in (*SYNAPSES, *NEURONS, "Input", "Output", "Flatten"):
            bad.append(f"{k!r} ({kind})")
        elif kind in NEURONS:
            n = nodes[k]
            if n.v_reset is not None and np.any(_arr(n.v_reset) != 0):
                bad.append(f"{k!r} ({kind} with v_reset != 0)")

    # what feeds each synapse / neuron, skipping Flatten nodes
    def through_flatten(k: str, direction: dict) -> list[tuple[str, bool]]:
        out = []
        for n in direction[k]:
            if kinds.get(n) == "Flatten":
                out += [(m, True) for m, _ in through_flatten(n, direction)]
            else:
                out.append((n, False))
        return out

    for k, kind in kinds.items():
        if kind in SYNAPSES:
            for n, _ in through_flatten(k, succ):
                if kinds[n] not in NEURONS and kinds[n] != "Output":
                    bad.append(f"{k!r} ({kind} feeding {kinds[n]} {n!r}: a synapse must feed neurons)")
            if not succ[k]:
                bad.append(f"{k!r} ({kind} feeding nothing)")
        if kind in NEURONS:
            feeders = through_flatten(k, pred)
            if len(feeders) != 1 or kinds[feeders[0][0]] not in SYNAPSES:
                what = ", ".join(f"{kinds[f]} {f!r}" for f, _ in feeders) or "nothing"
                bad.append(f"{k!r} ({kind} fed by {what}; caldera takes exactly one synapse before a neuron)")
        if kind == "Affine":
            for n, _ in through_flatten(k, succ):
                if kinds[n] == "CubaLIF" and np.any(_arr(nodes[k].bias) != 0):
                    bad.append(f"{k!r} (Affine with a bias feeding CubaLIF {n!r}: a constant synaptic current)")
    if bad:
        raise NIRError(f"from_nir: caldera cannot run these NIR nodes: {'; '.join(sorted(set(bad)))}")

    # topological order
    order, seen = [], set()

    def visit(k: str) -> None:
        if k in seen:
            return
        seen.add(k)
        for p in pred[k]:
            visit(p)
        order.append(k)

    for k in nodes:
        visit(k)
    inputs = [k for k in order if kinds[k] == "Input"]
    shapes: dict[str, tuple[int, ...]] = {}  # torch layout (N,) or (C, H, W), per node output
    for k in inputs:
        shapes[k] = tuple(input_shape) if input_shape is not None else _shape_of(nodes[k].input_type)

    def in_shape(k: str) -> tuple[int, ...]:
        p = pred[k][0]
        return shapes[p]

    blocks: list[netx.Block] = []
    procs: dict[str, ty.Any] = {}  # neuron node -> process; synapse node -> process
    for k in order:
        kind, node = kinds[k], nodes[k]
        if kind == "Flatten":
            shapes[k] = (int(np.prod(in_shape(k))),)
        elif kind == "Output":
            shapes[k] = in_shape(k) if pred[k] else ()
        elif kind in NEURONS:
            syn_key = through_flatten(k, pred)[0][0]
            shape = shapes[syn_key]
            cshape = shape[::-1] if len(shape) == 3 else shape

            def full(x: ty.Any, shape: tuple[int, ...] = shape) -> np.ndarray:
                a = _arr(x)
                a = a.reshape(shape) if a.size == int(np.prod(shape)) else np.broadcast_to(a, shape)
                return a.transpose(2, 1, 0) if len(shape) == 3 else a

            if kind == "CubaLIF":
                du = dt / full(node.tau_syn)
                dv = dt / full(node.tau_mem)
                w_scale = full(node.w_in) * du
                gain = full(node.r) * dv
            else:
                du = np.ones(cshape)
                dv = dt / full(node.tau)
                w_scale = full(node.r) * dv
                gain = np.ones(cshape)
            vth = full(node.v_threshold) / gain
            bias = full(node.v_leak) * dv / gain
            syn = procs[syn_key]
            if kinds[syn_key] == "Affine" and kind == "LIF":
                b = _arr(nodes[syn_key].bias)
                bias = bias + (b.reshape(cshape) if b.size > 1 else b) * w_scale / gain
            for name, val in (("du", du), ("dv", dv), ("vth", vth)):
                if np.ptp(val) > 1e-12 * max(1.0, float(np.abs(val).max())):
                    raise NIRError(f"from_nir: {k!r} ({kind}) has per-neuron {name}; caldera's LIF takes one value")
            # the input scale per neuron goes into the synapse rows (output neurons)
            _scale_synapse(syn, w_scale)
            lif = LIF(
                shape=cshape,
                du=float(du.reshape(-1)[0]),
                dv=float(dv.reshape(-1)[0]),
                vth=float(vth.reshape(-1)[0]),
                bias_mant=bias if np.any(bias != 0) else 0,
                name=f"nir_{k}",
            )
            syn.a_out.connect(lif.a_in)
            procs[k] = lif
            shapes[k] = shape
            blocks.append(netx.Block(len(blocks), kind, cshape, lif, syn, inp=syn.s_in, out=lif.s_out))
        elif kind in SYNAPSES:
            src = in_shape(k)
            flat = any(kinds[p] == "Flatten" for p in pred[k])
            if kind in ("Linear", "Affine"):
                w = _arr(node.weight)
                n_in = int(np.prod(src))
                if w.ndim != 2 or w.shape[1] != n_in:
                    raise NIRError(f"from_nir: {k!r} ({kind}) has weight {w.shape}; its input gives {n_in} values")
                p = Dense(weights=w.copy(), num_message_bits=0, name=f"nir_{k}")
                shapes[k] = (w.shape[0],)
            else:
                if len(src) != 3:
                    raise NIRError(f"from_nir: {k!r} ({kind}) needs a (C, H, W) input, gets {src}")
                c, h, wd = src
                if kind == "Conv2d":
                    w = _arr(node.weight)
                    if np.any(_arr(node.bias) != 0):
                        raise NIRError(f"from_nir: {k!r} (Conv2d with a bias) is not supported")
                    stride, pad, dil = _pair(node.stride), _pair(node.padding), _pair(node.dilation)
                    groups = int(node.groups)
                    weight = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(0, 3, 2, 1))
                    cout = w.shape[0]
                    kh, kw = w.shape[2:]
                else:
                    kh, kw = _pair(node.kernel_size)
                    stride, pad = _pair(node.stride), _pair(node.padding)
                    dil, groups, cout = (1, 1), c, c
                    val = 1.0 / (kh * kw) if kind == "AvgPool2d" else 1.0
                    weight = np.full((c, kw, kh, 1), val)
                p = Conv(
                    weight=weight,
                    input_shape=(wd, h, c),
                    stride=stride[::-1],
                    padding=pad[::-1],
                    dilation=dil[::-1],
                    groups=groups,
                    name=f"nir_{k}",
                )
                oh = (h + 2 * pad[0] - dil[0] * (kh - 1) - 1) // stride[0] + 1
                ow = (wd + 2 * pad[1] - dil[1] * (kw - 1) - 1) // stride[1] + 1
                shapes[k] = (cout, oh, ow)
            procs[k] = p
            for q in pred[k]:
                srcs = [q] if kinds[q] != "Flatten" else [x for x, _ in through_flatten(q, pred)]
                for s in srcs:
                    if kinds[s] in NEURONS:
                        port = procs[s].s_out
                        if flat and len(procs[s].s_out.shape) == 3:
                            port.transpose([2, 1, 0]).flatten().connect(p.s_in)
                        else:
                            port.connect(p.s_in)
    outputs = [k for k in order if kinds[k] == "Output"]
    if not blocks:
        raise NIRError("from_nir: the graph has no neurons")
    net = netx.Network(blocks, source="NIR graph", input_shape=None)
    firsts = [procs[s] for k in inputs for s, _ in through_flatten(k, succ) if s in procs]
    if firsts:
        net.inp = firsts[0].s_in
        net.in_layer = next(b for b in blocks if b.synapse is firsts[0])
    outs = [procs[p] for k in outputs for p, _ in through_flatten(k, pred) if p in procs]
    if outs:
        net.out = outs[0].s_out
        net.out_layer = next(b for b in blocks if b.neuron is outs[0])
    in_shapes = [shapes[k] for k in inputs]
    net.input_shape = (in_shapes[0][::-1] if len(in_shapes[0]) == 3 else in_shapes[0]) if in_shapes else None
    return net


def _scale_synapse(syn: ty.Any, scale: np.ndarray) -> None:
    """Multiply each output row of a Dense / each output channel of a Conv by the neuron's input scale."""
    s = np.asarray(scale)
    if type(syn).__name__ == "Dense":
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

            if type(n) is not CubaLIF or n.refractory or n.quantize or isinstance(blk, B.RecurrentDense):
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
            edges += [(prev, f"{i}_syn"), (f"{i}_syn", f"{i}")]
            prev = f"{i}"
        nodes["output"] = nir.Output(output_type={"output": np.asarray(shape)})
        edges.append((prev, "output"))
    elif isinstance(model, netx.Network):
        from caldera.procs import LIF, Dense

        first = model.layers[0]
        if first.synapse is None:
            raise NIRError(
                "to_nir: the network starts with an input neuron layer; NIR export takes synapse-first networks"
            )
        n_in = first.synapse.s_in.shape
        nodes["input"] = nir.Input(input_type={"input": np.asarray(n_in)})
        prev = "input"
        for i, b in enumerate(model.layers):
            if type(b.synapse) is not Dense or type(b.neuron) is not LIF:
                raise NIRError(
                    f"to_nir: layer {i} ({type(b.synapse).__name__} + {type(b.neuron).__name__}): "
                    f"caldera networks export Dense + LIF layers"
                )
            p = {k: float(np.asarray(getattr(b.neuron, k).init).reshape(-1)[0]) for k in ("du", "dv", "vth")}
            if p["du"] > 1 or p["dv"] > 1:
                raise NIRError(f"to_nir: layer {i} holds fixed_pt integers; export the floating_pt network")
            nodes[f"{i}_syn"] = nir.Linear(weight=np.asarray(b.synapse.weights.init, dtype=np.float64))
            bias = np.asarray(b.neuron.bias_mant.init, dtype=np.float64)
            nodes[f"{i}"] = _cuba(b.neuron.shape, float(p["du"]), float(p["dv"]), float(p["vth"]), bias, dt)
            edges += [(prev, f"{i}_syn"), (f"{i}_syn", f"{i}")]
            prev = f"{i}"
        nodes["output"] = nir.Output(output_type={"output": np.asarray(model.out.shape)})
        edges.append((prev, "output"))
    else:
        raise NIRError(
            f"to_nir: expected a caldera_dl.block.Network or a caldera_dl.netx.Network, got {type(model).__name__}"
        )
    graph = nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    if path is not None:
        nir.write(path, graph)
    return graph


__all__ = ["from_nir", "to_nir", "NIRError", "DT"]
