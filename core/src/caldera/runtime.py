"""``Runtime``: a compiled network and its run control (run, continue, pause, wait, stop)."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import typing as ty
import weakref

import numpy as np

from caldera.compiler import CompiledNetwork, compile_network
from caldera.errors import ParameterError, RunError, RuntimeStateError
from caldera.model import write_model_var
from caldera.run_conditions import AbstractRunCondition, RunContinuous, RunSteps
from caldera.run_config import RunConfig
from caldera.validation import check_range
from caldera.variable import Var, is_sparse
from caldera.watchdog import watchdog

if ty.TYPE_CHECKING:
    from caldera.process import Process


def _single_threaded_blas() -> ty.Any:
    """BLAS threads for the duration of a run: one.

    The products in a step are small; multi-threaded BLAS gains little on them
    and collapses (10x slower) when other processes share the cores. Parallelism
    comes from partitions instead.
    """
    import contextlib

    global _BLAS_CONTROLLER
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional: without it BLAS keeps its own setting
        return contextlib.nullcontext()
    # Finding the loaded BLAS libraries reads the process's memory map (about half a millisecond per
    # run): it is done again only when modules were imported since, which is how new ones get loaded.
    if _BLAS_CONTROLLER is None or _BLAS_CONTROLLER[0] != len(sys.modules):
        _BLAS_CONTROLLER = (len(sys.modules), ThreadpoolController())
    return _BLAS_CONTROLLER[1].limit(limits=1, user_api="blas")


_BLAS_CONTROLLER: tuple[int, ty.Any] | None = None


@contextlib.contextmanager
def _sigint_guard(defer: bool) -> ty.Iterator[None]:
    """Ctrl-C while caldera works: never lost, and never in the middle of starting or stopping partitions.

    With ``defer=False`` (compiling, running) SIGINT raises ``KeyboardInterrupt`` at once, as usual,
    and is also recorded: CPython drops an exception raised inside a weakref callback or ``__del__``
    (where a signal handler may run during garbage collection), so a recorded SIGINT that did not
    end the block is raised when it ends. With ``defer=True`` (partitions starting, ``stop()``) it
    is only recorded, and raised once the block is over: children are never left behind half
    started or half released. Only in the main thread, and only over Python's default handler
    (a user's own SIGINT handler, or SIGINT ignored, is left alone).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.getsignal(signal.SIGINT)
    if old is not signal.default_int_handler and not getattr(old, "_caldera_guard", False):
        yield
        return
    got: list[bool] = []

    def handler(signum: int, frame: ty.Any) -> None:  # noqa: ARG001
        got.append(True)
        if not defer:
            raise KeyboardInterrupt

    handler._caldera_guard = True  # type: ignore[attr-defined]
    signal.signal(signal.SIGINT, handler)
    try:
        yield
    except KeyboardInterrupt:
        raise
    except BaseException as e:
        if got:
            raise KeyboardInterrupt from e
        raise
    finally:
        signal.signal(signal.SIGINT, old)
    if got:
        raise KeyboardInterrupt


#: the CLI commands show progress bars for every run of the scripts they run; library calls do not
DEFAULT_PROGRESS = False
_LIVE: weakref.WeakSet = weakref.WeakSet()  # every Runtime not yet collected (running_runtimes)


def running_runtimes() -> list[Runtime]:
    """The networks of this OS process that are running right now (e.g. a background ``RunContinuous``)."""
    return [rt for rt in list(_LIVE) if rt.state == "running"]


class Runtime:
    """Owns the models of one network and runs them.

    States: ``idle`` (compiled, between runs), ``running``, ``paused`` (a
    continuous or background run halted by ``pause()``), ``failed`` (a model
    raised; state stays readable) and ``stopped``.
    """

    def __init__(self, net: CompiledNetwork) -> None:
        self.net = net
        self.run_cfg: RunConfig = net.run_cfg
        self.group = None
        if len(net.partitions) > 1 and self.run_cfg.transport == "mpi":
            from caldera.mpi import MpiGroup

            self.group = MpiGroup(net)
            self.executor = self.group.local
        elif len(net.partitions) > 1:
            from caldera.parallel import PartitionGroup

            self.group = PartitionGroup(net)
            self.executor = self.group.local
        else:
            self.executor = net.backend.make_executor(net.plan)
            self.executor.time_step = net.start_time_step
        self.state = "idle"
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._stop_flag = False
        self._pause_flag = False
        self._lock = threading.Lock()
        self._leaf_models = net.models
        #: with ``RunConfig(profile=True)``: the :class:`caldera.profiler.Profiler` of this network's runs
        self.profiler: ty.Any = None
        if self.run_cfg.profile:
            from caldera.profiler import Profiler

            self.profiler = Profiler()
        self._recorder: ty.Any = None  # the profiler recording the current run (None: not profiled)
        self._progress: ty.Any = None  # the current run's progress bar (RunConfig(progress=True))
        _LIVE.add(self)

    @classmethod
    def build(cls, root: Process, run_cfg: RunConfig | None = None) -> Runtime:
        if run_cfg is not None and run_cfg.transport == "mpi":
            from caldera.mpi import compile_on_every_rank

            net = compile_on_every_rank(root, run_cfg)
            rt = cls(net)
            for p in net.processes:
                p._runtime = rt
            return rt
        with _sigint_guard(defer=False):
            net = compile_network(root, run_cfg)
            # the partitions start and the processes learn their runtime, or nothing does
            with _sigint_guard(defer=True):
                rt = cls(net)
                for p in net.processes:
                    p._runtime = rt
        return rt

    # -- introspection ----------------------------------------------------------------------
    @property
    def time_step(self) -> int:
        return self.executor.time_step

    @property
    def backend(self) -> str:
        return self.net.backend.name

    @property
    def sync_domains(self) -> list:
        """The sync domains of the network (custom ones and one default per protocol)."""
        return self.net.sync_domains

    @property
    def partitions(self) -> list:
        """The compiled partitions (index, backend, process ids); more than one runs in parallel."""
        return self.net.partitions

    def model_of(self, proc: Process) -> ty.Any:
        return self._leaf_models[proc.id]

    def has_var(self, var: Var) -> bool:
        return var.process is not None and var.process.id in self._leaf_models

    def _check_quiet(self, what: str) -> None:
        if self.state == "running":
            raise RuntimeStateError(f"cannot {what} while the network is running; call pause() or wait() first")

    def get_var(self, var: Var) -> ty.Any:
        self._check_quiet(f"read {var.qualified_name}")
        model = self._leaf_models[var.process.id]
        value = getattr(model, var.name) if self.group is None else self.group.get(var.process.id, var.name)
        if isinstance(value, np.ndarray):
            return value.copy()
        if is_sparse(value):
            return value.copy()
        arr = np.asarray(value)
        return np.array(np.broadcast_to(arr, var.shape))

    def set_var(self, var: Var, value: ty.Any) -> None:
        self._check_quiet(f"write {var.qualified_name}")
        model = self._leaf_models[var.process.id]
        strict = getattr(model, "strict", True)  # False: Lava's casts (RunConfig(value_checks="lava"))
        if strict:
            check_range(type(model), var.process, var.name, value)
        cur = getattr(model, var.name) if self.group is None else self.group.get(var.process.id, var.name)
        if isinstance(cur, np.ndarray):
            new = np.asarray(value)
            if cur.dtype.kind in "iub" and new.dtype.kind == "f" and not np.all(np.isfinite(new)):
                raise ParameterError(f"Var {var.qualified_name}: non-finite values for an integer Var")
            if (
                strict
                and cur.dtype.kind in "iu"
                and new.dtype.kind == "f"
                and new.size
                and not np.all(new == np.round(new))
            ):
                raise ParameterError(
                    f"Var {var.qualified_name} holds integers ({cur.dtype}); got non-integer values; "
                    "the value was not changed"
                )
            if cur.dtype.kind in "iu":
                info = np.iinfo(cur.dtype)
                if new.size and (np.min(new) < info.min or np.max(new) > info.max):
                    raise ParameterError(
                        f"Var {var.qualified_name}: values outside {info.min}..{info.max} ({cur.dtype})"
                    )
            new_value: ty.Any = new
        elif is_sparse(cur):
            new_value = value.tocsr().astype(cur.dtype) if is_sparse(value) else type(cur)(value)
        else:
            arr = np.asarray(value)
            new_value = type(cur)(arr.reshape(-1)[0]) if arr.size == 1 else arr
        if self.group is None:
            write_model_var(model, var.name, new_value)
        else:
            self.group.set(var.process.id, var.name, new_value)

    def observe(self, profile: bool, progress: bool) -> None:
        """Turn profiling (``self.profiler``) and the progress bar on or off for the next runs."""
        if self.state == "running":
            raise RuntimeStateError(
                "the network is running: profiling or a progress bar cannot be turned on mid-run; "
                "pause() or wait() first, then run again with RunConfig(profile=True) or inside "
                "`with caldera.profile()`"
            )
        import copy

        self.run_cfg = copy.copy(self.run_cfg)  # a copy: the caller's RunConfig object stays as it was
        self.run_cfg.profile, self.run_cfg.progress = profile, progress
        if profile and self.profiler is None:
            from caldera.profiler import Profiler

            self.profiler = Profiler()

    # -- run control ------------------------------------------------------------------------
    def run(self, condition: AbstractRunCondition) -> None:
        with self._lock:
            if self.state == "running":
                raise RuntimeStateError("the network is already running; wait(), pause() or stop() it first")
            if self.state == "stopped":
                raise RuntimeStateError("the network was stopped; build a new one to run again")
            if self.state == "failed":
                raise RuntimeStateError(f"the network failed at step {self.time_step} ({self._error}); build a new one")
            if not isinstance(condition, (RunSteps, RunContinuous)):
                raise TypeError(f"run condition must be RunSteps or RunContinuous, got {condition!r}")
            if self.run_cfg.transport == "mpi" and not (isinstance(condition, RunSteps) and condition.blocking):
                raise RuntimeStateError(
                    "with transport='mpi' every rank runs the same number of steps: use RunSteps(n) "
                    "(blocking); RunContinuous and background runs are not supported over MPI"
                )
            self._recorder = _profiler_for(self)
            want = self.run_cfg.progress or DEFAULT_PROGRESS
            self._progress = _progress_bar(self, condition, required=self.run_cfg.progress) if want else None
            self.state = "running"
            self._stop_flag = self._pause_flag = False
            self._error = None
            for m in self._leaf_models.values():
                if getattr(m, "host_only", False) and hasattr(m, "resume"):
                    m.resume()
        if isinstance(condition, RunSteps) and condition.blocking:
            if self.run_cfg.transport == "mpi":  # every rank gets Ctrl-C from the launcher: see caldera.mpi
                self._run_steps(condition.num_steps)
                return
            with _sigint_guard(defer=False):
                self._run_steps(condition.num_steps)
            return
        n = condition.num_steps if isinstance(condition, RunSteps) else None
        self._thread = threading.Thread(target=self._background, args=(n,), name="caldera-run", daemon=True)
        self._thread.start()

    def _should_stop(self) -> bool:
        return self._stop_flag or self._pause_flag

    def _steps(self, n: int) -> None:
        prof = self._recorder
        with _single_threaded_blas(), contextlib.nullcontext() if prof is None else prof.recording(self, n):
            if self.group is not None:
                self.group.run_steps(n)
                if self._progress is not None:
                    self._progress.update(n)
                return
            with watchdog(self.run_cfg.watchdog_s, lambda: self.executor.time_step):
                self.executor.run_steps(n, self._should_stop, self._progress)

    def _run_steps(self, n: int | None) -> None:
        # partitions advance in lockstep chunks: pause/stop take effect at a chunk's end
        chunk = 1000 if self.group is None else 20
        try:
            if n is None:
                while not self._should_stop():
                    self._steps(chunk)
            elif (
                self.group is not None
                and n > chunk
                and (self._progress is not None or threading.current_thread() is not threading.main_thread())
            ):
                left = n
                while left > 0 and not self._should_stop():
                    k = min(chunk, left)
                    self._steps(k)
                    left -= k
            else:
                self._steps(n)
        except BaseException as e:
            self._error = e
            self.state = "failed"
            raise
        finally:
            if self._progress is not None:
                self._progress.close()
                self._progress = None
        if self._stop_flag:
            self.state = "stopped"
        elif self._pause_flag:
            self.state = "paused"
        else:
            self.state = "idle"

    def _background(self, n: int | None) -> None:
        try:
            self._run_steps(n)
        except BaseException:  # noqa: BLE001 - reported by wait()
            pass

    def wait(self) -> None:
        """Block until a background run ends; re-raise its error."""
        t = self._thread
        if t is not None:
            t.join()
            self._thread = None
        if self.state == "failed" and self._error is not None:
            err, self._error = self._error, None
            raise err

    def _interrupt_host(self) -> None:
        for m in self._leaf_models.values():
            if getattr(m, "host_only", False) and hasattr(m, "interrupt"):
                m.interrupt()

    def pause(self) -> None:
        """Halt a background run after the current step; ``get``/``set`` work while paused."""
        if self._thread is not None:
            self._pause_flag = True
            self._interrupt_host()
            self._thread.join()
            self._thread = None
        if self.state == "failed" and self._error is not None:
            err, self._error = self._error, None
            raise err

    def stop(self) -> None:
        """End the network's life; its last state stays readable.

        With several partitions, the state of the child partitions is fetched
        into this process first, then the children and channels are released.
        Ctrl-C during ``stop()`` is held back until the children are gone.
        """
        with _sigint_guard(defer=True):
            if self._thread is not None:
                self._stop_flag = True
                self._interrupt_host()
                self._thread.join()
                self._thread = None
            if self.group is not None and not self.group._closed:
                # over MPI every rank gathers every other rank's state (the same collective calls everywhere)
                others = self.net.partitions if self.run_cfg.transport == "mpi" else self.net.partitions[1:]
                try:
                    for part in others:
                        for pid in part.ids:
                            model = self._leaf_models[pid]
                            for var in model.process.vars:
                                try:
                                    setattr(model, var.name, self.group.get(pid, var.name))
                                except Exception:  # noqa: BLE001 - a dead partition's state is lost
                                    break
                finally:
                    self.group.close()
                    self.group = None
            self.state = "stopped"

    def __del__(self) -> None:
        group = getattr(self, "group", None)
        if group is not None and self.run_cfg.transport != "mpi":  # over MPI, closing is collective: stop()
            try:
                group.close()
            except Exception:  # noqa: BLE001
                pass

    def __repr__(self) -> str:
        return f"Runtime(backend={self.backend!r}, state={self.state!r}, time_step={self.time_step})"


def _profiler_for(rt: Runtime) -> ty.Any:
    """The profiler that records a run starting now: an open ``caldera.profile()`` block's, else the network's own."""
    from caldera import profiler

    return profiler.active() or (rt.profiler if rt.run_cfg.profile else None)


def _progress_bar(rt: Runtime, condition: AbstractRunCondition, required: bool = True) -> ty.Any:
    """A tqdm bar for a run (shown once the run has lasted 2 s), for ``RunConfig(progress=True)``."""
    try:
        from tqdm.auto import tqdm
    except ImportError as e:
        if not required:  # the CLI's bars are a convenience
            return None
        raise ParameterError("RunConfig(progress=True) needs tqdm: pip install 'caldera[progress]'") from e
    total = condition.num_steps if isinstance(condition, RunSteps) else None
    return tqdm(total=total, unit="step", delay=2.0, desc=rt.net.leaves[0].name, leave=False, dynamic_ncols=True)


__all__ = ["Runtime", "RunError", "running_runtimes"]
