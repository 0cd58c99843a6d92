"""Rebuild a golden scenario (format in DESIGN.md) through Lava 0.10's import paths only, and run it.

Nothing here imports caldera: the processes, learning rules, run configurations and the Monitor all
come from ``lava.*`` (caldera-lava), the way a Lava 0.10 script would name them.
"""

from __future__ import annotations

import json
import pathlib
import typing as ty

import numpy as np
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi2HwCfg, Loihi2SimCfg
from lava.proc.conv.process import Conv
from lava.proc.dense.process import DelayDense, Dense, LearningDense
from lava.proc.io.sink import RingBuffer as RingBufferSink
from lava.proc.io.source import RingBuffer
from lava.proc.learning_rules.r_stdp_learning_rule import RewardModulatedSTDP
from lava.proc.learning_rules.stdp_learning_rule import STDPLoihi
from lava.proc.lif.process import LIF, LearningLIF, LIFRefractory, LIFReset, TernaryLIF
from lava.proc.monitor.process import Monitor
from lava.proc.rf.process import RF
from lava.proc.sdn.process import SigmaDelta
from lava.proc.sparse.process import DelaySparse, LearningSparse, Sparse
from scipy import sparse as sp

DATA = pathlib.Path(__file__).resolve().parent.parent / "golden" / "data"

CLASSES: dict[str, ty.Callable] = {
    "LIF": LIF,
    "LIFReset": LIFReset,
    "LIFRefractory": LIFRefractory,
    "TernaryLIF": TernaryLIF,
    "Dense": Dense,
    "Sparse": Sparse,
    "DelayDense": DelayDense,
    "DelaySparse": DelaySparse,
    "Conv": Conv,
    "SigmaDelta": SigmaDelta,
    "RF": RF,
    "RingBuffer": RingBuffer,
    "RingBufferSink": RingBufferSink,
    "LearningDense": LearningDense,
    "LearningSparse": LearningSparse,
    "LearningLIF": LearningLIF,
}
RULES = {"STDPLoihi": STDPLoihi, "RewardModulatedSTDP": RewardModulatedSTDP}


def names() -> list[str]:
    return sorted(p.stem for p in DATA.glob("*.json"))


def load(name: str) -> tuple[dict, ty.Any]:
    return json.loads((DATA / f"{name}.json").read_text()), np.load(DATA / f"{name}.npz")


def _value(v: ty.Any, arrays: ty.Any) -> ty.Any:
    if isinstance(v, str) and v.startswith("@sparse:"):
        return sp.csr_matrix(arrays[v[len("@sparse:") :]])
    if isinstance(v, str) and v.startswith("@"):
        return arrays[v[1:]]
    if isinstance(v, dict) and "rule" in v:
        return RULES[v["rule"]](**v["params"])
    if isinstance(v, list):
        return tuple(v)
    return v


def run_config(backend: str, tag: str) -> ty.Any:
    """The run configuration a Lava user writes for ``backend`` (Loihi2HwCfg for caldera's Loihi emulator)."""
    if backend == "loihi":
        return Loihi2HwCfg(select_tag=tag)
    if backend == "cpu":
        return Loihi2SimCfg(select_tag=tag)
    return Loihi2SimCfg(select_tag=tag, backend=backend)  # caldera's keyword for its other CPU backends


def run(name: str, backend: str = "cpu", chunks: list[int] | None = None) -> tuple[dict, dict]:
    """Run a scenario through lava.* names; returns ({probe: trace}, {probe: Lava's trace})."""
    spec, arrays = load(name)
    net = {}
    for p in spec["processes"]:
        params = {k: _value(v, arrays) for k, v in p["params"].items()}
        net[p["id"]] = CLASSES[p["type"]](name=p["id"], **params)
    for conn in spec["connections"]:
        (sp_, sport), (dp_, dport) = conn[0].split("."), conn[1].split(".")
        src = getattr(net[sp_], sport)
        if len(conn) > 2:
            op = conn[2]
            if "reshape" in op:
                src = src.reshape(tuple(op["reshape"]))
            elif "flatten" in op:
                src = src.flatten()
            else:
                src = src.transpose(tuple(op["transpose"]))
        src.connect(getattr(net[dp_], dport))
    monitor = Monitor()
    probes = [tuple(pr.split(".")) for pr in spec["probes"]]
    for pid, member in probes:
        monitor.probe(getattr(net[pid], member), spec["steps"])
    cfg = run_config(backend, spec["tag"])
    root = next(iter(net.values()))
    schedule = spec.get("schedule") or [{"run": c} for c in (chunks or [spec["steps"]])]
    for item in schedule:
        if "run" in item:
            root.run(condition=RunSteps(num_steps=item["run"]), run_cfg=cfg)
        else:
            for target, key in item["set"].items():
                pid, var = target.split(".")
                getattr(net[pid], var).set(_value(key, arrays))
    data = monitor.get_data()
    root.stop()
    got = {f"{pid}.{m}": data[pid][m] for pid, m in probes}
    want = {f"{pid}.{m}": arrays[f"probe:{pid}.{m}"] for pid, m in probes}
    return got, want
