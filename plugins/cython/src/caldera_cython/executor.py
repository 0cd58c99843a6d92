"""The compiled executor: a partition of known models stepped by one C loop.

``make_executor(plan)`` looks at the compiler's :class:`~caldera.compiler.Plan`.
When every model of the partition is one of this plugin's compiled models
(RingBuffers included) or a model of the core's Monitor, and every InPort is fed by nothing, one
OutPort, a plain sum of OutPorts, or reshapes of them, it returns a
:class:`CompiledExecutor`: message buffers are preallocated once, an InPort with one source reads
that source's output buffer directly, any other becomes a gather op (sum of
the source buffers) placed right before its consumer, and a step is the
static op list

    send (send-first kernels) -> gather + step (receive-first kernels, in topological order)
    -> gather + step (send-first kernels) -> post (Monitor Var probes)

run by :class:`caldera_cython._kernels.Engine` without calling Python. Any
other partition (users' Python models, transposes or concatenations of ports,
messages whose kinds differ) runs on the core's
:class:`~caldera.executor.InProcessExecutor`, still with the compiled kernels
of the models that have one. :attr:`CompiledExecutor.reason` /
``fallback_reason(plan)`` say why a plan is not compiled.
"""

from __future__ import annotations

import collections
import typing as ty

import numpy as np
from caldera.compiler import Plan
from caldera.compiler.wiring import Apply, Src, Sum, Zero, resolve
from caldera.errors import RunError
from caldera.executor import InProcessExecutor
from caldera.model import PyLoihiProcessModel
from caldera.ports import ReshapePort
from caldera.procs.monitor import Monitor

from caldera_cython import _kernels as K
from caldera_cython.models import CompiledModel

#: steps run between two checks of pause/stop requests and progress updates
CHUNK = 64


def is_monitor(model: ty.Any) -> bool:
    """A model of the core's :class:`~caldera.procs.monitor.Monitor`, whichever backend registered it.

    The loop records its probes itself: what a Monitor records is fixed by the process (its
    ``probes`` parameter names the probed port or RefPort and the data Var each step fills),
    not by the model, so the model's own step never runs in a compiled loop.
    """
    return isinstance(getattr(model, "process", None), Monitor)


def _foreign_link(model: ty.Any) -> str | None:
    """The first port of ``model`` that exchanges messages with another partition or thread (its queue is a
    channel, not the in-process deque), named; None when every message stays in the partition. The compiled
    loop wires buffers within the partition only, so such a partition runs on the core's executor."""
    proc = model.process
    for port in (*proc.in_ports, *proc.out_ports):
        queues = getattr(getattr(model, port.name, None), "_queues", ())
        if any(not isinstance(q, collections.deque) for q in queues):
            return f"{model.process_name}.{port.name} exchanges messages with another partition"
    return None


def _overrides(model: ty.Any, name: str) -> bool:
    return getattr(type(model), name) is not getattr(PyLoihiProcessModel, name)


def _flatten_expr(expr: ty.Any) -> list | None:
    """The OutPorts summed by a feed expression, or None if it is more than a sum of (reshaped) sources."""
    if isinstance(expr, Zero):
        return []
    if isinstance(expr, Src):
        return [expr.port]
    if isinstance(expr, Sum):
        out: list = []
        for t in expr.terms:
            sub = _flatten_expr(t)
            if sub is None:
                return None
            out.extend(sub)
        return out
    if isinstance(expr, Apply) and isinstance(expr.port, ReshapePort) and len(expr.args) == 1:
        return _flatten_expr(expr.args[0])
    return None


def fallback_reason(plan: Plan) -> str | None:
    """Why ``plan`` cannot run as a compiled loop (None when it can)."""
    if plan.general or plan.async_models:
        names = ", ".join(m.process_name for m in plan.general + plan.async_models)
        return f"models without a static schedule: {names}"
    leaf_ids = {m.process.id for m in plan.models}
    for m in plan.models:
        foreign = _foreign_link(m)
        if foreign is not None:
            return foreign
        if is_monitor(m):
            for kind, _port, _data, _p, _m in m.proc_params["probes"]:
                if kind == "var":
                    ref = getattr(m, _port)
                    src = getattr(ref._target_model, ref._target_name, None)
                    if not (isinstance(src, np.ndarray) and src.flags.c_contiguous and K.dtype_supported(src.dtype)):
                        return f"{m.process_name} probes {ref._target_name}, which is not a plain array"
            data_ok = all(
                isinstance(getattr(m, d), np.ndarray)
                and getattr(m, d).dtype == np.float64
                and getattr(m, d).flags.c_contiguous
                for _k, _p, d, _q, _r in m.proc_params["probes"]
            )
            if not data_ok:
                return f"{m.process_name}: probe buffers are not float64 arrays"
        elif not isinstance(m, CompiledModel):
            return f"{m.process_name} ({type(m).__name__}) has no compiled kernel"
        elif any(_overrides(m, g) for g in ("pre_guard", "lrn_guard", "post_guard")):
            return f"{m.process_name} has management or learning phases"
        for port in m.process.in_ports:
            srcs = _flatten_expr(resolve(port, leaf_ids))
            if srcs is None:
                return f"{m.process_name}.{port.name} is fed through a transpose or concatenation"
    return None


