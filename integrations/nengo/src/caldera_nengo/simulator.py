"""``caldera_nengo.Simulator``: ``nengo.Simulator``'s interface, a caldera backend underneath.

Build: Nengo's own builder makes every parameter (gains, biases, encoders,
decoders, seeds) and the operator graph, so a model gets exactly the
parameters ``nengo.Simulator`` gives it; Nengo's operator-merging optimizer
runs as in Nengo. Run: the operators are lowered to kernels (``lowering``)
and stepped by a caldera process (``NengoNetwork``) on the chosen backend.
"""

from __future__ import annotations

import warnings

import numpy as np
from caldera.errors import CompileError, RunError
from caldera.run_conditions import RunSteps
from caldera.run_config import RunConfig
from nengo.builder import Model
from nengo.builder.optimizer import optimize as nengo_optimize
from nengo.builder.signal import SignalDict
from nengo.cache import get_default_decoder_cache
from nengo.exceptions import BuildError, ReadonlyError, SimulatorClosed, ValidationError
from nengo.simulator import SimulationData
from nengo.utils.graphs import toposort
from nengo.utils.progress import Progress, ProgressTracker
from nengo.utils.simulator import operator_dependency_graph

from caldera_nengo.loihi import LoihiPlan, check_loihi, loihi_builder
from caldera_nengo.models import COMPILED_BACKENDS, compiled_kernels
from caldera_nengo.process import NengoNetwork, StepProgram
from caldera_nengo.support import check_supported

TAGS = ("floating_pt", "fixed_pt")


