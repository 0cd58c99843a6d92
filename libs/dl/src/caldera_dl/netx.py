"""lava-dl's netx HDF5 network format (``.net``): read it into caldera processes, write it back.

A ``.net`` file holds a group ``layer`` with one sub-group per layer, named
``"0"``, ``"1"``, … in order. Each has a ``type`` (``input``, ``dense``,
``dense_comp``, ``conv``, ``convT``, ``pool``, ``unpool``, ``average``,
``flatten``, ``concat``; others are reported as unsupported), a ``shape`` in (C, H, W) order, its synapse (``weight`` as
8-bit-scaled integers, optional ``delay``, ``bias``, conv geometry) and a
``neuron`` group: ``type`` ``CUBA``/``LOIHI`` (``iDecay``, ``vDecay``,
``vThMant``), ``SDNN`` (``vThMant``, optional ``activation`` and
``sigma_output``) or ``RF_PHASE``/``RF_IZ`` (``sinDecay``, ``cosDecay``, ``vThMant``).

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

LAYER_TYPES = ("input", "dense", "dense_comp", "conv", "convT", "pool", "unpool", "average", "flatten", "concat")
NEURON_TYPES = ("CUBA", "LOIHI", "SDNN", "RF_PHASE", "RF_IZ")
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
    sin_decay: int = 0  # RF: 12-bit decays of the rotation
    cos_decay: int = 0
    phase: bool = True  # RF_PHASE (caldera RF) or another RF_* type (RF_IZ), as lava-dl decides

    def rf_params(self) -> dict:
        """``period`` and ``alpha`` of the resonator, derived from the 12-bit decays as lava-dl's netx does."""
        sin_d, cos_d = self.sin_decay / 4096, self.cos_decay / 4096
        freq = np.arctan2(sin_d, cos_d) / 2 / np.pi
        return {"period": 1 / freq, "alpha": 1 - np.sqrt(sin_d**2 + cos_d**2)}


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
    if ntype not in NEURON_TYPES and "RF" not in ntype:
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
    if "RF" in ntype:
        sin_d = int(_ints(i, ltype, n, "sinDecay", 1).reshape(-1)[0])
        cos_d = int(_ints(i, ltype, n, "cosDecay", 1).reshape(-1)[0])
        if not (0 < sin_d < 4096 and -4096 < cos_d < 4096) or sin_d**2 + cos_d**2 >= 4096**2:
            raise NetxError(
                f"netx: layer {i} ({ltype}): keys 'neuron/sinDecay', 'neuron/cosDecay' are {sin_d}, {cos_d}; "
                f"expected a damped rotation (0 < sinDecay, sinDecay**2 + cosDecay**2 < 4096**2)"
            )
        return NeuronSpec(
            "rf",
            vth,
            sin_decay=sin_d,
            cos_decay=cos_d,
            phase="PHASE" in ntype,
            message_bits=0 if bits is None else int(bits),
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
    weight_imag: np.ndarray | None = None  # complex dense: the imaginary part (the real one in ``weight``)
    matrix: ty.Any = None  # convT / unpool / average: the connection as a sparse (out, in) matrix of file integers
    delay: np.ndarray | None = None
    bias: np.ndarray | None = None
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    input_shape: tuple[int, ...] | None = None
    flatten_input: bool = False
    concat_from: list[int] | None = None  # a concat before this layer: its input joins these layers' outputs
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


def _xyc_index(shape: tuple[int, ...], x: ty.Any, y: ty.Any, c: ty.Any) -> ty.Any:
    """Position of (x, y, c) in a C-order flattened (X, Y, C) population."""
    return (x * shape[1] + y) * shape[2] + c


def conv_transpose_matrix(
    input_shape: tuple[int, int, int],
    weight: np.ndarray,
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    groups: int,
) -> tuple[ty.Any, tuple[int, int, int]]:
    """A transposed convolution (torch's ``conv_transpose2d``) as a sparse ``(out, in)`` matrix over (X, Y, C) populations.

    ``weight`` is ``(C_in, C_out / groups, kH, kW)``; ``stride``, ``padding``,
    ``dilation`` are (H, W) pairs. Input ``(h, w)`` reaches output
    ``(h s - p + a d, w s - p + b d)`` through tap ``(a, b)``. Returns the matrix
    and the output shape (X, Y, C).
    """
    from scipy import sparse as sp

    xin, yin, cin = input_shape
    c_in, c_og, kh, kw = weight.shape
    c_out = c_og * groups
    c_ig = c_in // groups
    ho = (yin - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + 1
    wo = (xin - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + 1
    out_shape = (wo, ho, c_out)
    if min(out_shape) < 1:
        return None, out_shape
    hh, ww = np.meshgrid(np.arange(yin), np.arange(xin), indexing="ij")
    hh, ww = hh.ravel(), ww.ravel()
    rows, cols, vals = [], [], []
    for a in range(kh):
        for b in range(kw):
            oh = hh * stride[0] - padding[0] + a * dilation[0]
            ow = ww * stride[1] - padding[1] + b * dilation[1]
            ok = (oh >= 0) & (oh < ho) & (ow >= 0) & (ow < wo)
            ih, iw, oh, ow = hh[ok], ww[ok], oh[ok], ow[ok]
            for ci in range(c_in):
                g = ci // c_ig
                for o in range(c_og):
                    val = weight[ci, o, a, b]
                    if val == 0:
                        continue
                    rows.append(_xyc_index(out_shape, ow, oh, g * c_og + o))
                    cols.append(_xyc_index(input_shape, iw, ih, ci))
                    vals.append(np.full(ih.size, val, dtype=weight.dtype))
    n_out, n_in = int(np.prod(out_shape)), int(np.prod(input_shape))
    if not rows:
        return sp.csr_matrix((n_out, n_in), dtype=weight.dtype), out_shape
    m = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_out, n_in))
    return m.tocsr(), out_shape


def _average_matrix(input_shape: tuple[int, ...], n_out: int) -> ty.Any:
    """slayer's average block: output j sums the j-th contiguous group of the input in (C, H, W) order."""
    from scipy import sparse as sp

    n_in = int(np.prod(input_shape))
    group = np.arange(n_in) // (n_in // n_out)  # group of each input in torch's (C, H, W) order
    if len(input_shape) == 3:  # caldera's population is (X, Y, C): the torch index of each of its entries
        x, y, c = np.unravel_index(np.arange(n_in), input_shape)
        group = group[(c * input_shape[1] + y) * input_shape[0] + x]
    return sp.csr_matrix((np.ones(n_in, dtype=np.int64), (group, np.arange(n_in))), shape=(n_out, n_in))


def _joined_shape(i: int, sources: list[int], shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    if len({len(sh) for sh in shapes}) != 1 or len(shapes[0]) == 3 and len({sh[:2] for sh in shapes}) != 1:
        raise NetxError(
            f"netx: layer {i} (concat): the joined layers {sources} give shapes {shapes} (X, Y, C); "
            f"expected one X and Y (joined along C) or all 1-D"
        )
    return (*shapes[0][:-1], sum(sh[-1] for sh in shapes))


def parse(layers: list[dict], num_layers: int | None = None) -> list[LayerSpec]:
    """Validate raw layer descriptions and turn them into :class:`LayerSpec` (raises :class:`NetxError`)."""
    if not layers:
        raise NetxError("netx: the network has no layers (expected layer/0, ...)")
    count = len(layers) if num_layers is None else min(len(layers), int(num_layers))
    specs: list[LayerSpec] = []
    prev_shape: tuple[int, ...] | None = None
    flatten_next = False
    unsupported = []
    out_shapes: dict[int, tuple[int, ...]] = {}  # file index -> output shape, for layers with neurons
    concat_checks: list = []  # recurrent concats: (index, sources, the shape the file says they join to)
    pending: list[int] | None = None  # the sources of a concat waiting for the next layer

    def _add(spec: LayerSpec) -> None:
        nonlocal pending
        if pending is not None:
            spec.concat_from, pending = pending, None
        specs.append(spec)
        out_shapes[spec.index] = tuple(spec.shape)

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
                _add(spec)
            prev_shape = shape
            continue
        if ltype == "concat":
            if "layers" not in cfg:
                raise NetxError(f"netx: layer {i} (concat): missing key 'layers' (the ids of the layers it joins)")
            ids = [int(v) for v in np.asarray(cfg["layers"]).reshape(-1)]
            if not specs or prev_shape is None:
                raise NetxError(f"netx: layer {i} (concat): needs a layer with neurons before it")
            for j in ids:
                if j == i or j >= count:
                    raise NetxError(
                        f"netx: layer {i} (concat): key 'layers' names layer {j}; expected another layer of the "
                        f"{count} built"
                    )
                if j > i:  # recurrent: that layer's output comes back; its shape is checked once it is known
                    if file_shape is None:
                        raise NetxError(
                            f"netx: layer {i} (concat): key 'layers' names the later layer {j} (a recurrent "
                            f"connection); the concat then needs its key 'shape'"
                        )
                    continue
                if j not in out_shapes:
                    raise NetxError(
                        f"netx: layer {i} (concat): key 'layers' names layer {j}, which sends nothing (no neurons: "
                        f"an input without neuron, a flatten or a concat)"
                    )
            sources = [specs[-1].index, *ids]
            if any(j > i for j in ids):
                joined = tuple(file_shape[::-1]) if len(file_shape) == 3 else (int(np.prod(file_shape)),)
                concat_checks.append((i, sources, joined))
            else:
                joined = _joined_shape(i, sources, [out_shapes[j] for j in sources])
                if file_shape is not None and int(np.prod(file_shape)) != int(np.prod(joined)):
                    raise NetxError(
                        f"netx: layer {i} (concat): key 'shape' is {file_shape} but the joined layers give "
                        f"{joined[::-1]} (C, H, W); shapes do not chain"
                    )
            pending = sources
            prev_shape = joined
            continue
        if ltype == "average":
            if prev_shape is None:
                raise NetxError(f"netx: layer {i} (average): needs an input shape (no layer before it)")
            if file_shape is None:
                raise NetxError(f"netx: layer {i} (average): missing key 'shape' (the number of outputs)")
            n_in, n_out = int(np.prod(prev_shape)), int(np.prod(file_shape))
            if n_out < 1 or n_in % n_out:
                raise NetxError(
                    f"netx: layer {i} (average): key 'shape' asks for {n_out} outputs; expected a divisor of the "
                    f"previous layer's {n_in} values (each output averages one contiguous group)"
                )
            spec = LayerSpec(i, "average", (n_out,), neuron=NeuronSpec("average", 0.0, message_bits=24), config=cfg)
            spec.matrix = _average_matrix(prev_shape, n_out)
            spec.input_shape = prev_shape
            flatten_next = False
            _add(spec)
            prev_shape = spec.shape
            continue
        if ltype in ("convT", "unpool"):
            if prev_shape is None or len(prev_shape) != 3:
                raise NetxError(
                    f"netx: layer {i} ({ltype}): needs an (X, Y, C) input; the previous layer gives "
                    f"{prev_shape if prev_shape is not None else 'nothing (no input shape)'}"
                )
            c_in = prev_shape[2]
            if ltype == "convT":
                w = _array(i, ltype, cfg, "weight", (4, 5))
                w = w.reshape(w.shape[:4])  # (C_in, C_out / groups, kH, kW), torch's ConvTranspose layout
                groups = int(_ints(i, ltype, cfg, "groups", 1, default=1).reshape(-1)[0])
                if groups < 1 or c_in % groups:
                    raise NetxError(
                        f"netx: layer {i} (convT): key 'groups' is {groups}; expected a divisor of the {c_in} "
                        f"input channels"
                    )
                if w.shape[0] != c_in:
                    raise NetxError(
                        f"netx: layer {i} (convT): key 'weight' has {w.shape[0]} input channels (first axis); the "
                        f"previous layer gives {c_in} channels; shapes do not chain"
                    )
                stride_default = 1
            else:  # unpool: one kernel, every channel on its own
                w = _array(i, ltype, cfg, "weight", (0, 1, 2, 3, 4, 5))
                if w.size == 1:
                    kh, kw = _pair(_ints(i, ltype, cfg, "kernelSize", 2))[::-1]
                    k = np.full((kh, kw), w.reshape(-1)[0])
                elif w.ndim >= 2 and w.size == w.shape[-2] * w.shape[-1]:
                    k = w.reshape(w.shape[-2:])
                else:
                    raise NetxError(
                        f"netx: layer {i} (unpool): key 'weight' must be one scalar or one (H, W) kernel, got {w.shape}"
                    )
                w = np.broadcast_to(k, (c_in, 1, *k.shape))
                groups = c_in
                stride_default = np.asarray(k.shape)
            stride = _pair(_ints(i, ltype, cfg, "stride", 2, default=stride_default))[::-1]
            padding = _pair(_ints(i, ltype, cfg, "padding", 2, default=0))[::-1]
            dilation = _pair(_ints(i, ltype, cfg, "dilation", 2, default=1))[::-1]
            if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
                raise NetxError(
                    f"netx: layer {i} ({ltype}): stride {stride} and dilation {dilation} must be >= 1, "
                    f"padding {padding} >= 0"
                )
            matrix, out_shape = conv_transpose_matrix(prev_shape, w.astype(np.int64), stride, padding, dilation, groups)
            if min(out_shape) < 1:
                raise NetxError(f"netx: layer {i} ({ltype}): the padding leaves no output for input {prev_shape}")
            if file_shape is not None and tuple(file_shape[::-1]) != out_shape:
                raise NetxError(
                    f"netx: layer {i} ({ltype}): key 'shape' is {file_shape} (C, H, W) but the layer computes "
                    f"{out_shape[::-1]} from its input {prev_shape[::-1]}; shapes do not chain"
                )
            spec = LayerSpec(i, ltype, out_shape, neuron=_neuron(i, ltype, cfg), config=cfg)
            spec.matrix = matrix
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
            _add(spec)
            prev_shape = out_shape
            continue
        if ltype in ("dense", "dense_comp"):
            imag = None
            if isinstance(cfg.get("weight"), dict):
                parts = cfg["weight"]
                if set(parts) != {"real", "imag"}:
                    raise NetxError(
                        f"netx: layer {i} ({ltype}): group 'weight' holds {sorted(parts)}; expected 'real' and 'imag'"
                    )
                w = _array(i, ltype, {"weight/real": parts["real"]}, "weight/real", (1, 2))
                imag = _array(i, ltype, {"weight/imag": parts["imag"]}, "weight/imag", (1, 2))
                if imag.shape != w.shape:
                    raise NetxError(
                        f"netx: layer {i} ({ltype}): keys 'weight/real' {w.shape} and 'weight/imag' {imag.shape} "
                        f"must have one shape"
                    )
            elif ltype == "dense_comp":
                raise NetxError(f"netx: layer {i} (dense_comp): missing keys 'weight/real' and 'weight/imag'")
            else:
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
                imag = None if imag is None else imag.reshape(out_n, -1)
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
            spec = LayerSpec(i, ltype, (out_n,), neuron=_neuron(i, ltype, cfg), weight=w.astype(np.int64), config=cfg)
            if imag is not None:
                if spec.neuron.kind != "rf":
                    raise NetxError(
                        f"netx: layer {i} ({ltype}): a complex synapse (weight/real, weight/imag) needs an RF neuron "
                        f"(key 'neuron/type' RF_PHASE or RF_IZ), got a {spec.neuron.kind.upper()} neuron"
                    )
                spec.weight_imag = imag.astype(np.int64)
            if "delay" in cfg and imag is not None:
                unsupported.append(f"layer {i} ({ltype} with 'delay')")
            elif "delay" in cfg:
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
            _add(spec)
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
        _add(spec)
        prev_shape = out_shape
    if unsupported:
        raise NetxError(
            f"netx: unsupported layers: {', '.join(unsupported)}; caldera-dl builds {', '.join(LAYER_TYPES)} "
            f"(pass num_layers= to build only the layers before them)"
        )
    if not specs:
        raise NetxError("netx: the description holds no layer with neurons")
    for i, sources, joined in concat_checks:
        gone = [j for j in sources if j not in out_shapes]
        if gone:
            raise NetxError(f"netx: layer {i} (concat): key 'layers' names layers {gone}, which send nothing")
        got = _joined_shape(i, sources, [out_shapes[j] for j in sources])
        if int(np.prod(got)) != int(np.prod(joined)) or got[:-1] != joined[:-1]:
            raise NetxError(
                f"netx: layer {i} (concat): key 'shape' is {joined[::-1]} (C, H, W) but the joined layers give "
                f"{got[::-1]}; shapes do not chain"
            )
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
    imag_synapse: ty.Any = None  # complex dense: the synapse into the RF neuron's imaginary part

    @property
    def processes(self) -> list:
        return [p for p in (self.synapse, self.imag_synapse, self.neuron) if p is not None]


class Network:
    """A feed-forward network of caldera processes, layer by layer (what :func:`read` returns).

    ``layers`` are :class:`Block` objects; ``inp`` is the InPort that feeds the
    first layer, ``out`` the last layer's OutPort. ``run``/``stop`` act on the
    whole network (any of its processes reaches the rest).
    """

    def __init__(self, layers: list[Block], *, source: str = "", input_shape: tuple[int, ...] | None = None):
        self.layers = layers
        self.file_layers: list[dict] | None = None  # the file's layer descriptions, when read whole
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
    if n.kind == "average":
        from caldera.procs import GradedVec

        return GradedVec(shape=spec.shape, vth=0, name=name)  # sends its summed input every step
    if n.kind == "rf":
        from caldera.procs import RF, RF_IZ

        if bias is not None:
            raise NetxError(f"netx: layer {spec.index} ({spec.type}): RF neurons take no 'bias'")
        proc = RF if n.phase else RF_IZ
        rf = n.rf_params()
        if fixed:  # lava-dl's netx: period and alpha from the file's integers, state_exp 6, 12 decay bits
            out = proc(shape=spec.shape, vth=n.vth, state_exp=6, decay_bits=12, name=name, **rf)
            # the file's decays themselves (lava-dl recomputes them from period and alpha, which can be 1 off)
            out.sin_decay.init = np.array([n.sin_decay])
            out.cos_decay.init = np.array([n.cos_decay])
            return out
        return proc(shape=spec.shape, vth=n.vth / 64, name=name, **rf)
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
    concats: list[Block] = []
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
        imag_synapse = None
        if spec.matrix is not None:  # convT, unpool, average
            m = spec.matrix.tocsr()
            if fixed:
                vals, nbits, wexp = optimize_weight_bits(m.data) if m.nnz else (m.data, 8, 0)
                m = sp.csr_matrix((vals, m.indices, m.indptr), shape=m.shape)
            else:
                m = m.astype(np.float64) / (m.shape[1] // m.shape[0] if spec.type == "average" else 64)
                nbits, wexp = 8, 0
            synapse = Sparse(
                weights=m,
                weight_exp=wexp,
                num_weight_bits=nbits,
                num_message_bits=msg_bits,
                name=f"L{spec.index}_syn",
            )
        elif spec.type in ("dense", "dense_comp"):
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
            if spec.weight_imag is not None:  # lava-dl's ComplexDense: a second synapse into the imaginary part
                wi = spec.weight_imag
                if fixed:
                    wi, nbits_i, wexp_i = optimize_weight_bits(wi)
                else:
                    wi, nbits_i, wexp_i = wi / 64, 8, 0
                common_i = dict(common, weight_exp=wexp_i, num_weight_bits=nbits_i, name=f"L{spec.index}_syn_imag")
                imag_synapse = (
                    Sparse(weights=sp.csr_matrix(wi), **common_i) if sparse_fc_layer else Dense(weights=wi, **common_i)
                )
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
        a_in = neuron.a_real_in if spec.neuron.kind == "rf" else neuron.a_in
        if synapse is not None:
            a_out = synapse.a_out
            if spec.matrix is not None and len(spec.shape) == 3:
                a_out = a_out.reshape(spec.shape)
            a_out.connect(a_in)
        if imag_synapse is not None:
            imag_synapse.a_out.connect(neuron.a_imag_in)
        inp = synapse.s_in if synapse is not None else a_in
        if spec.matrix is not None and len(spec.input_shape) == 3:
            inp = synapse.s_in.reshape(spec.input_shape)  # the matrix takes the (X, Y, C) input in C order
        if imag_synapse is not None:
            inp = [synapse.s_in, imag_synapse.s_in]
        block = Block(
            spec.index,
            spec.type,
            tuple(spec.shape),
            neuron,
            synapse,
            inp=inp,
            out=neuron.s_out,
            output_message_bits=out_bits,
            spec=spec,
            imag_synapse=imag_synapse,
        )
        if spec.concat_from is not None:
            concats.append(block)
        elif blocks:
            prev = blocks[-1].out
            if spec.flatten_input:
                prev.transpose([2, 1, 0]).flatten().connect(block.inp)
            else:
                prev.connect(block.inp)
        blocks.append(block)
        msg_bits = out_bits
        offset += 1
    by_index = {b.index: b for b in blocks}
    for block in concats:  # after every layer exists: a concat may bring back a later layer's output
        spec = block.spec
        missing = [j for j in spec.concat_from if j not in by_index]
        if missing:
            raise NetxError(
                f"netx: layer {spec.index}: the concat before it joins layers {missing}, which were not built "
                f"(skip_layers?)"
            )
        srcs = [by_index[j] for j in spec.concat_from]
        if len({b.output_message_bits for b in srcs}) != 1:
            raise NetxError(
                f"netx: layer {spec.index}: the concat before it joins binary and graded outputs "
                f"({[b.output_message_bits for b in srcs]} message bits)"
            )
        joined = srcs[0].out.concat_with([b.out for b in srcs[1:]], axis=len(srcs[0].shape) - 1)
        if spec.flatten_input:
            joined = joined.transpose([2, 1, 0]).flatten()
        joined.connect(block.inp)
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
    net = build(
        specs,
        tag=tag,
        input_message_bits=input_message_bits,
        reset_interval=reset_interval,
        reset_offset=reset_offset,
        spike_exp=spike_exp,
        sparse_fc_layer=sparse_fc_layer,
        source=os.fspath(path),
    )
    if num_layers is None and not skip_layers:
        net.file_layers = layers
    return net


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
    if isinstance(network, Network) and getattr(network, "file_layers", None) is not None:
        layers = network.file_layers  # as read: concat ids keep pointing at the same layers
    elif isinstance(network, Network):
        if any(s.concat_from is not None for s in network.layer_specs()):
            raise NetxError("netx.write: a network with concat layers is written from the file it was read from")
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
