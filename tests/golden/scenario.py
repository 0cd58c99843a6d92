"""Rebuild a golden scenario (format in DESIGN.md) through Caldera's public API and run it."""

from __future__ import annotations

import json
import pathlib
import typing as ty

import caldera
import numpy as np
from caldera import procs
from caldera.procs.monitor import Monitor
from scipy import sparse as sp

DATA = pathlib.Path(__file__).parent / "data"

CLASSES: dict[str, ty.Callable] = {
    "LIF": procs.LIF,
    "LIFReset": procs.LIFReset,
    "LIFRefractory": procs.LIFRefractory,
    "TernaryLIF": procs.TernaryLIF,
    "Dense": procs.Dense,
    "Sparse": procs.Sparse,
    "DelayDense": procs.DelayDense,
    "DelaySparse": procs.DelaySparse,
    "Conv": procs.Conv,
    "SigmaDelta": procs.SigmaDelta,
    "RF": procs.RF,
    "RingBuffer": procs.RingBuffer,
    "RingBufferSink": procs.RingBufferSink,
    "LearningDense": procs.LearningDense,
    "LearningSparse": procs.LearningSparse,
    "LearningLIF": procs.LearningLIF,
}


def names() -> list[str]:
    return sorted(p.stem for p in DATA.glob("*.json"))


def load(name: str) -> tuple[dict, ty.Any]:
    spec = json.loads((DATA / f"{name}.json").read_text())
    arrays = np.load(DATA / f"{name}.npz")
    return spec, arrays


def _value(v: ty.Any, arrays: ty.Any) -> ty.Any:
    if isinstance(v, str) and v.startswith("@sparse:"):
        return sp.csr_matrix(arrays[v[len("@sparse:") :]])
    if isinstance(v, str) and v.startswith("@"):
        return arrays[v[1:]]
    if isinstance(v, dict) and "rule" in v:
        import caldera.learning as learning  # provided by the learning issue

        return getattr(learning, v["rule"])(**v["params"])
    if isinstance(v, list):
        return tuple(v)
    return v


def build(spec: dict, arrays: ty.Any, per_process_monitors: bool = False) -> tuple[dict, list, list[tuple[str, str]]]:
    net: dict[str, caldera.Process] = {}
    for p in spec["processes"]:
        params = {k: _value(v, arrays) for k, v in p["params"].items()}
        net[p["id"]] = CLASSES[p["type"]](name=p["id"], **params)
    for conn in spec["connections"]:
        src_s, dst_s = conn[0], conn[1]
        sp_, sport = src_s.split(".")
        dp_, dport = dst_s.split(".")
        src = getattr(net[sp_], sport)
        if len(conn) > 2:
            op = conn[2]
            if "reshape" in op:
                src = src.reshape(tuple(op["reshape"]))
            elif "flatten" in op:
                src = src.flatten()
            elif "transpose" in op:
                src = src.transpose(tuple(op["transpose"]))
            else:
                raise ValueError(f"unknown virtual port {op}")
        src.connect(getattr(net[dp_], dport))
    monitors: dict[str, Monitor] = {}
    probes = []
    for pr in spec["probes"]:
        pid, member = pr.split(".")
        # one Monitor for all probes, or one per probed process (so that partitions can separate them)
        key = pid if per_process_monitors else ""
        mon = monitors.setdefault(key, Monitor(name=f"monitor_{key}"))
        mon.probe(getattr(net[pid], member), spec["steps"])
        probes.append((pid, member))
    return net, list(monitors.values()), probes


def run(
    name: str,
    backend: str = "cpu",
    chunks: list[int] | None = None,
    partitions: ty.Any = 1,
    transport: str = "shm",
    **options: ty.Any,
) -> tuple[dict, dict]:
    """Run a scenario; returns ({probe: trace}, {probe: expected}). ``options``: more ``RunConfig`` fields."""
    spec, arrays = load(name)
    net, mons, probes = build(spec, arrays, per_process_monitors=partitions != 1)
    cfg = caldera.RunConfig(backend=backend, tag=spec["tag"], partitions=partitions, transport=transport, **options)
    root = next(iter(net.values()))
    schedule = spec.get("schedule")
    if schedule is None:
        schedule = [{"run": c} for c in (chunks or [spec["steps"]])]
    for item in schedule:
        if "run" in item:
            root.run(condition=caldera.RunSteps(num_steps=item["run"]), run_cfg=cfg)
        else:
            for target, key in item["set"].items():
                pid, var = target.split(".")
                getattr(net[pid], var).set(_value(key, arrays))
    data: dict = {}
    for mon in mons:
        for pname, members in mon.get_data().items():
            data.setdefault(pname, {}).update(members)
    root.stop()
    got = {f"{pid}.{m}": data[pid][m] for pid, m in probes}
    want = {f"{pid}.{m}": arrays[f"probe:{pid}.{m}"] for pid, m in probes}
    return got, want
