"""Deployment: a trained :class:`caldera_dl.block.Network` as caldera processes, and running data through them.

``to_processes(model, tag)`` builds, per block, the synapse (``Dense``,
``DelayDense``, ``Conv``; recurrent blocks add a second ``Dense`` from the
neurons back to themselves) and the neuron (``LIF``, ``LIFReset``,
``LIFRefractory``, ``ATRLIF``, ``SigmaDelta``, ``RF``), wired in order, and returns a
:class:`caldera_dl.netx.Network` (``inp``, ``out``, ``layers``). ``floating_pt``
takes the trained floats; ``fixed_pt`` takes Loihi's integers: weights
``round(64 w)`` (on the 8-bit grid of :func:`caldera_dl.block.quantize_weight`),
``vth = round(64 threshold)``, decays as 12-bit integers, biases as mantissas
with ``bias_exp`` 6 — the numbers the block's ``quantize=True`` forward pass
computes with, so the two agree exactly.

Timing: each synapse delays by one step (caldera's connections are send-first),
so the output of block k (1-based) at caldera step ``t + k`` is the torch output
at ``t`` (steps counted from 1). :func:`run` handles that, and runs many samples
in one caldera run by resetting every layer between samples (``LIFReset``).
"""

from __future__ import annotations

import typing as ty

import numpy as np
import torch
from caldera.errors import ParameterError

from caldera_dl import block as B
from caldera_dl import netx
from caldera_dl.neuron import SD_MESSAGE, AdaptiveLIF, CubaLIF, Resonator, SigmaDelta


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().double().numpy()


def _weights(blk: ty.Any, w: torch.Tensor, fixed: bool) -> np.ndarray:
    if fixed:
        return np.rint(_np(B.quantize_weight(w)) * 64).astype(np.int64)
    return _np(w)


def _neuron_proc(
    neuron: ty.Any,
    shape: tuple[int, ...],
    fixed: bool,
    reset: tuple[int, int] | None,
    name: str,
    bias_shape: tuple[int, ...] | None = None,
):
    from caldera.procs import LIF, LIFRefractory, LIFReset
    from caldera.procs import SigmaDelta as SD

    def need_quantized() -> None:
        if fixed and not neuron.quantize:
            raise ParameterError(
                f"{name}: fixed_pt deployment needs the block trained with quantize=True (its neuron then computes "
                f"Loihi's integers); this {type(neuron).__name__} is float"
            )

    def reset_vars(proc: ty.Any, values: dict) -> None:
        # zero the state after the step before the sample's first input arrives (as LIFReset does)
        from caldera.procs import Reset

        for var, value in values.items():
            Reset(
                reset_value=value, interval=reset[0], offset=(reset[1] - 2) % reset[0], name=f"{name}_reset_{var}"
            ).connect_var(getattr(proc, var))

    if isinstance(neuron, Resonator):
        from caldera.procs import RF

        need_quantized()
        if fixed:
            rf = RF(
                shape=shape,
                period=neuron.period,
                alpha=neuron.decay,
                vth=int(round(neuron.threshold * 64)),
                state_exp=6,
                decay_bits=12,
                name=name,
            )
        else:
            rf = RF(shape=shape, period=neuron.period, alpha=neuron.decay, vth=neuron.threshold, name=name)
        if reset is not None:
            reset_vars(rf, {"real": 0, "imag": 0})
        return rf
    if isinstance(neuron, AdaptiveLIF):
        from caldera.procs import ATRLIF

        need_quantized()
        d = neuron.decays()
        if fixed:
            p = neuron.device_params()
            params = dict(theta_0=p["theta_0"], theta_step=p["theta_step"], theta=p["theta_0"], bias_exp=6)
            qb = neuron.quantized_bias()
            if qb is not None:
                params["bias_mant"] = _bias_xyc(np.rint(_np(qb) * 64).astype(np.int32), shape)
            theta_reset = p["theta_0"] * 64
        else:
            params = dict(theta_0=neuron.threshold, theta_step=neuron.threshold_step, theta=neuron.threshold)
            if neuron.bias is not None:
                params["bias_mant"] = _bias_xyc(_np(neuron.bias), shape)
            theta_reset = neuron.threshold
        proc = ATRLIF(shape=shape, name=name, **d, **params)
        if reset is not None:
            reset_vars(proc, {"i": 0, "v": 0, "r": 0, "theta": theta_reset})
        return proc
    if not isinstance(neuron, (CubaLIF, SigmaDelta)):
        raise ParameterError(
            f"{name}: a {type(neuron).__name__} neuron has no caldera process to deploy to; "
            f"deployable neurons are CubaLIF, AdaptiveLIF, SigmaDelta and Resonator"
        )
    if isinstance(neuron, SigmaDelta):
        need_quantized()
        if reset is not None:
            raise ParameterError(
                f"{name}: SigmaDelta neurons cannot be reset between samples; run one sample at a time"
            )
        mode = "RELU" if neuron.relu else "UNIT"
        if fixed:  # lava-dl netx's integers: vth and bias << 12 inside the process, messages >> 6
            qb = neuron.quantized_bias()
            bias = 0 if qb is None else _bias_xyc(np.rint(_np(qb) * 64).astype(np.int32), shape)
            vth = neuron.device_params()["vThMant"]
            return SD(shape=shape, vth=vth, bias=bias, act_mode=mode, spike_exp=6, state_exp=6, name=name)
        bias = 0 if neuron.bias is None else _bias_xyc(_np(neuron.bias), shape)
        return SD(shape=shape, vth=neuron.threshold, bias=bias, act_mode=mode, name=name)
    need_quantized()
    if fixed:
        p = neuron.device_params()
        params = dict(du=p["iDecay"] - 1, dv=p["vDecay"], vth=p["vThMant"], bias_exp=6)
        qb = neuron.quantized_bias()
        if qb is not None:
            params["bias_mant"] = _bias_xyc(np.rint(_np(qb) * 64).astype(np.int32), shape)
    else:
        cd, vd = neuron.decays()
        params = dict(du=float(cd), dv=float(vd), vth=neuron.threshold)
        if neuron.bias is not None:
            params["bias_mant"] = _bias_xyc(_np(neuron.bias), shape)
    if neuron.refractory:
        if reset is not None:
            raise ParameterError(f"{name}: neurons with a refractory period cannot be reset between samples")
        return LIFRefractory(shape=shape, refractory_period=neuron.refractory, name=name, **params)
    if reset is not None:
        return LIFReset(shape=shape, reset_interval=reset[0], reset_offset=reset[1], name=name, **params)
    return LIF(shape=shape, name=name, **params)


