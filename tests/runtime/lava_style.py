"""User processes written as a Lava user writes them: ports, typed fields, ``run_spk`` — nothing of caldera's.

Their models declare no ``schedule``, so they run on the executor's general (greenlet) path,
where a ``recv`` may wait for a message from another partition at any point of ``run_spk``.
Each has a ``floating_pt`` and a ``fixed_pt`` model (float and integer messages).
"""

from __future__ import annotations

import numpy as np
from caldera import (
    CPU,
    InPort,
    LavaPyType,
    LoihiProtocol,
    OutPort,
    Process,
    PyInPort,
    PyLoihiProcessModel,
    PyOutPort,
    Var,
    implements,
    requires,
    tag,
)


class Relay(Process):
    """Receives, then sends what it received (receive-then-send)."""

    def __init__(self, *, shape, name=None):
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


class Lagged(Process):
    """Sends what it received in the previous step, then receives (send-then-receive: a user-written delay)."""

    def __init__(self, *, shape, name=None):
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.held = Var(shape=shape, init=0)


class Mixer(Process):
    """Receives two ports in the order ``order`` ("ab" or "ba"), sends ``2 * a + b``."""

    def __init__(self, *, shape, order="ab", name=None):
        super().__init__(shape=shape, order=order, name=name)
        self.a_in = InPort(shape=shape)
        self.b_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


class Greedy(Process):
    """Receives twice per step from one port: more than a source sends (a genuine deadlock)."""

    def __init__(self, *, shape, name=None):
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


class _RelayModel(PyLoihiProcessModel):
    def run_spk(self):
        x = self.a_in.recv()
        self.s_out.send(x)


class _LaggedModel(PyLoihiProcessModel):
    def run_spk(self):
        self.s_out.send(self.held)
        self.held = self.a_in.recv().astype(self.held.dtype)


class _MixerModel(PyLoihiProcessModel):
    def run_spk(self):
        if self.proc_params["order"] == "ab":
            a = self.a_in.recv()
            b = self.b_in.recv()
        else:
            b = self.b_in.recv()
            a = self.a_in.recv()
        self.s_out.send(2 * a + b)


class _GreedyModel(PyLoihiProcessModel):
    def run_spk(self):
        x = self.a_in.recv()
        y = self.a_in.recv()
        self.s_out.send(x + y)


def _models(proc, base, extra=None):
    for tag_name, dtype in (("floating_pt", float), ("fixed_pt", np.int32)):
        fields = {
            "a_in": LavaPyType(PyInPort.VEC_DENSE, dtype),
            "s_out": LavaPyType(PyOutPort.VEC_DENSE, dtype),
            "__annotations__": {"a_in": PyInPort, "s_out": PyOutPort},
        }
        if proc is Mixer:
            fields["b_in"] = LavaPyType(PyInPort.VEC_DENSE, dtype)
            fields["__annotations__"]["b_in"] = PyInPort
        if proc is Lagged:
            fields["held"] = LavaPyType(np.ndarray, dtype)
            fields["__annotations__"]["held"] = np.ndarray
        cls = type(f"Py{proc.__name__}{'Float' if dtype is float else 'Fixed'}", (base,), fields)
        cls.__module__ = __name__
        cls = tag(tag_name)(requires(CPU)(implements(proc=proc, protocol=LoihiProtocol)(cls)))
        globals()[cls.__name__] = cls


_models(Relay, _RelayModel)
_models(Lagged, _LaggedModel)
_models(Mixer, _MixerModel)
_models(Greedy, _GreedyModel)
