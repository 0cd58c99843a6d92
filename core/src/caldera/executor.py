"""The in-process executor: runs a partition's models step by step, in one thread.

No OS process or thread per model. When every model declares how it
exchanges messages (``schedule``), a step is a fixed list of bound-method
calls. Models that do not (user code whose ``run_spk`` may send and receive in
any order) run as greenlets: a ``recv`` with no message yet suspends the
model, and the step ends when every model has finished its ``run_spk``. A
step where nothing can proceed is a deadlock and ends the run with the names
of the waiting processes.
"""

from __future__ import annotations

import traceback
import typing as ty

from caldera.channels import wait_any
from caldera.compiler import Plan
from caldera.errors import PartitionAborted, RunError
from caldera.model import AbstractPyProcessModel, PyLoihiProcessModel

_PHASE_OF = {
    "run_spk": "spk",
    "send_spk": "spk",
    "recv_spk": "spk",
    "pre_guard": "pre_mgmt",
    "run_pre_mgmt": "pre_mgmt",
    "lrn_guard": "lrn",
    "run_lrn": "lrn",
    "post_guard": "post_mgmt",
    "run_post_mgmt": "post_mgmt",
}


def _overrides(model: ty.Any, name: str) -> bool:
    impl = getattr(type(model), name, None)
    return impl is not None and impl is not getattr(PyLoihiProcessModel, name)


class _Scheduler:
    """Cooperative scheduling of general models within the spiking phase."""

    def __init__(self) -> None:
        self.progress = 0
        self.current: ty.Any = None

    def block_until(self, port: ty.Any) -> None:
        import greenlet

        g = greenlet.getcurrent()
        if g.parent is None:
            raise RuntimeError(f"{port.process_name}.{port.name}.recv: no message available (called outside the step)")
        while not all(port._queues):
            g.parent.switch(port)