class Simulator:
    """Runs a Nengo model on a caldera backend; the interface of ``nengo.Simulator``.

    Parameters
    ----------
    network : nengo.Network or None
        The network to build (None: ``model`` holds an already built model).
    dt : float
        The time step, in seconds.
    seed : int, optional
        Seed of the run-time randomness (noise, processes); ``network.seed + 1`` by default, as in Nengo.
    model : nengo.builder.Model, optional
        A model to build into (or an already built one when ``network`` is None).
    progress_bar : bool or ProgressBar
        As in Nengo.
    optimize : bool
        Run Nengo's operator-merging optimizer (as ``nengo.Simulator`` does by default).
    backend : str, optional
        The caldera backend (``"cpu"``, ``"cython"``, ``"loihi"``); None picks the installed one with the
        highest priority.
    tag : str
        ``"floating_pt"``: Nengo's float64 arithmetic. ``"fixed_pt"`` (with ``backend="loihi"``): the
        ensembles quantized as nengo-loihi does and run on caldera-loihi's emulator, the rest on the host
        (see :mod:`caldera_nengo.loihi`); ``sim.report`` then gives the emulator's report.
    """

    def __init__(
        self,
        network,
        dt: float = 0.001,
        seed: int | None = None,
        model: Model | None = None,
        progress_bar=True,
        optimize: bool = True,
        backend: str | None = None,
        tag: str = "floating_pt",
    ) -> None:
        self.closed = True  # until the constructor succeeds
        if tag not in TAGS:
            raise ValidationError(f"tag must be one of {TAGS}, got {tag!r}", attr="tag", obj=self)
        if backend is not None and not isinstance(backend, str):
            raise ValidationError(f"backend must be a backend name (str) or None, got {backend!r}", attr="backend")
        if tag == "fixed_pt":
            _check_fixed_pt(network, model, backend)
        elif backend == "loihi":
            raise BuildError(
                "backend='loihi' (caldera-loihi's emulator) runs Nengo models quantized for Loihi: pass "
                "tag='fixed_pt'; tag='floating_pt' runs on the cpu and cython backends"
            )
        self.progress_bar = progress_bar
        self.optimize = optimize
        self.backend = backend
        self.tag = tag
        self._plan: LoihiPlan | None = None
        if network is not None:
            if tag == "fixed_pt":
                check_loihi(network)
            else:
                check_supported(network, backend=backend, tag=tag)
        if model is None:
            if tag == "fixed_pt":  # decoders solved for the chip's rates; nengo's cache would mix them up
                self.model = Model(dt=float(dt), label=f"{network}, dt={dt:f}", builder=loihi_builder())
            else:
                cache = get_default_decoder_cache()
                self.model = Model(dt=float(dt), label=f"{network}, dt={dt:f}", decoder_cache=cache)
        else:
            self.model = model
        pt = ProgressTracker(progress_bar, Progress("Building", "Build"))
        with pt:
            if network is not None:
                self.model.build(network, progress=pt.next_stage("Building", "Build"))
            run_model = self.model
            if tag == "fixed_pt":  # the chip's blocks, and the host's own Nengo model
                self._plan = LoihiPlan(network, self.model)
                run_model = self._plan.host_model()
            self.dg = operator_dependency_graph(run_model.operators)
            if optimize:
                with pt.next_stage("Building (running optimizer)", "Optimization"):
                    nengo_optimize(run_model, self.dg)
        self._run_model = run_model
        self._step_order = [op for op in toposort(self.dg) if hasattr(op, "make_step")]
        self.signals = SignalDict()
        for op in run_model.operators:
            op.init_signals(self.signals)
        self._sim_data = self.model.params
        self.data = SimulationData(self._sim_data)
        if network is not None:
            run_model._caldera_nodes = list(network.all_nodes)
        self._program = StepProgram(run_model, self._step_order, self.signals, self.model.dt)
        if seed is None:
            if network is not None and network.seed is not None:
                seed = network.seed + 1
            else:
                seed = np.random.randint(np.iinfo(np.int32).max)
        self.seed = seed
        self._proc: NengoNetwork | None = None
        self._run_cfg = RunConfig(backend=backend, tag=tag)
        self._new_process()  # compiled now: a backend/tag that cannot run it fails at build time
        self.closed = False
        self.reset(seed=seed)

    # -- the caldera side -------------------------------------------------------------------------
    def _new_process(self) -> None:
        if self._proc is not None:
            self._proc.stop()
        if self._plan is not None:
            proc = self._plan.make_processes(self._program)
        else:
            proc = NengoNetwork(self._program, name=f"nengo:{self.model.label}")
        try:
            proc.compile(self._run_cfg)
        except CompileError as e:
            raise BuildError(f"cannot run this model on backend={self.backend!r}, tag={self.tag!r}: {e}") from e
        self._proc = proc
        self._proc_fresh = True
        if self._plan is None and proc.runtime.backend in COMPILED_BACKENDS:
            self._program.use_compiled(compiled_kernels())

    @property
    def report(self):
        """caldera-loihi's report of the emulated chip (cores, per-step activity, energy and time estimates);
        ``tag='fixed_pt'`` only."""
        if self._plan is None:
            raise ValidationError(
                "sim.report is the Loihi emulator's report: it exists for tag='fixed_pt', backend='loihi'",
                attr="report",
                obj=self,
            )
        import caldera_loihi

        return caldera_loihi.report(self._proc)

    @property
    def runtime(self):
        """The caldera runtime that runs the model (backend, state, time step)."""
        return self._proc.runtime if self._proc is not None else None

    # -- nengo.Simulator's interface --------------------------------------------------------------
    def __enter__(self):
        if self.closed:
            raise SimulatorClosed("Cannot re-open after simulator is closed")
        return self

    def __exit__(self, exc_type, exc_value, tb):
        self.close()

    def __del__(self):
        if not getattr(self, "closed", True):
            warnings.warn(
                f"Simulator with model={self.model} was deallocated while open. Please close simulators "
                "manually to ensure resources are properly freed.",
                ResourceWarning,
                stacklevel=2,
            )

    def __getstate__(self):
        if getattr(self, "_plan", None) is not None:
            raise TypeError("a tag='fixed_pt' Simulator cannot be pickled (its state lives in the chip's processes)")
        signals = {k: v for k, v in self.signals.items() if not k.readonly} if self.signals is not None else {}
        return {
            "model": self.model,
            "signals": signals,
            "probe_outputs": {p: self._sim_data[p] for p in self.model.probes},
            "dt": self.dt,
            "seed": self.seed,
            "progress_bar": self.progress_bar,
            "optimize": self.optimize,
            "backend": self.backend,
            "tag": self.tag,
            "closed": self.closed,
        }

    def __setstate__(self, state):
        self.__init__(
            network=None,
            model=state["model"],
            dt=state["dt"],
            seed=state["seed"],
            progress_bar=state["progress_bar"],
            optimize=False,  # the pickled model was optimized already
            backend=state["backend"],
            tag=state["tag"],
        )
        for key, value in state["signals"].items():
            self.signals[key] = value
        for key, value in state["probe_outputs"].items():
            self._sim_data[key].extend(value)
        self._read_time()  # the restored step counter
        self.optimize = state["optimize"]
        if state["closed"]:
            self.close()

    @property
    def dt(self) -> float:
        return self.model.dt

    @dt.setter
    def dt(self, dummy):
        raise ReadonlyError(attr="dt", obj=self)

    @property
    def n_steps(self) -> int:
        return self._n_steps

    @property
    def time(self) -> float:
        return self._time

    @property
    def step_order(self) -> list:
        """The operators in the order each step runs them."""
        return self._step_order

    def clear_probes(self) -> None:
        for probe in self._run_model.probes:
            self._sim_data[probe] = []
        if self._plan is not None:  # the user's probes of chip objects read the host's probes
            for probe, host_probe in self._plan.probe_alias.items():
                self._sim_data[probe] = self._sim_data[host_probe]
        self._program.probe_data = self._sim_data
        self.data.reset()

    def close(self) -> None:
        self.closed = True
        if self._proc is not None:
            self._proc.stop()
        self.signals = None

    def reset(self, seed: int | None = None) -> None:
        if self.closed:
            raise SimulatorClosed("Cannot reset closed Simulator.")
        if seed is not None:
            self.seed = seed
        for key in self.signals:
            self.signals.reset(key)
        self.rng = np.random.RandomState(self.seed)
        self._program.bind(self.seed)
        stale = self._proc is None or self._proc.runtime is None or self._proc.runtime.state in ("failed", "stopped")
        if stale or (self._plan is not None and not self._proc_fresh):  # fixed_pt: the chip's state is reset too
            self._new_process()
        self.clear_probes()
        self._read_time()

    def _read_time(self) -> None:
        self._n_steps = int(self.signals[self._run_model.step].item())
        self._time = float(self.signals[self._run_model.time].item())

    def run(self, time_in_seconds: float, progress_bar=None) -> None:
        if time_in_seconds < 0:
            raise ValidationError(f"Must be positive (got {time_in_seconds:g})", attr="time_in_seconds")
        steps = int(np.round(float(time_in_seconds) / self.dt))
        if steps == 0:
            warnings.warn(
                f"{time_in_seconds} results in running for 0 timesteps. Simulator still at time {self.time}.",
                stacklevel=2,
            )
        else:
            self.run_steps(steps, progress_bar=progress_bar)

    def run_steps(self, steps: int, progress_bar=None) -> None:
        if self.closed:
            raise SimulatorClosed("Simulator cannot run because it is closed.")
        if progress_bar is None:
            progress_bar = self.progress_bar
        with ProgressTracker(progress_bar, Progress("Simulating", "Simulation", steps)) as pt:
            self._advance(int(steps))
            pt.total_progress.step(int(steps))

    def step(self) -> None:
        """Advance the simulator by one step (``dt`` seconds)."""
        if self.closed:
            raise SimulatorClosed("Simulator cannot run because it is closed.")
        self._advance(1)

    def _advance(self, steps: int) -> None:
        if self._proc.runtime is None or self._proc.runtime.state in ("failed", "stopped"):
            self._new_process()
        old = np.seterr(invalid="raise", divide="ignore")  # as Nengo: a nan produced in a step is an error
        self._proc_fresh = False
        try:
            self._proc.run(RunSteps(num_steps=steps), self._run_cfg)
        except RunError as e:
            self._read_time()  # as Nengo: the failed step does not count
            self._n_steps -= 1
            self._time = self._n_steps * self.dt
            # The error of the model's own code, as Nengo raises it (a Node's function error is a
            # SimulationError naming the node); caldera's RunError stays chained for the step and process.
            cause = e.__cause__
            if cause is None:
                raise
            raise cause  # noqa: B904 - its own __cause__ (a node function's error) stays as it was
        else:
            self._read_time()
        finally:
            np.seterr(**old)

    def trange(self, dt: float | None = None, sample_every: float | None = None) -> np.ndarray:
        if dt is not None:
            if sample_every is not None:
                raise ValidationError(
                    "Cannot specify both `dt` and `sample_every`. Use `sample_every` only.", attr="dt", obj=self
                )
            warnings.warn("`dt` is deprecated. Use `sample_every` instead.", DeprecationWarning, stacklevel=2)
            sample_every = dt
        period = 1 if sample_every is None else sample_every / self.dt
        steps = np.arange(1, self.n_steps + 1)
        return self.dt * steps[steps % period < 1]


def _check_fixed_pt(network, model, backend) -> None:
    if backend != "loihi":
        raise BuildError(
            f"tag='fixed_pt' (the model quantized as nengo-loihi does) runs on backend='loihi', caldera-loihi's "
            f"emulator; got backend={backend!r} (the cpu and cython backends run tag='floating_pt')"
        )
    if network is None or model is not None:
        raise BuildError("tag='fixed_pt' builds from a network (Simulator(network, ...)), not from a given model")
