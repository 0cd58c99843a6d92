"""lava-dl's netx HDF5 network format (``.net``): read it into caldera processes, write it back.

A ``.net`` file holds a group ``layer`` with one sub-group per layer, named
``"0"``, ``"1"``, … in order. Each has a ``type`` (``input``, ``dense``,
``conv``, ``pool``, ``flatten``; ``average`` and others are reported as
unsupported), a ``shape`` in (C, H, W) order, its synapse (``weight`` as
8-bit-scaled integers, optional ``delay``, ``bias``, conv geometry) and a
``neuron`` group: ``type`` ``CUBA``/``LOIHI`` (``iDecay``, ``vDecay``,
``vThMant``) or ``SDNN`` (``vThMant``, optional ``activation`` and
``sigma_output``).

:func:`read` validates the whole file first (an error names the layer index,
the key and what was expected, and nothing is built when anything is wrong),
then :class:`Network` builds, per layer, a synapse (``Dense``, ``DelayDense``,
``Sparse``, ``DelaySparse``, ``Conv``) and a neuron (``LIF``, ``LIFReset``,
``Delta``, ``SigmaDelta``, ``Sigma``) with the parameters lava-dl's netx uses,
so the network gives lava-dl's numbers on every caldera backend. Layouts follow
Lava: populations are (X, Y, C) = (W, H, C); a flatten feeds a dense layer
through ``transpose([2, 1, 0]).flatten()``.
"""

from __future__ import annotations

import os
import typing as ty
from dataclasses import dataclass, field

import numpy as np
from caldera.errors import ParameterError

LAYER_TYPES = ("input", "dense", "conv", "pool", "flatten")
NEURON_TYPES = ("CUBA", "LOIHI", "SDNN")
MAX_DELAY = 62


class NetxError(ParameterError):
    """A ``.net`` description caldera cannot build: names the layer index, the key and what was expected."""


# -- reading the file into plain layer descriptions -----------------------------------------------------------
def _decode(value: ty.Any) -> ty.Any:
    if isinstance(value, bytes):
        return value.decode("ascii")
    if isinstance(value, np.ndarray) and value.dtype.kind == "S":
        return value.reshape(-1)[0].decode("ascii") if value.size else ""
    return value


def _group_to_dict(group: ty.Any) -> dict:
    import h5py

    out: dict = {}
    for key, item in group.items():
        if isinstance(item, h5py.Group):
            out[key] = _group_to_dict(item)
        else:
            out[key] = _decode(item[()])
    return out


def load_layers(path: str | os.PathLike) -> list[dict]:
    """The raw layer descriptions of a ``.net`` file, in order (values as stored; strings decoded)."""
    import h5py

    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise NetxError(f"netx: cannot read {os.fspath(path)!r} as an HDF5 .net file ({e})") from None
    with f:
        if "layer" not in f or not isinstance(f["layer"], h5py.Group):
            raise NetxError(f"netx: {os.fspath(path)!r} has no group 'layer' (expected layer/0, layer/1, ...)")
        group = f["layer"]
        keys = list(group.keys())
        numbered = sorted(int(k) for k in keys if k.isdigit())
        if numbered != list(range(len(keys))):
            raise NetxError(f"netx: the groups under 'layer' must be named 0..{len(keys) - 1}, found {sorted(keys)!r}")
        layers = []
        for i in numbered:
            item = group[str(i)]
            if not isinstance(item, h5py.Group):
                raise NetxError(f"netx: layer {i}: expected a group, found a dataset")
            layers.append(_group_to_dict(item))
        return layers


def _ints(i: int, ltype: str, cfg: dict, key: str, n: int | None = None, default: ty.Any = None) -> np.ndarray:
    if key not in cfg:
        if default is not None:
            return np.asarray(default)
        raise NetxError(f"netx: layer {i} ({ltype}): missing key {key!r}" + (f" ({n} integers)" if n else ""))
    val = np.asarray(cfg[key])
    if val.dtype.kind not in "iuf" or (val.dtype.kind == "f" and not np.all(np.isfinite(val))):
        raise NetxError(f"netx: layer {i} ({ltype}): key {key!r} must be numeric, got {cfg[key]!r}")
    if n is not None and val.size not in (1, n):
        raise NetxError(f"netx: layer {i} ({ltype}): key {key!r} must hold 1 or {n} values, got shape {val.shape}")
    return val


