"""``Monitor``: records Vars and OutPorts of other processes, step by step.

``monitor.probe(target, num_steps)`` adds a probe on a Var (read after the
step's last phase through a RefPort) or an OutPort (what was sent in the
step, through an InPort). ``get_data()[proc.name][member]`` is an array of
shape ``(num_steps, *shape)`` whose row ``t - 1`` holds step t (steps are
counted from the network's first run). Probes are added before the first run.
"""

from __future__ import annotations

import math
import typing as ty

import numpy as np

from caldera.errors import ParameterError, RuntimeStateError
from caldera.ports import InPort, OutPort, RefPort
from caldera.process import Process
from caldera.procs._validate import integer
from caldera.variable import Var


class Monitor(Process):
    def __init__(self, *, name: str | None = None, log_config: ty.Any = None) -> None:
        super().__init__(name=name)
        self.proc_params["probes"] = []  # (kind, port name, data var name, target proc name, member)

    def probe(self, target: Var | OutPort, num_steps: int) -> None:
        """Record ``target`` (a Var or an OutPort) for the first ``num_steps`` steps."""
        if self._runtime is not None:
            raise RuntimeStateError(f"{self.name}: add probes before the network's first run")
        num_steps = integer("Monitor.probe", "num_steps", num_steps, lo=1)
        probes = self.proc_params["probes"]
        owner = getattr(target, "process", None)
        if owner is not None and any(pn == owner.name and m == target.name for *_, pn, m in probes):
            raise ParameterError(f"{self.name}: {owner.name}.{target.name} is already probed by this Monitor")
        i = len(probes)
        if isinstance(target, Var):
            if target.process is None:
                raise ParameterError(f"{self.name}: the Var to probe belongs to no process")
            port = RefPort(shape=target.shape)
            setattr(self, f"ref_port_{i}", port)
            port.connect_var(target)
            kind, port_name = "var", f"ref_port_{i}"
        elif isinstance(target, OutPort):
            if target.process is None:
                raise ParameterError(f"{self.name}: the OutPort to probe belongs to no process")
            port = InPort(shape=target.shape)
            setattr(self, f"in_port_{i}", port)
            target.connect(port)
            kind, port_name = "port", f"in_port_{i}"
        else:
            raise ParameterError(f"{self.name}: probe target must be a Var or an OutPort, got {type(target).__name__}")
        data_name = f"data_{i}"
        setattr(self, data_name, Var(shape=(num_steps, *target.shape), init=0.0))
        probes.append((kind, port_name, data_name, target.process.name, target.name))

    def step_cost(self) -> int:
        """Per-step work: one copy of every probed element."""
        return sum(math.prod(getattr(self, d).shape[1:]) for _k, _p, d, _n, _m in self.proc_params["probes"])

    def report(self, path: ty.Any, profiler: ty.Any = None, title: str | None = None) -> ty.Any:
        """Write the HTML run report of this Monitor's network to ``path`` (see ``caldera.run_report``)."""
        from caldera.run_report import report

        return report(self, path, profiler=profiler, title=title)

    def get_data(self) -> dict[str, dict[str, np.ndarray]]:
        """``{process name: {Var or port name: array (num_steps, *shape)}}``."""
        out: dict[str, dict[str, np.ndarray]] = {}
        for _kind, _port, data_name, pname, member in self.proc_params["probes"]:
            out.setdefault(pname, {})[member] = getattr(self, data_name).get()
        return out

    def plot(self, ax: ty.Any, target: Var | OutPort, *args: ty.Any, **kwargs: ty.Any) -> None:
        """Draw the recorded trace of ``target`` on the matplotlib axes ``ax`` (Lava's ``Monitor.plot``): one
        line per element against the time step; ``args``/``kwargs`` go to ``ax.plot``."""
        owner = getattr(target, "process", None)
        data = self.get_data().get(getattr(owner, "name", None), {}).get(getattr(target, "name", None))
        if data is None:
            raise ParameterError(f"{self.name}.plot: {target!r} is not probed by this Monitor")
        steps = np.arange(1, data.shape[0] + 1)
        ax.plot(steps, data.reshape(data.shape[0], -1), *args, **kwargs)
        ax.set_xlabel("Time step")
        ax.set_ylabel(target.name)
        ax.set_title(f"{owner.name}: {target.name}")


__all__ = ["Monitor"]