def _input_port(neuron: ty.Any) -> ty.Any:
    return neuron.a_real_in if hasattr(neuron, "a_real_in") else neuron.a_in


def _bias_xyc(b: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A torch-layout bias ((N,) or (C, H, W)) in caldera's layout ((N,) or (W, H, C))."""
    if b.ndim == 3:
        return np.ascontiguousarray(b.transpose(2, 1, 0))
    return b.reshape(shape)


def _conv_weight(w: np.ndarray) -> np.ndarray:
    """torch (out, in, H, W) cross-correlation -> caldera (out, W, H, in) true convolution."""
    return np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(0, 3, 2, 1))


def to_processes(
    model: ty.Any,
    tag: str = "floating_pt",
    *,
    input_shape: ty.Sequence[int] | None = None,
    reset_interval: int | None = None,
    reset_offset: int = 0,
    input_message_bits: int | None = None,
) -> netx.Network:
    """Caldera processes for a trained network (see the module docstring).

    ``input_shape``: the model's input without batch and time — ``(N,)`` or
    ``(C, H, W)`` (default: ``model.input_shape``). ``reset_interval``: reset
    every layer's state every that many steps, each layer when the first input
    of a new sample reaches it (used by :func:`run` for many samples in one run);
    samples start at steps ``1 + reset_offset + j * reset_interval`` (caldera's
    ``SpikeDataloader`` sends its first sample from step 2: ``reset_offset=1``).
    ``input_message_bits``: 0 for binary spike input, > 0 for graded input
    (default: graded when the first neuron is sigma-delta). Layers after
    sigma-delta neurons receive graded (24-bit) messages.
    """
    from caldera.procs import Conv, DelayDense, Dense

    if tag not in ("floating_pt", "fixed_pt"):
        raise ParameterError(f"to_processes: tag must be 'floating_pt' or 'fixed_pt', got {tag!r}")
    blocks = list(model.blocks) if hasattr(model, "blocks") else None
    if not blocks:
        raise ParameterError(
            f"to_processes: expected a caldera_dl.block.Network with blocks, got {type(model).__name__}"
        )
    shape = tuple(input_shape) if input_shape is not None else getattr(model, "input_shape", None)
    if shape is None:
        raise ParameterError("to_processes: the input shape is unknown; pass input_shape=(N,) or (C, H, W)")
    fixed = tag == "fixed_pt"
    unsupported = [
        f"block {i} ({type(b).__name__})"
        for i, b in enumerate(blocks)
        if not isinstance(b, (B.Dense, B.Conv, B.Pool, B.Flatten))
    ]
    if unsupported:
        raise ParameterError(f"to_processes: cannot deploy {', '.join(unsupported)}")
    out_blocks: list[netx.Block] = []
    cur = tuple(int(s) for s in shape)  # torch layout, without batch/time
    flatten = False
    k = 0
    first = next(b for b in blocks if not isinstance(b, B.Flatten))
    if input_message_bits is None:
        input_message_bits = 24 if isinstance(first.neuron, SigmaDelta) else 0
    msg_bits = int(input_message_bits)
    for i, blk in enumerate(blocks):
        if isinstance(blk, B.Flatten):
            cur = (int(np.prod(cur)),)
            flatten = True
            continue
        k += 1
        reset = None if reset_interval is None else (int(reset_interval), (1 + k + reset_offset) % int(reset_interval))
        name = f"B{i}_{blk.kind}"
        if isinstance(blk, B.Dense):
            if len(cur) != 1:
                raise ParameterError(
                    f"to_processes: block {i} (Dense) receives shape {cur}; put a Flatten block before it"
                )
            if cur[0] != blk.in_features:
                raise ParameterError(f"to_processes: block {i} (Dense) expects {blk.in_features} inputs, gets {cur[0]}")
            w = _weights(blk, blk.synapse.weight, fixed)
            common = dict(num_weight_bits=8, weight_exp=0) if fixed else {}
            common["num_message_bits"] = msg_bits
            if blk.delay is not None:
                d = blk.delay.steps().cpu().numpy()
                syn = DelayDense(
                    weights=w,
                    delays=np.repeat(d.reshape(-1, 1), w.shape[1], axis=1),
                    max_delay=B.MAX_DELAY,
                    name=name + "_syn",
                    **common,
                )
                if reset is not None:
                    # spikes the previous layer made before its reset would still be in flight: clear them
                    # after the last of them has entered the synapse (the step before that layer resets)
                    from caldera.procs import Reset

                    Reset(
                        reset_value=0, interval=reset[0], offset=(k - 2 + reset_offset) % reset[0], name=name + "_flush"
                    ).connect_var(syn.a_buff)
            else:
                syn = Dense(weights=w, name=name + "_syn", **common)
            nshape = (blk.out_features,)
            neuron = _neuron_proc(blk.neuron, nshape, fixed, reset, name)
            syn.a_out.connect(_input_port(neuron))
            if isinstance(blk, B.RecurrentDense):
                r = _weights(blk, blk.recurrent.weight, fixed)
                rec = Dense(weights=r, name=name + "_rec", **{**common, "num_message_bits": 0})
                neuron.s_out.connect(rec.s_in)
                rec.a_out.connect(neuron.a_in)
                if reset is not None:  # the last spike before the reset must not come back after it
                    from caldera.procs import Reset

                    Reset(
                        reset_value=0,
                        interval=reset[0],
                        offset=(k - 1 + reset_offset) % reset[0],
                        name=name + "_rec_flush",
                    ).connect_var(rec.a_buff)
            cur = nshape
        else:  # Conv / Pool
            if len(cur) != 3:
                raise ParameterError(
                    f"to_processes: block {i} ({type(blk).__name__}) needs a (C, H, W) input, gets {cur}"
                )
            c, h, wd = cur
            if isinstance(blk, B.Conv):
                s = blk.synapse
                if s.in_channels != c:
                    raise ParameterError(f"to_processes: block {i} (Conv) expects {s.in_channels} channels, gets {c}")
                weight = _conv_weight(_weights(blk, s.weight, fixed))
                oh, ow = blk.output_hw((h, wd))
                syn = Conv(
                    weight=weight,
                    input_shape=(wd, h, c),
                    stride=s.stride[::-1],
                    padding=s.padding[::-1],
                    dilation=s.dilation[::-1],
                    groups=s.groups,
                    num_message_bits=msg_bits,
                    name=name + "_syn",
                )
                cout = s.out_channels
            else:
                kh, kw = blk.kernel_size
                val = blk.weight_value()
                val = int(round(val * 64)) if fixed else val
                weight = np.full((c, kw, kh, 1), val)
                oh, ow = (h - kh) // blk.stride[0] + 1, (wd - kw) // blk.stride[1] + 1
                syn = Conv(
                    weight=weight,
                    input_shape=(wd, h, c),
                    stride=blk.stride[::-1],
                    groups=c,
                    num_message_bits=msg_bits,
                    name=name + "_syn",
                )
                cout = c
            nshape = (ow, oh, cout)
            neuron = _neuron_proc(blk.neuron, nshape, fixed, reset, name)
            syn.a_out.connect(_input_port(neuron))
            cur = (cout, oh, ow)
        b = netx.Block(i, blk.kind, nshape, neuron, syn, inp=syn.s_in, out=neuron.s_out)
        if out_blocks:
            prev = out_blocks[-1].out
            if flatten and len(out_blocks[-1].shape) == 3:
                prev.transpose([2, 1, 0]).flatten().connect(b.inp)
            else:
                prev.connect(b.inp)
        flatten = False
        msg_bits = 24 if isinstance(blk.neuron, SigmaDelta) else 0
        out_blocks.append(b)
    in_shape = tuple(shape[::-1]) if len(shape) == 3 else tuple(shape)
    return netx.Network(out_blocks, source=f"{type(model).__name__} ({tag})", input_shape=in_shape)