class InProcessExecutor:
    """Steps a partition of Python models; see the module docstring."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.models: list[AbstractPyProcessModel] = plan.models
        self.time_step = 0
        #: optional shared array where each finished step is published (watchdogs, progress)
        self.step_counter: ty.Any = None
        self.counter_index = 0
        self._model_ids = {id(m) for m in self.models}
        mgmt_sorted = sorted(
            (m for m in self.models if m not in plan.async_models), key=lambda m: getattr(m, "mgmt_order", 0)
        )
        self._pre = [m for m in mgmt_sorted if _overrides(m, "pre_guard")]
        self._lrn = [m for m in mgmt_sorted if _overrides(m, "lrn_guard")]
        self._post = [m for m in mgmt_sorted if _overrides(m, "post_guard")]
        self.dynamic = bool(plan.general)
        self._sync_models = [m for m in self.models if m not in plan.async_models]
        if not self.dynamic:
            self._spk_calls = (
                [m.send_spk for m in plan.send_first] + recv_first_calls(plan) + [m.recv_spk for m in plan.send_first]
            )
        else:
            self._sched = _Scheduler()
            for m in self.models:
                for attr in vars(m).values():
                    if hasattr(attr, "_queues") and hasattr(attr, "scheduler"):
                        attr.scheduler = self._sched

    # -- profiling (caldera.profiler) ------------------------------------------------------------
    def instrument(self, wrap: ty.Callable[[ty.Any, str, ty.Callable], ty.Callable]) -> ty.Callable[[], None]:
        """Swap in instrumented calls for profiling; returns the function that restores the plain ones.

        ``wrap(owner, phase, call)`` returns the call to make instead of ``call``; ``owner`` is the
        model, or the list of models of a fused call, and ``phase`` one of spk / pre_mgmt / lrn /
        post_mgmt. The step loop itself is not changed, so a run that is not profiled pays nothing.
        """
        patched: list[tuple[ty.Any, str]] = []

        def patch(m: ty.Any, name: str) -> None:
            m.__dict__[name] = wrap(m, _PHASE_OF[name], getattr(m, name))
            patched.append((m, name))

        send_first = {id(m) for m in self.plan.send_first}
        for m in self._sync_models:
            for name in ("send_spk", "recv_spk") if id(m) in send_first else ("run_spk",):
                patch(m, name)
        for models, names in ((self._pre, ("pre_guard", "run_pre_mgmt")), (self._lrn, ("lrn_guard", "run_lrn"))):
            for m in models:
                for name in names:
                    patch(m, name)
        for m in self._post:
            for name in ("post_guard", "run_post_mgmt"):
                patch(m, name)
        saved = None if self.dynamic else self._spk_calls
        if saved is not None:
            calls = []
            for f in saved:
                owner = getattr(f, "__self__", None)
                if owner is not None and id(owner) in self._model_ids:
                    calls.append(getattr(owner, f.__name__))  # the patched method
                else:  # a fused call of several models
                    members = getattr(f, "fused_models", None) or getattr(owner, "fused_models", None) or []
                    calls.append(wrap(list(members), "spk", f))
            self._spk_calls = calls

        def restore() -> None:
            for m, name in patched:
                m.__dict__.pop(name, None)
            if saved is not None:
                self._spk_calls = saved

        return restore

    # -- stepping ---------------------------------------------------------------------------
    def run_steps(
        self, num_steps: int, should_stop: ty.Callable[[], bool] | None = None, progress: ty.Any = None
    ) -> int:
        """Run up to ``num_steps`` steps; returns how many ran (fewer if ``should_stop`` said so)."""
        if not self.plan.async_models:
            return self._run_sync(num_steps, should_stop, progress)
        return self._run_with_async(num_steps, should_stop, progress)

    # -- AsyncProtocol models: one thread each, running free beside the step loop -------------------
    def _run_with_async(self, num_steps: int, should_stop: ty.Any, progress: ty.Any) -> int:
        import threading

        plan = self.plan
        plan.abort.clear()
        stop = threading.Event()
        errors: list = []

        def main(m: ty.Any) -> None:
            try:
                m.run_async()
            except PartitionAborted:
                pass
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append((m, e))
                plan.abort.set()

        threads = []
        for m in plan.async_models:
            m.num_steps = num_steps
            m._stop_event = stop
            t = threading.Thread(target=main, args=(m,), name=f"caldera-async-{m.process_name}", daemon=True)
            threads.append((m, t))
            t.start()
        done = 0
        sync_error: BaseException | None = None
        try:
            if self._sync_models:
                done = self._run_sync(num_steps, should_stop, progress)
            else:
                while any(t.is_alive() for _, t in threads) and not (should_stop and should_stop()):
                    threads[0][1].join(0.05)
                done = num_steps
        except BaseException as e:  # noqa: BLE001
            sync_error = e
        finally:
            stop.set()
            for m, t in threads:
                t.join(5.0)
                if t.is_alive():
                    plan.abort.set()
                    t.join(1.0)
                    if t.is_alive():
                        errors.append(
                            (
                                m,
                                RuntimeError(
                                    "did not return from run_async within 5 s of the stop request; "
                                    "run_async must poll self.check_for_stop_cmd()"
                                ),
                            )
                        )
        if errors:
            m, e = errors[0]
            tb = "".join(traceback.format_exception(type(e), e, e.__traceback__))
            raise RunError(
                f"async process {m.process_name!r} ({type(m).__name__}) raised {type(e).__name__}: {e}\n\n"
                f"Original traceback:\n{tb}",
                process=m.process_name,
                step=self.time_step,
                phase="async",
            ) from e
        if sync_error is not None:
            raise sync_error
        return done

    def _run_sync(self, num_steps: int, should_stop: ty.Any, progress: ty.Any) -> int:
        models = self._sync_models
        pre, lrn, post = self._pre, self._lrn, self._post
        spk_calls = None if self.dynamic else self._spk_calls
        done = 0
        try:
            for _ in range(num_steps):
                if should_stop is not None and should_stop():
                    break
                t = self.time_step + 1
                self.time_step = t
                for m in models:
                    m.time_step = t
                if spk_calls is not None:
                    for f in spk_calls:
                        f()
                else:
                    self._dynamic_spk()
                for m in pre:
                    if m.pre_guard():
                        m.run_pre_mgmt()
                for m in lrn:
                    if m.lrn_guard():
                        m.run_lrn()
                for m in post:
                    if m.post_guard():
                        m.run_post_mgmt()
                done += 1
                if self.step_counter is not None:
                    self.step_counter[self.counter_index] = t
                if progress is not None:
                    progress.update(1)
        except (RunError, PartitionAborted):
            raise
        except BaseException as exc:  # noqa: BLE001 - re-raised with context
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise self._wrap(exc) from exc
        return done

    def _dynamic_spk(self) -> None:
        import greenlet

        plan = self.plan
        sched = self._sched
        for m in plan.send_first:
            m.send_spk()
        waiting: list[tuple[AbstractPyProcessModel, ty.Callable[[], None]]] = [
            (m, m.run_spk) for m in plan.recv_first
        ] + [(m, m.recv_spk) for m in plan.send_first]
        # (model, greenlet, the port it waits on: None until it first runs)
        tasks: list[tuple[ty.Any, ty.Any, ty.Any]] = [(m, greenlet.greenlet(m.run_spk), None) for m in plan.general]
        in_ports = plan.in_ports
        while waiting or tasks:
            before = sched.progress
            finished = False
            still: list = []
            for m, g, _ in tasks:
                sched.current = m
                port = g.switch()
                if g.dead:
                    finished = True
                else:
                    still.append((m, g, port))
            tasks = still
            sched.current = None
            rest = []
            for m, call in waiting:
                if all(p.probe() for p in in_ports[id_of(m)]):
                    sched.current = m
                    call()
                    finished = True
                else:
                    rest.append((m, call))
            waiting = rest
            sched.current = None
            if not finished and sched.progress == before and (waiting or tasks):
                if self._wait_remote(tasks, waiting):
                    continue
                names = sorted({m.process_name for m, _, _ in tasks} | {m.process_name for m, _ in waiting})
                for _, g, _ in tasks:
                    g.throw(greenlet.GreenletExit)
                raise RunError(
                    f"deadlock at step {self.time_step}: processes {', '.join(names)} wait for messages "
                    "that never come (a loop without a send-first process, or a model that receives "
                    "more than its sources send)",
                    step=self.time_step,
                    phase="spk",
                )

    def _wait_remote(self, tasks: list, waiting: list) -> bool:
        """No local model can proceed: wait for what only another partition can send.

        Returns True once something may proceed — including a message that arrived since
        the pass that found everyone waiting (looking at a remote queue takes it in) —
        and False only when it is proven that nothing ever will: every missing message
        would come from a local model, and every local model waits.
        """
        in_ports = self.plan.in_ports
        needed = [[port] if port is not None else in_ports[id_of(m)] for m, _, port in tasks]
        needed += [in_ports[id_of(m)] for m, _ in waiting]
        awaited: dict[int, ty.Any] = {}
        for ports in needed:
            missing = [q for p in ports for q in p._queues if not q]
            if not missing:
                return True  # it can go on now
            for q in missing:
                if getattr(q, "remote", False):
                    awaited[id(q)] = q
        if not awaited:
            return False
        wait_any(list(awaited.values()))
        return True

    # -- errors -----------------------------------------------------------------------------
    def _wrap(self, exc: BaseException) -> RunError:
        model, method = None, None
        for frame, _ in traceback.walk_tb(exc.__traceback__):
            s = frame.f_locals.get("self")
            if s is not None and id(s) in self._model_ids:
                model, method = s, frame.f_code.co_name
                break
            fused = getattr(s, "fused_models", None)  # a fused step of several models (see fusion_key)
            if fused and id(fused[0]) in self._model_ids:
                model, method = fused[0], "run_spk"
        if model is None and self.dynamic and self._sched.current is not None:
            model, method = self._sched.current, "run_spk"
        phase = _PHASE_OF.get(method or "", method or "?")
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        if model is None:
            return RunError(f"the run failed at step {self.time_step}: {exc!r}\n{tb}", step=self.time_step)
        proc = getattr(model, "process", None)
        pcls = type(proc).__name__ if proc is not None else "?"
        return RunError(
            f"process {model.process_name!r} ({pcls}, model {type(model).__name__}) raised "
            f"{type(exc).__name__} in phase {phase!r} at step {self.time_step}: {exc}\n\n"
            f"Original traceback:\n{tb}",
            process=model.process_name,
            step=self.time_step,
            phase=phase,
        )


def id_of(model: ty.Any) -> int:
    return model.process.id


def recv_first_calls(plan: Plan) -> list[ty.Callable[[], None]]:
    """The receive-first models' spiking phase as a static list of calls, level by level.

    Within a level (models no same-step message passes between) the models that share a
    ``fusion_key`` run as one fused call (see ``PyLoihiProcessModel.fusion_key``); the others,
    and every model of a plan without levels, keep their own ``run_spk``.
    """
    levels = plan.levels
    if not levels or any(id_of(m) not in levels for m in plan.recv_first):
        return [m.run_spk for m in plan.recv_first]
    by_level: dict[int, list] = {}
    for m in plan.recv_first:
        by_level.setdefault(levels[id_of(m)], []).append(m)
    calls: list[ty.Callable[[], None]] = []
    for level in sorted(by_level):
        slots: list[list] = []  # one slot per single model or fusion group, in order of first appearance
        groups: dict[ty.Hashable, list] = {}
        for m in by_level[level]:
            key = m.fusion_key() if isinstance(m, PyLoihiProcessModel) else None
            if key is None:
                slots.append([m])
            elif key in groups:
                groups[key].append(m)
            else:
                groups[key] = [m]
                slots.append(groups[key])
        for slot in slots:
            calls.append(slot[0].run_spk if len(slot) == 1 else type(slot[0]).fuse(slot))
    return calls


__all__ = ["InProcessExecutor"]