class CompiledExecutor:
    """Runs a partition of compiled models; see the module docstring."""

    compiled = True

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.models = plan.models
        self.time_step = 0
        self.reason: str | None = None
        self._leaf_ids = {m.process.id for m in plan.models}
        self._build()  # fail early (at compile time) on anything the loop cannot wire

    # -- building the op list -------------------------------------------------------------
    def _monitor_kernel(self, m: ty.Any, out_of: dict) -> ty.Any:
        port_probes, var_probes = [], []
        for kind, port_name, data_name, _p, _m in m.proc_params["probes"]:
            data = getattr(m, data_name)
            data2d = data.reshape(data.shape[0], -1)
            if kind == "port":
                srcs = self._sources(m, port_name, out_of)
                kinds = {"f" if s.dtype == np.float64 else "i" for s, _ in srcs}
                port_probes.append((data2d, kinds.pop() if kinds else "f", data2d.shape[1]))
            else:
                ref = getattr(m, port_name)
                src = getattr(ref._target_model, ref._target_name)
                var_probes.append((data2d, src.reshape(-1)))
        return K.MonitorKernel(port_probes, var_probes)

    def _sources(self, m: ty.Any, port_name: str, out_of: dict) -> list[tuple[np.ndarray, bool]]:
        port = getattr(m.process.in_ports, port_name)
        srcs = _flatten_expr(resolve(port, self._leaf_ids)) or []
        return [out_of[(s.process.id, s.name)] for s in srcs]

    def _build(self) -> None:
        plan = self.plan
        kernels: dict[int, ty.Any] = {}
        out_of: dict[tuple[int, str], tuple[np.ndarray, bool]] = {}
        for m in plan.models:
            if isinstance(m, CompiledModel):
                k = m.kernel
                kernels[id(m)] = k
                for name, buf in zip(m.kernel_outputs, k.outputs):
                    out_of[(m.process.id, name)] = (buf, bool(k.out_wrap32))
        for m in plan.models:
            if is_monitor(m):
                kernels[id(m)] = self._monitor_kernel(m, out_of)

        def gathers(m: ty.Any) -> list:
            ops = []
            k = kernels[id(m)]
            names = (
                m.kernel_inputs
                if isinstance(m, CompiledModel)
                else [pn for kind, pn, *_ in m.proc_params["probes"] if kind == "port"]
            )
            attrs = getattr(k, "input_attrs", None) if isinstance(m, CompiledModel) else None
            for idx, (name, dst) in enumerate(zip(names, list(k.inputs))):
                srcs = self._sources(m, name, out_of)
                if not srcs:
                    continue  # unconnected: the buffer stays zero
                if (
                    attrs is not None
                    and len(srcs) == 1
                    and srcs[0][0].dtype == dst.dtype
                    and srcs[0][0].size == dst.size
                ):
                    # one source: the kernel reads the source's output buffer directly (no copy)
                    setattr(k, attrs[idx], srcs[0][0])
                    k.inputs[idx] = srcs[0][0]
                    continue
                try:
                    ops.append(K.GatherOp(dst, [s for s, _ in srcs], all(w for _, w in srcs)))
                except TypeError as e:
                    raise TypeError(f"{m.process_name}.{name}: {e}") from None
            return ops

        ops: list = [K.SendOp(kernels[id(m)]) for m in plan.send_first]
        for m in plan.recv_first:
            ops += gathers(m)
            ops.append(K.StepOp(kernels[id(m)]))
        for m in plan.send_first:
            ops += gathers(m)
            ops.append(K.StepOp(kernels[id(m)]))
        for m in sorted(plan.models, key=lambda m: getattr(m, "mgmt_order", 0)):
            if is_monitor(m):
                ops.append(K.PostOp(kernels[id(m)]))
        self._engine = K.Engine(ops, self.time_step)

    # -- stepping -------------------------------------------------------------------------
    def run_steps(
        self, num_steps: int, should_stop: ty.Callable[[], bool] | None = None, progress: ty.Any = None
    ) -> int:
        """Run up to ``num_steps`` steps in C; pause/stop requests are honoured every ``CHUNK`` steps."""
        self._build()  # Var writes between runs may have replaced kernels or arrays
        engine = self._engine
        done = 0
        try:
            while done < num_steps:
                if should_stop is not None and should_stop():
                    break
                n = num_steps - done if should_stop is None and progress is None else min(CHUNK, num_steps - done)
                engine.run(n)
                done += n
                if progress is not None:
                    progress.update(n)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # noqa: BLE001 - reported with context
            raise RunError(
                f"the compiled loop failed at step {engine.time_step + 1}: {exc!r}", step=int(engine.time_step) + 1
            ) from exc
        finally:
            self.time_step = int(engine.time_step)
            for m in self.models:
                m.time_step = self.time_step
        return done


def make_executor(plan: Plan) -> CompiledExecutor | InProcessExecutor:
    """A compiled loop when the whole partition is known, else the core's executor (see the module doc)."""
    reason = fallback_reason(plan)
    if reason is None:
        try:
            return CompiledExecutor(plan)
        except TypeError as e:  # kinds of messages that the buffers cannot carry
            reason = str(e)
    ex = InProcessExecutor(plan)
    ex.compiled = False  # type: ignore[attr-defined]
    ex.reason = reason  # type: ignore[attr-defined]
    return ex


__all__ = ["CompiledExecutor", "make_executor", "fallback_reason", "is_monitor", "CHUNK"]
