"""The caldera process a built Nengo model runs as, and its step program.

``NengoNetwork`` is a plain caldera process (no execution code): its one
parameter is the ``StepProgram``, the lowered operators of a Nengo model in
Nengo's order. Its models (``caldera_nengo.models``, registered through the
``caldera`` entry point) run that program on a backend: one call per caldera
time step, which is one Nengo time step. Keeping the whole program in one
process is what keeps Nengo's order exact: Nengo interleaves host code (Node
functions) and neural updates within a step, in an order that caldera's
send-first/receive-first split of separate processes cannot always express.
"""

from __future__ import annotations

import numpy as np
from caldera.process import Process
from caldera.variable import Var
from nengo.builder.probe import SimProbe

from caldera_nengo.lowering import lower


class StepProgram:
    """The kernels of one built Nengo model, in step order, over one signal store.

    ``step()`` runs one Nengo time step and records the probes that sample it.
    ``bind(seed)`` (re)creates the kernels, which resets the state the
    operators keep outside signals (process steppers, random generators).
    """

    def __init__(self, model, step_order: list, signals, dt: float) -> None:
        self.model = model
        self.ops = step_order
        self.signals = signals
        self.dt = float(dt)
        self.kernels: list = []
        self.own = 0  # how many operators run on our kernels (the rest call user/Nengo object code)
        self.probe_data: dict = {}
        self._probes: list = []
        self.label_of: dict = {}
        for node in getattr(model, "_caldera_nodes", ()):
            out = node.output
            if callable(out):
                self.label_of[id(out)] = f"Node {node.label!r}" if node.label else repr(node)
        self.compiled = None  # the module of compiled kernels, set by the cython backend's model
        self.seed: int | None = None

    def use_compiled(self, module) -> None:
        """Run on the compiled kernels of ``module`` from now on (rebinds when already bound)."""
        if module is not self.compiled:
            self.compiled = module
            if self.seed is not None:
                self.bind(self.seed)

    def bind(self, seed: int) -> None:
        self.seed = seed
        rng = np.random.RandomState(seed)
        kernels = []
        own = 0
        for op in self.ops:
            if type(op) is SimProbe:  # marks a signal as read (for the order); nothing to run
                continue
            k, ours = lower(op, self.signals, self.dt, rng, self.label_of, self.compiled)
            kernels.append(k)
            own += bool(ours)
        if self.compiled is not None:
            kernels = self._fuse_scalar_filters(kernels)
        self.kernels = kernels
        self.own = own
        sig = self.model.sig
        dt = self.dt
        probes = []
        for probe in self.model.probes:
            period = 1 if probe.sample_every is None else probe.sample_every / dt
            probes.append((probe, self.signals[sig[probe]["in"]], period))
        self._probes = probes
        self._step_sig = self.signals[self.model.step]
        self.time_sig = self.signals[self.model.time]

    def _fuse_scalar_filters(self, kernels: list) -> list:
        """Consecutive one-element first-order filters become one compiled call (same order, same arithmetic)."""
        out: list = []
        run: list = []

        def flush() -> None:
            if len(run) >= 2:
                out.append(self.compiled.ScalarFilters([k.scalar_filter for k in run]))
            else:
                out.extend(run)
            run.clear()

        for k in kernels:
            sf = getattr(k, "scalar_filter", None)
            if sf is not None and all(arr.dtype == np.float64 for arr in sf[2:5]):
                run.append(k)
            else:
                flush()
                out.append(k)
        flush()
        return out

    def clear_probes(self) -> None:
        for probe, _, _ in self._probes:
            self.probe_data[probe] = []

    def step(self) -> None:
        for k in self.kernels:
            k()
        n = self._step_sig.item()
        for probe, arr, period in self._probes:
            if n % period < 1:
                self.probe_data[probe].append(arr.copy())


class NengoNetwork(Process):
    """A built Nengo model as one caldera process.

    ``program``: the ``StepProgram`` to run. ``t`` holds the model time (s)
    after the last step.
    """

    def __init__(self, program: StepProgram, name: str | None = None) -> None:
        super().__init__(program=program, name=name)
        self.t = Var(shape=(1,), init=0.0)
