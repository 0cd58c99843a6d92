"""A process whose model raises at a given step (for the node's fault handling; imported by the node process)."""

from __future__ import annotations

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
    implements,
    requires,
)


class Bomb(Process):
    def __init__(self, *, shape, at=50, name=None):
        super().__init__(shape=shape, at=at, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


@implements(proc=Bomb, protocol=LoihiProtocol)
@requires(CPU)
class PyBomb(PyLoihiProcessModel):
    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def run_spk(self) -> None:
        x = self.a_in.recv()
        if self.time_step == self.proc_params["at"]:
            raise ValueError("boom at the requested step")
        self.s_out.send(x)