def _array(i: int, ltype: str, cfg: dict, key: str, ndims: tuple[int, ...]) -> np.ndarray:
    if key not in cfg:
        raise NetxError(
            f"netx: layer {i} ({ltype}): missing key {key!r} (an array of {' or '.join(map(str, ndims))} dims)"
        )
    val = np.asarray(cfg[key])
    if val.dtype.kind not in "iuf" or val.ndim not in ndims:
        raise NetxError(
            f"netx: layer {i} ({ltype}): key {key!r} must be a numeric array of {' or '.join(map(str, ndims))} "
            f"dimensions, got {val.dtype} with shape {val.shape}"
        )
    if val.dtype.kind == "f" and not np.all(np.isfinite(val)):
        raise NetxError(f"netx: layer {i} ({ltype}): key {key!r} holds non-finite values")
    return val


def _pair(v: np.ndarray) -> tuple[int, int]:
    """A (H, W)-ordered file value as Lava's (X, Y) = (W, H) pair."""
    v = np.asarray(v).reshape(-1)
    if v.size == 1:
        return int(v[0]), int(v[0])
    return int(v[1]), int(v[0])


@dataclass
class NeuronSpec:
    kind: str  # "cuba" | "sdnn"
    vth: float
    du: int = 0  # Lava's du (iDecay - 1)
    dv: int = 0
    relu: bool = True
    sigma_output: bool = False
    message_bits: int = 0


def _neuron(i: int, ltype: str, cfg: dict) -> NeuronSpec:
    if "neuron" not in cfg and ltype == "dense":
        # lava-dl's default: a non-leaky integrator that never spikes (iDecay 0 is Lava's du = -1)
        return NeuronSpec("cuba", float(1 << 17), du=-1, dv=4096)
    if not isinstance(cfg.get("neuron"), dict):
        raise NetxError(f"netx: layer {i} ({ltype}): missing group 'neuron' (keys type, vThMant, ...)")
    n = cfg["neuron"]
    ntype = n.get("type")
    if not isinstance(ntype, str):
        raise NetxError(f"netx: layer {i} ({ltype}): missing key 'neuron/type' (one of {', '.join(NEURON_TYPES)})")
    if ntype not in NEURON_TYPES:
        raise NetxError(
            f"netx: layer {i} ({ltype}): unsupported neuron type {ntype!r} at key 'neuron/type'; "
            f"caldera-dl supports {', '.join(NEURON_TYPES)}"
        )
    vth = float(_ints(i, ltype, n, "vThMant", 1).reshape(-1)[0])
    bits = n.get("messageBits")
    if ntype == "SDNN":
        act = n.get("activation", "relu")
        if act not in ("relu", "identity", "unit", "linear"):
            raise NetxError(
                f"netx: layer {i} ({ltype}): key 'neuron/activation' is {act!r}; expected 'relu' or 'identity'"
            )
        sigma_output = bool(np.asarray(n.get("sigma_output", False)).reshape(-1)[0])
        return NeuronSpec(
            "sdnn", vth, relu=act == "relu", sigma_output=sigma_output, message_bits=16 if bits is None else int(bits)
        )
    i_decay = int(_ints(i, ltype, n, "iDecay", 1).reshape(-1)[0])
    v_decay = int(_ints(i, ltype, n, "vDecay", 1).reshape(-1)[0])
    for key, val in (("iDecay", i_decay), ("vDecay", v_decay)):
        if not 0 <= val <= 4096:
            raise NetxError(f"netx: layer {i} ({ltype}): key 'neuron/{key}' is {val}; expected 0..4096")
    return NeuronSpec("cuba", vth, du=i_decay - 1, dv=v_decay, message_bits=0 if bits is None else int(bits))


@dataclass
class LayerSpec:
    """One validated layer: what to build, in Lava's (X, Y, C) layout."""

    index: int
    type: str
    shape: tuple[int, ...]  # output shape (X, Y, C) or (N,)
    neuron: NeuronSpec | None = None
    weight: np.ndarray | None = None  # dense: (out, in); conv/pool: (C_out, W, H, C_in) (Lava's layout)
    delay: np.ndarray | None = None
    bias: np.ndarray | None = None
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    input_shape: tuple[int, ...] | None = None
    flatten_input: bool = False
    config: dict = field(default_factory=dict)  # the file's description, for writing back


