"""The declarative node spec of ``caldera ros run SPEC`` (YAML or JSON).

::

    name: tracker                 # node name
    network: tracker.npz          # a caldera.save file, relative to the spec's folder
    rate_hz: 1000                 # steps per second (wall clock; or of the clock topic)
    clock: wall                   # wall | free | topic   (default: wall with rate_hz, else free)
    clock_topic: /clock
    backend: cpu                  # optional: RunConfig(backend=..., tag=..., partitions=...)
    tag: floating_pt
    partitions: 1
    realtime: {priority: 10, cpus: [1], lock_memory: true}   # optional; or true, or a priority (see caldera_ros.realtime)
    inputs:
      - {topic: /events, type: dvs_msgs/EventArray, port: field.a_in, encoder: events, options: {downsample: 8}}
    outputs:
      - {topic: /target, type: geometry_msgs/PointStamped, port: field.s_out, decoder: population,
         options: {window: 20}, every: 10}

The ROS parameter server can override ``network``, ``rate_hz``, ``clock``, ``backend``, ``tag``,
``partitions`` and ``realtime`` through the node's private parameters (``~rate_hz``, ...). Every entry is checked when the
node is built, before it starts; errors name the entry (``inputs[1]: unknown encoder 'rat'; ...``).
"""

from __future__ import annotations

import pathlib
import typing as ty

from caldera.run_config import RunConfig

from caldera_ros.bindings import Input, Output, SpecError

_TOP = {
    "name",
    "network",
    "rate_hz",
    "clock",
    "clock_topic",
    "backend",
    "tag",
    "partitions",
    "realtime",
    "inputs",
    "outputs",
}
_IN = {"topic", "type", "port", "encoder", "options", "queue", "hold"}
_OUT = {"topic", "type", "port", "decoder", "options", "every", "on_change", "queue"}
#: what the parameter server may override (private parameters of the node)
PARAMS = ("network", "rate_hz", "clock", "backend", "tag", "partitions", "realtime")


def _entries(spec: dict, key: str, allowed: set[str], cls: type) -> list:
    raw = spec.get(key) or []
    if not isinstance(raw, list):
        raise SpecError(f"{key} must be a list of mappings, got {raw!r}")
    out = []
    for i, e in enumerate(raw):
        where = f"{key}[{i}]"
        if not isinstance(e, dict):
            raise SpecError(f"{where} must be a mapping, got {e!r}")
        unknown = sorted(set(e) - allowed)
        if unknown:
            raise SpecError(f"{where}: unknown key(s) {unknown}; allowed: {', '.join(sorted(allowed))}")
        missing = [k for k in ("topic", "type", "port") if k not in e]
        if missing:
            raise SpecError(f"{where}: missing {', '.join(missing)}")
        out.append(cls(**{k: v for k, v in e.items() if v is not None}))
    return out


def load_spec(path: str | pathlib.Path) -> dict:
    """Read a spec file (YAML, which includes JSON) into a dict, checked for unknown keys."""
    import yaml

    path = pathlib.Path(path)
    try:
        spec = yaml.safe_load(path.read_text())
    except OSError as e:
        raise SpecError(f"cannot read the spec {path}: {e}") from None
    except yaml.YAMLError as e:
        raise SpecError(f"{path}: not valid YAML/JSON: {e}") from None
    if not isinstance(spec, dict):
        raise SpecError(f"{path}: a spec is a mapping with name, network, inputs, outputs, ...")
    unknown = sorted(set(spec) - _TOP)
    if unknown:
        raise SpecError(f"{path}: unknown key(s) {unknown}; allowed: {', '.join(sorted(_TOP))}")
    spec["_base"] = path.parent
    return spec


def node_from_spec(spec: dict | str | pathlib.Path, overrides: dict | None = None, transport: ty.Any = None) -> ty.Any:
    """A ``Node`` from a spec (a dict as ``load_spec`` returns, or a path); ``overrides`` win over the spec."""
    from caldera_ros.node import Node

    if not isinstance(spec, dict):
        spec = load_spec(spec)
    spec = {**spec, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    base = pathlib.Path(spec.get("_base", "."))
    if "network" not in spec:
        raise SpecError("the spec names no network (key 'network': a file written by caldera.save)")
    net = pathlib.Path(spec["network"])
    net = net if net.is_absolute() else base / net
    if not net.is_file():
        raise SpecError(f"network: no such file {net}")
    name = spec.get("name") or net.stem
    cfg = None
    if spec.get("partitions") is not None:
        cfg = RunConfig(backend=spec.get("backend"), tag=spec.get("tag"), partitions=spec["partitions"])
    return Node(
        str(name),
        net,
        _entries(spec, "inputs", _IN, Input),
        _entries(spec, "outputs", _OUT, Output),
        rate_hz=spec.get("rate_hz"),
        clock=spec.get("clock"),
        clock_topic=spec.get("clock_topic", "/clock"),
        backend=spec.get("backend"),
        tag=spec.get("tag"),
        run_cfg=cfg,
        transport=transport,
        realtime=spec.get("realtime"),
    )


__all__ = ["load_spec", "node_from_spec", "PARAMS"]