def _to_caldera_layout(x: np.ndarray) -> np.ndarray:
    """One sample, torch layout (N, T) or (C, H, W, T) -> caldera's (N, T) or (W, H, C, T)."""
    return x if x.ndim == 2 else np.ascontiguousarray(x.transpose(2, 1, 0, 3))


def run(
    model: ty.Any,
    inputs: ty.Any,
    *,
    tag: str = "floating_pt",
    backend: str = "cpu",
    gap: int | None = None,
    probe_layers: bool = False,
    probe_v: bool = False,
    network: netx.Network | None = None,
) -> dict:
    """Run samples ``inputs`` (``(batch, features..., time)``, torch layout) through the deployed network.

    All samples go through one caldera run, each in a window of ``time + gap``
    steps, every layer reset when a new sample reaches it. Returns a dict with
    ``"output"``: the output spikes per sample, aligned with the torch forward
    pass (``(batch, out..., time)``, torch layout), ``"network"``, ``"steps"``
    and, with ``probe_layers``, ``"layers"``: every block's spikes the same way;
    with ``probe_v``, ``"output_v"``: the output neurons' voltage, aligned the same way.
    """
    import caldera
    from caldera.procs import Monitor, RingBuffer

    x = inputs.detach().cpu().numpy() if isinstance(inputs, torch.Tensor) else np.asarray(inputs)
    n, T = x.shape[0], x.shape[-1]
    nblocks = sum(1 for b in model.blocks if not isinstance(b, B.Flatten))
    max_delay = sum(int(b.delay.steps().max()) for b in model.blocks if getattr(b, "delay", None) is not None)
    gap = nblocks + max_delay + 2 if gap is None else int(gap)
    period = T + gap
    has_sd = any(isinstance(getattr(b, "neuron", None), SigmaDelta) for b in model.blocks)
    if has_sd and n > 1:
        raise ParameterError("run: networks of SigmaDelta neurons cannot be reset between samples; pass one sample")
    # the reset also clears what a layer's bias made before the sample's first input reached it
    net = network or to_processes(model, tag, input_shape=x.shape[1:-1], reset_interval=None if has_sd else period)
    stream = np.zeros(_to_caldera_layout(x[0]).shape[:-1] + (n * period,))
    for j in range(n):
        stream[..., j * period : j * period + T] = _to_caldera_layout(x[j])
    first = next(b for b in model.blocks if not isinstance(b, B.Flatten))
    if tag == "fixed_pt":
        if isinstance(first.neuron, SigmaDelta):  # graded messages: 4096 per float unit
            stream = stream * SD_MESSAGE
        stream = np.rint(stream).astype(np.int32)
    src = RingBuffer(data=stream)
    src.s_out.connect(net.inp)
    mon = Monitor()
    probed = net.layers if probe_layers else [net.out_layer]
    for b in probed:
        mon.probe(b.neuron.s_out, num_steps=n * period)
    vmon = None
    if probe_v:
        vmon = Monitor()
        vmon.probe(net.out_layer.neuron.v, num_steps=n * period)
    run_cfg = caldera.RunConfig(backend=backend, tag=tag)
    net.run(condition=caldera.RunSteps(num_steps=n * period), run_cfg=run_cfg)
    data = mon.get_data()
    vdata = vmon.get_data() if vmon is not None else None
    net.stop()

    def per_sample(b: netx.Block, k: int, var: str = "s_out") -> np.ndarray:
        source = vdata if var == "v" else data
        raster = np.asarray(source[b.neuron.name][var], dtype=np.float64)  # (steps, *shape); index t-1 = step t
        if tag == "fixed_pt" and type(b.neuron).__name__ == "SigmaDelta" and var == "s_out":
            raster = raster / SD_MESSAGE
        out = np.stack([raster[j * period + k : j * period + k + T] for j in range(n)])  # (n, T, *shape)
        out = np.moveaxis(out, 1, -1)  # (n, *shape, T)
        if out.ndim == 5:
            out = out.transpose(0, 3, 2, 1, 4)  # (n, W, H, C, T) -> (n, C, H, W, T)
        return out

    result = {"network": net, "steps": n * period, "period": period}
    ks = {id(b): k + 1 for k, b in enumerate(net.layers)}
    result["output"] = per_sample(net.out_layer, ks[id(net.out_layer)])
    if probe_v:
        result["output_v"] = per_sample(net.out_layer, ks[id(net.out_layer)], "v")
    if probe_layers:
        result["layers"] = [per_sample(b, ks[id(b)]) for b in net.layers]
    return result