def _conv_geometry(spec: LayerSpec, i: int, ltype: str, cfg: dict) -> None:
    spec.stride = _pair(_ints(i, ltype, cfg, "stride", 2, default=1))
    spec.padding = _pair(_ints(i, ltype, cfg, "padding", 2, default=0))
    spec.dilation = _pair(_ints(i, ltype, cfg, "dilation", 2, default=1))


def _conv_out(in_shape, kernel, stride, padding, dilation, channels) -> tuple[int, int, int]:
    out = []
    for d in range(2):
        out.append((in_shape[d] + 2 * padding[d] - dilation[d] * (kernel[d] - 1) - 1) // stride[d] + 1)
    return out[0], out[1], int(channels)


def parse(layers: list[dict], num_layers: int | None = None) -> list[LayerSpec]:
    """Validate raw layer descriptions and turn them into :class:`LayerSpec` (raises :class:`NetxError`)."""
    if not layers:
        raise NetxError("netx: the network has no layers (expected layer/0, ...)")
    count = len(layers) if num_layers is None else min(len(layers), int(num_layers))
    specs: list[LayerSpec] = []
    prev_shape: tuple[int, ...] | None = None
    flatten_next = False
    unsupported = []
    for i in range(count):
        cfg = layers[i]
        ltype = cfg.get("type")
        if not isinstance(ltype, str):
            raise NetxError(f"netx: layer {i}: missing key 'type' (one of {', '.join(LAYER_TYPES)})")
        if ltype not in LAYER_TYPES:
            unsupported.append(f"layer {i} ({ltype!r})")
            continue
        file_shape = tuple(int(s) for s in _ints(i, ltype, cfg, "shape").reshape(-1)) if "shape" in cfg else None
        if ltype == "flatten":
            flatten_next = True
            if prev_shape is not None:
                prev_shape = prev_shape  # the next dense layer flattens (X, Y, C) in Lava's order
            continue
        if ltype == "input":
            if file_shape is None:
                raise NetxError(f"netx: layer {i} (input): missing key 'shape' (C, H, W) or (N,)")
            shape = file_shape[::-1]
            if "neuron" in cfg:
                spec = LayerSpec(i, "input", shape, neuron=_neuron(i, ltype, cfg), config=cfg)
                specs.append(spec)
            prev_shape = shape
            continue
        if ltype == "dense":
            w = _array(i, ltype, cfg, "weight", (1, 2))
            out_n = int(np.prod(file_shape)) if file_shape is not None else (w.shape[0] if w.ndim == 2 else None)
            if out_n is None:
                raise NetxError(f"netx: layer {i} (dense): missing key 'shape' (needed with a 1-D weight)")
            if w.ndim == 1:
                if w.size % out_n:
                    raise NetxError(
                        f"netx: layer {i} (dense): key 'weight' has {w.size} values, not a multiple of {out_n} outputs"
                    )
                w = w.reshape(out_n, -1)
            if w.shape[0] != out_n:
                raise NetxError(
                    f"netx: layer {i} (dense): key 'weight' has {w.shape[0]} rows; expected {out_n} (key 'shape')"
                )
            n_in = w.shape[1]
            if prev_shape is not None and int(np.prod(prev_shape)) != n_in:
                raise NetxError(
                    f"netx: layer {i} (dense): key 'weight' expects {n_in} inputs but the previous layer gives "
                    f"shape {prev_shape} ({int(np.prod(prev_shape))} values); shapes do not chain"
                )
            if prev_shape is not None and len(prev_shape) > 1 and not flatten_next:
                flatten_next = True  # lava-dl writes a flatten layer; accept its absence for 1-wide inputs
            spec = LayerSpec(i, "dense", (out_n,), neuron=_neuron(i, ltype, cfg), weight=w.astype(np.int64), config=cfg)
            if "delay" in cfg:
                d = np.asarray(cfg["delay"])
                if d.dtype.kind not in "iuf" or np.any(d < 0):
                    raise NetxError(f"netx: layer {i} (dense): key 'delay' must hold delays >= 0")
                d = np.minimum(np.floor(d).astype(np.int64), MAX_DELAY)
                if d.ndim == 0 or d.size == 1:
                    d = np.full(w.shape, int(d.reshape(-1)[0]))
                elif d.ndim == 1 and d.size == w.shape[0]:
                    d = np.repeat(d.reshape(-1, 1), w.shape[1], axis=1)
                elif d.ndim == 1 and d.size == w.shape[1]:
                    d = np.repeat(d.reshape(1, -1), w.shape[0], axis=0)
                elif d.shape != w.shape:
                    raise NetxError(
                        f"netx: layer {i} (dense): key 'delay' has shape {d.shape}; expected a scalar, "
                        f"({w.shape[0]},), ({w.shape[1]},) or {w.shape}"
                    )
                spec.delay = d
            if "bias" in cfg:
                b = np.asarray(cfg["bias"]).reshape(-1)
                if b.size not in (1, out_n):
                    raise NetxError(f"netx: layer {i} (dense): key 'bias' has {b.size} values; expected 1 or {out_n}")
                spec.bias = b
            spec.input_shape = prev_shape
            spec.flatten_input = flatten_next and prev_shape is not None and len(prev_shape) > 1
            flatten_next = False
            specs.append(spec)
            prev_shape = spec.shape
            continue
        # conv / pool
        if prev_shape is None or len(prev_shape) != 3:
            raise NetxError(
                f"netx: layer {i} ({ltype}): needs an (X, Y, C) input; the previous layer gives "
                f"{prev_shape if prev_shape is not None else 'nothing (no input shape)'}"
            )
        if ltype == "conv":
            w = _array(i, ltype, cfg, "weight", (4, 5))
            w = w.reshape(w.shape[:4])
            groups = int(_ints(i, ltype, cfg, "groups", 1, default=1).reshape(-1)[0])
            if groups < 1 or prev_shape[2] % groups or w.shape[0] % groups:
                raise NetxError(
                    f"netx: layer {i} (conv): key 'groups' is {groups}; expected a divisor of the "
                    f"{prev_shape[2]} input and {w.shape[0]} output channels"
                )
            if w.shape[1] * groups != prev_shape[2]:
                raise NetxError(
                    f"netx: layer {i} (conv): key 'weight' has {w.shape[1]} input channels per group "
                    f"(x{groups} groups); the previous layer gives {prev_shape[2]} channels; shapes do not chain"
                )
            weight = w[:, :, ::-1, ::-1].transpose(0, 3, 2, 1)  # (out, in, H, W) -> Lava's (out, W, H, in)
            spec = LayerSpec(
                i,
                "conv",
                (),
                neuron=_neuron(i, ltype, cfg),
                weight=np.ascontiguousarray(weight).astype(np.int64),
                config=cfg,
            )
            spec.groups = groups
        else:  # pool: one kernel, every channel on its own
            w = _array(i, ltype, cfg, "weight", (0, 1, 2, 3, 4, 5))
            c = prev_shape[2]
            if w.ndim == 0 or w.size == 1:
                ks = _ints(i, ltype, cfg, "kernelSize", 2)
                kx, ky = _pair(ks)
                k = np.full((ky, kx), float(w.reshape(-1)[0]))
            else:
                k = w.reshape(w.shape[-2:]) if w.ndim >= 2 else None
                if k is None or w.size != k.size:
                    raise NetxError(
                        f"netx: layer {i} (pool): key 'weight' must be one scalar or one (H, W) kernel, got {w.shape}"
                    )
            kern = k[::-1, ::-1].T  # (W, H)
            weight = np.zeros((c, kern.shape[0], kern.shape[1], 1))
            weight[:, :, :, 0] = kern
            spec = LayerSpec(i, "pool", (), neuron=_neuron(i, ltype, cfg), weight=weight.astype(np.int64), config=cfg)
            spec.groups = c
        _conv_geometry(spec, i, ltype, cfg)
        out_shape = _conv_out(
            prev_shape, spec.weight.shape[1:3], spec.stride, spec.padding, spec.dilation, spec.weight.shape[0]
        )
        if min(out_shape) < 1:
            raise NetxError(f"netx: layer {i} ({ltype}): the kernel does not fit the input {prev_shape}")
        if file_shape is not None and tuple(file_shape[::-1]) != out_shape:
            raise NetxError(
                f"netx: layer {i} ({ltype}): key 'shape' is {file_shape} (C, H, W) but the layer computes "
                f"{out_shape[::-1]} from its input {prev_shape[::-1]}; shapes do not chain"
            )
        spec.shape = out_shape
        spec.input_shape = prev_shape
        if "bias" in cfg:
            b = np.asarray(cfg["bias"]).reshape(-1)
            if b.size not in (1, out_shape[2], int(np.prod(out_shape))):
                raise NetxError(
                    f"netx: layer {i} ({ltype}): key 'bias' has {b.size} values; expected 1, {out_shape[2]} "
                    f"(per channel) or {int(np.prod(out_shape))}"
                )
            spec.bias = b
        if "delay" in cfg:
            unsupported.append(f"layer {i} ({ltype} with 'delay')")
        specs.append(spec)
        prev_shape = out_shape
    if unsupported:
        raise NetxError(
            f"netx: unsupported layers: {', '.join(unsupported)}; caldera-dl builds {', '.join(LAYER_TYPES)} "
            f"(pass num_layers= to build only the layers before them)"
        )
    if not specs:
        raise NetxError("netx: the description holds no layer with neurons")
    return specs


# -- building caldera processes -------------------------------------------------------------------------------
def optimize_weight_bits(weight: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Fit integer weights into Loihi's 8-bit synapse like lava-dl: ``(weights, num_weight_bits, weight_exp)``.

    The weights are shifted left as far as the sign mode's range allows, and
    ``weight_exp`` undoes the shift; ``num_weight_bits`` drops the trailing bits
    that are zero anyway, so the stored values are exact.
    """
    w = np.asarray(weight).astype(np.int64)
    wmax, wmin = int(w.max()), int(w.min())
    if wmax > 254 and wmin < 0 or wmin < -256 and wmax > 0:
        w = np.clip(w, -256, 254)
        wmax, wmin = int(w.max()), int(w.min())
    if wmax < 0:
        signed, scale = 0, -256 / wmin
    elif wmin >= 0:
        signed = 0
        scale = 255 / wmax if wmax > 0 else 1.0
    else:
        signed, scale = 1, min(127 / wmax, -128 / wmin)
    scale_bits = int(np.floor(np.log2(scale))) + signed
    n = 8
    while n > 0 and np.any(w % (1 << n)):
        n -= 1
    n -= signed
    num_weight_bits = 8 - scale_bits - n
    return np.left_shift(w, scale_bits), int(num_weight_bits), int(-scale_bits)


@dataclass
class Block:
    """One layer as caldera processes: ``synapse`` (None for the input layer) feeding ``neuron``."""

    index: int
    type: str
    shape: tuple[int, ...]
    neuron: ty.Any
    synapse: ty.Any = None
    inp: ty.Any = None  # the InPort that feeds the block (synapse.s_in, or the input neuron's a_in)
    out: ty.Any = None  # the neuron's OutPort
    output_message_bits: int = 0
    spec: LayerSpec | None = None

    @property
    def processes(self) -> list:
        return [p for p in (self.synapse, self.neuron) if p is not None]


class Network:
    """A feed-forward network of caldera processes, layer by layer (what :func:`read` returns).

    ``layers`` are :class:`Block` objects; ``inp`` is the InPort that feeds the
    first layer, ``out`` the last layer's OutPort. ``run``/``stop`` act on the
    whole network (any of its processes reaches the rest).
    """

    def __init__(self, layers: list[Block], *, source: str = "", input_shape: tuple[int, ...] | None = None):
        self.layers = layers
        self.source = source
        self.input_shape = input_shape
        self.in_layer, self.out_layer = layers[0], layers[-1]
        self.inp = self.in_layer.inp
        self.out = self.out_layer.out

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        rows = [f"Network({self.source or 'in memory'}, {len(self)} layers)"]
        for b in self.layers:
            syn = type(b.synapse).__name__ if b.synapse is not None else "-"
            rows.append(f"  {b.index:>3} {b.type:<6} {syn:<12} {type(b.neuron).__name__:<10} {b.shape}")
        return "\n".join(rows)

    @property
    def processes(self) -> list:
        return [p for b in self.layers for p in b.processes]

    def run(self, *args: ty.Any, **kwargs: ty.Any) -> None:
        self.out_layer.neuron.run(*args, **kwargs)

    def stop(self) -> None:
        self.out_layer.neuron.stop()

    def layer_specs(self) -> list[LayerSpec]:
        return [b.spec for b in self.layers if b.spec is not None]


def _bias_array(spec: LayerSpec) -> np.ndarray | None:
    if spec.bias is None:
        return None
    b = np.asarray(spec.bias)
    if b.size == 1:
        return np.full(spec.shape, b.reshape(-1)[0])
    if b.size == int(np.prod(spec.shape)):
        return b.reshape(spec.shape)
    out = np.zeros(spec.shape)
    out[...] = b  # per channel, broadcast over (X, Y)
    return out


def _make_neuron(spec: LayerSpec, tag: str, is_input: bool, reset: tuple[int, int] | None, spike_exp: int):
    from caldera.procs import LIF, LIFReset, Sigma, SigmaDelta

    from caldera_dl.procs import Delta

    n = spec.neuron
    bias = _bias_array(spec)
    fixed = tag == "fixed_pt"
    name = f"L{spec.index}_{spec.type}"
    if n.kind == "cuba":
        if fixed:
            params = dict(vth=int(n.vth), du=n.du, dv=n.dv, bias_exp=6)
            if bias is not None:
                params["bias_mant"] = bias.astype(np.int32)
        else:  # the same network in floating point: every integer / 64 (weights, vth, bias)
            params = dict(vth=n.vth / 64, du=(n.du + 1) / 4096, dv=n.dv / 4096)
            if bias is not None:
                params["bias_mant"] = bias / 64
        if reset is not None:
            return LIFReset(shape=spec.shape, reset_interval=reset[0], reset_offset=reset[1], name=name, **params)
        return LIF(shape=spec.shape, name=name, **params)
    scale = 1 if fixed else 1 / 64
    if is_input:
        return Delta(
            shape=spec.shape,
            vth=n.vth * scale,
            spike_exp=spike_exp if fixed else 0,
            state_exp=6 if fixed else 0,
            name=name,
        )
    if n.sigma_output:
        return Sigma(shape=spec.shape, name=name)
    return SigmaDelta(
        shape=spec.shape,
        vth=n.vth * scale,
        bias=0 if bias is None else (bias.astype(np.int32) if fixed else bias * scale),
        act_mode="RELU" if n.relu else "UNIT",
        spike_exp=spike_exp if fixed else 0,
        state_exp=6 if fixed else 0,
        name=name,
    )


def build(
    specs: list[LayerSpec],
    *,
    tag: str = "fixed_pt",
    input_message_bits: int = 0,
    reset_interval: int | None = None,
    reset_offset: int = 0,
    spike_exp: int = 6,
    sparse_fc_layer: bool = False,
    source: str = "",
) -> Network:
    """Caldera processes for validated layer specs (``tag``: ``fixed_pt`` = lava-dl's integers, or ``floating_pt``)."""
    from caldera.procs import Conv, DelayDense, DelaySparse, Dense, Sparse
    from scipy import sparse as sp

    if tag not in ("fixed_pt", "floating_pt"):
        raise ParameterError(f"netx: tag must be 'fixed_pt' or 'floating_pt', got {tag!r}")
    fixed = tag == "fixed_pt"
    blocks: list[Block] = []
    msg_bits = int(input_message_bits)
    offset = reset_offset + 1  # time starts at 1 on the chip; each layer resets one step after the previous
    for spec in specs:
        reset = None
        if reset_interval is not None and spec.neuron.kind == "cuba":
            reset = (int(reset_interval), offset % int(reset_interval))
        is_input = spec.type == "input"
        neuron = _make_neuron(spec, tag, is_input, reset, spike_exp)
        out_bits = spec.neuron.message_bits
        synapse = None
        if spec.type == "dense":
            w = spec.weight
            if fixed:
                w, nbits, wexp = optimize_weight_bits(w)
            else:
                w, nbits, wexp = w / 64, 8, 0
            common = dict(weight_exp=wexp, num_weight_bits=nbits, num_message_bits=msg_bits, name=f"L{spec.index}_syn")
            if spec.delay is None:
                synapse = Sparse(weights=sp.csr_matrix(w), **common) if sparse_fc_layer else Dense(weights=w, **common)
            elif sparse_fc_layer:
                d = np.where(w == 0, 0, spec.delay)
                synapse = DelaySparse(weights=sp.csr_matrix(w), delays=sp.csr_matrix(d), max_delay=MAX_DELAY, **common)
            else:
                synapse = DelayDense(weights=w, delays=spec.delay, max_delay=MAX_DELAY, **common)
        elif spec.type in ("conv", "pool"):
            w = spec.weight if fixed else spec.weight / 64
            synapse = Conv(
                weight=w,
                input_shape=spec.input_shape,
                stride=spec.stride,
                padding=spec.padding,
                dilation=spec.dilation,
                groups=spec.groups,
                num_message_bits=msg_bits,
                name=f"L{spec.index}_syn",
            )
        if synapse is not None:
            synapse.a_out.connect(neuron.a_in)
        block = Block(
            spec.index,
            spec.type,
            tuple(spec.shape),
            neuron,
            synapse,
            inp=synapse.s_in if synapse is not None else neuron.a_in,
            out=neuron.s_out,
            output_message_bits=out_bits,
            spec=spec,
        )
        if blocks:
            prev = blocks[-1].out
            if spec.flatten_input:
                prev.transpose([2, 1, 0]).flatten().connect(block.inp)
            else:
                prev.connect(block.inp)
        blocks.append(block)
        msg_bits = out_bits
        offset += 1
    first_in = specs[0].input_shape if specs[0].type != "input" else specs[0].shape
    return Network(blocks, source=source, input_shape=first_in)


def read(
    path: str | os.PathLike,
    *,
    tag: str = "fixed_pt",
    num_layers: int | None = None,
    skip_layers: int = 0,
    input_message_bits: int = 0,
    reset_interval: int | None = None,
    reset_offset: int = 0,
    spike_exp: int = 6,
    sparse_fc_layer: bool = False,
) -> Network:
    """Read a lava-dl ``.net`` file into a :class:`Network` of caldera processes.

    The options are netx's (``num_layers`` builds only the first layers of the
    file, e.g. to leave out an unsupported last one; ``skip_layers`` leaves out the
    first ones, whose input the caller then provides). ``tag="floating_pt"`` builds
    the same network with every integer divided by 64 (weights, thresholds,
    biases) and float decays, for float backends.
    """
    layers = load_layers(path)
    specs = parse(layers, num_layers)
    if skip_layers:
        specs = [s for s in specs if s.index >= skip_layers]
        if not specs:
            raise NetxError(f"netx: skip_layers={skip_layers} leaves no layer of {os.fspath(path)!r}")
    return build(
        specs,
        tag=tag,
        input_message_bits=input_message_bits,
        reset_interval=reset_interval,
        reset_offset=reset_offset,
        spike_exp=spike_exp,
        sparse_fc_layer=sparse_fc_layer,
        source=os.fspath(path),
    )


# -- writing --------------------------------------------------------------------------------------------------
def _write_dict(group: ty.Any, d: dict) -> None:
    for key, val in d.items():
        if isinstance(val, dict):
            _write_dict(group.create_group(key), val)
        elif key == "type" and isinstance(val, str) and group.name.endswith("neuron") is False:
            group.create_dataset("type", (1,), "S10", [val.encode("ascii")])
        elif isinstance(val, str):
            group.create_dataset(key, data=val.encode("ascii"))
        else:
            group.create_dataset(key, data=np.asarray(val))


def write_layers(path: str | os.PathLike, layers: list[dict]) -> None:
    """Write raw layer descriptions (as :func:`load_layers` returns them) to a ``.net`` file."""
    import h5py

    with h5py.File(path, "w") as f:
        group = f.create_group("layer")
        for i, layer in enumerate(layers):
            _write_dict(group.create_group(str(i)), layer)


def write(path: str | os.PathLike, network: ty.Any) -> None:
    """Write a network to a lava-dl ``.net`` file.

    ``network`` is a :class:`Network` read from a file, a list of layer
    descriptions, or a caldera-dl torch model (anything with ``netx_layers()``).
    """
    if isinstance(network, Network):
        layers = []
        specs = network.layer_specs()
        if specs and specs[0].type != "input" and network.input_shape is not None:
            layers.append({"type": "input", "shape": np.asarray(network.input_shape[::-1])})
        for spec in specs:
            if spec.flatten_input:
                layers.append({"type": "flatten", "shape": np.asarray([int(np.prod(spec.input_shape)), 1, 1])})
            layers.append(spec.config)
    elif hasattr(network, "netx_layers"):
        layers = network.netx_layers()
    else:
        layers = list(network)
    parse(layers)  # refuse to write what could not be read back
    write_layers(path, layers)


__all__ = [
    "NetxError",
    "Network",
    "Block",
    "LayerSpec",
    "read",
    "write",
    "load_layers",
    "write_layers",
    "parse",
    "build",
    "optimize_weight_bits",
]
