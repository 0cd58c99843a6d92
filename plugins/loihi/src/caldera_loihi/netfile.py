"""Network description files: a JSON graph of standard processes (the golden suite's scenario format).

``NAME.json`` holds ``processes`` (``id``, Lava class name, parameters),
``connections`` (``["a.s_out", "b.s_in"]`` with an optional virtual port
``{"reshape": shape}``, ``{"flatten": true}`` or ``{"transpose": axes}``),
optionally ``steps`` and ``tag``. A string parameter ``"@KEY"`` names an
array in ``NAME.npz`` next to it (``"@sparse:KEY"``: as a CSR matrix).
"""

from __future__ import annotations

import json
import pathlib
import typing as ty

import numpy as np
from caldera import procs
from caldera.errors import ParameterError
from caldera.lazy import lazy_module

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)

CLASSES: dict[str, ty.Callable] = {
    name: getattr(procs, name)
    for name in (
        "LIF",
        "LIFReset",
        "LIFRefractory",
        "TernaryLIF",
        "Dense",
        "Sparse",
        "DelayDense",
        "DelaySparse",
        "Conv",
        "Sigma",
        "SigmaDelta",
        "RF",
        "RingBuffer",
        "RingBufferSink",
    )
}


def _value(v: ty.Any, arrays: ty.Any, where: str) -> ty.Any:
    if isinstance(v, str) and v.startswith("@"):
        key = v[len("@sparse:") :] if v.startswith("@sparse:") else v[1:]
        if arrays is None or key not in arrays:
            raise ParameterError(f"{where}: array {key!r} is not in the network's .npz file")
        return sp.csr_matrix(arrays[key]) if v.startswith("@sparse:") else arrays[key]
    if isinstance(v, list):
        return tuple(v)
    return v


def load(path: str | pathlib.Path) -> tuple[dict, dict]:
    """Build the processes of a description file; returns ``(spec, {id: process})``, connected."""
    p = pathlib.Path(path)
    try:
        spec = json.loads(p.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ParameterError(f"cannot read a network description from {p}: {e}") from e
    if not isinstance(spec, dict) or "processes" not in spec:
        raise ParameterError(f"{p}: a network description needs a 'processes' list")
    npz = p.with_suffix(".npz")
    arrays = np.load(npz) if npz.exists() else None
    net: dict[str, ty.Any] = {}
    for item in spec["processes"]:
        cls = CLASSES.get(item.get("type"))
        if cls is None:
            raise ParameterError(
                f"{p}: process {item.get('id')!r} has unknown type {item.get('type')!r}; "
                f"known: {', '.join(sorted(CLASSES))}"
            )
        where = f"{p.name}: {item['id']}"
        params = {k: _value(v, arrays, where) for k, v in item.get("params", {}).items()}
        net[item["id"]] = cls(name=item["id"], **params)
    for conn in spec.get("connections", []):
        try:
            (sp_, sport), (dp_, dport) = conn[0].split("."), conn[1].split(".")
            src, dst = getattr(net[sp_], sport), getattr(net[dp_], dport)
        except (KeyError, AttributeError, ValueError) as e:
            raise ParameterError(f"{p}: bad connection {conn!r}: {e}") from e
        if len(conn) > 2:
            op = conn[2]
            if "reshape" in op:
                src = src.reshape(tuple(op["reshape"]))
            elif "flatten" in op:
                src = src.flatten()
            elif "transpose" in op:
                src = src.transpose(tuple(op["transpose"]))
            else:
                raise ParameterError(f"{p}: unknown virtual port {op!r}")
        src.connect(dst)
    return spec, net


__all__ = ["load", "CLASSES"]