# -- export to lava-dl's .net ---------------------------------------------------------------------------------
def _cuba_params(neuron: CubaLIF) -> dict:
    p = neuron.device_params()
    return {
        "type": "CUBA",
        "iDecay": p["iDecay"],
        "vDecay": p["vDecay"],
        "vThMant": p["vThMant"],
        "refDelay": 1,
        "gradedSpike": False,
    }


def netx_layers(model: ty.Any) -> list[dict]:
    """The network as lava-dl ``.net`` layer descriptions (fixed-point integers; write them with ``netx.write``)."""
    shape = getattr(model, "input_shape", None)
    if shape is None:
        raise ParameterError("netx export: the model needs input_shape (N,) or (C, H, W)")
    layers: list[dict] = [{"type": "input", "shape": np.asarray(shape)}]
    cur = tuple(shape)
    for i, blk in enumerate(model.blocks):
        if isinstance(blk, B.Flatten):
            cur = (int(np.prod(cur)),)
            layers.append({"type": "flatten", "shape": np.asarray([cur[0], 1, 1])})
            continue
        n = getattr(blk, "neuron", None)
        sdnn = isinstance(n, SigmaDelta)
        if not (sdnn or type(n) is CubaLIF and not n.refractory) or isinstance(blk, B.RecurrentDense):
            raise ParameterError(
                f"netx export: block {i} ({type(blk).__name__} with {type(n).__name__}) has no netx form; "
                f"caldera-dl writes Dense/Conv/Pool blocks of CubaLIF or SigmaDelta neurons"
            )
        if sdnn:
            params = {"type": "SDNN", "vThMant": n.device_params()["vThMant"]}
            params["activation"] = "relu" if n.relu else "identity"
            layer: dict = {"neuron": params}
        else:
            layer = {"neuron": _cuba_params(n)}
        if n.bias is not None:
            b = np.rint(_np(n.quantized_bias()) * 64)
            layer["bias"] = b.transpose(2, 1, 0) if b.ndim == 3 else b  # per neuron, in netx's (X, Y, C) order
        if isinstance(blk, B.Dense):
            w = np.rint(_np(B.quantize_weight(blk.synapse.weight)) * 64)
            layer.update(
                type="dense",
                shape=np.asarray([blk.out_features]),
                inFeatures=blk.in_features,
                outFeatures=blk.out_features,
                weight=w,
            )
            if blk.delay is not None:
                layer["delay"] = blk.delay.steps().cpu().numpy().astype(np.float64)
            cur = (blk.out_features,)
        elif isinstance(blk, B.Conv):
            s = blk.synapse
            w = np.rint(_np(B.quantize_weight(s.weight)) * 64)
            oh, ow = blk.output_hw(cur[1:])
            cur = (s.out_channels, oh, ow)
            layer.update(
                type="conv",
                shape=np.asarray(cur),
                inChannels=s.in_channels,
                outChannels=s.out_channels,
                kernelSize=np.asarray(s.kernel_size),
                stride=np.asarray(s.stride),
                padding=np.asarray(s.padding),
                dilation=np.asarray(s.dilation),
                groups=s.groups,
                weight=w,
            )
        else:  # Pool
            kh, kw = blk.kernel_size
            c, h, wd = cur
            cur = (c, (h - kh) // blk.stride[0] + 1, (wd - kw) // blk.stride[1] + 1)
            layer.update(
                type="pool",
                shape=np.asarray(cur),
                kernelSize=np.asarray(blk.kernel_size),
                stride=np.asarray(blk.stride),
                weight=np.asarray(round(blk.weight_value() * 64), dtype=float),
            )
        layers.append(layer)
    return layers


__all__ = ["to_processes", "run", "netx_layers"]
