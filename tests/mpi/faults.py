"""Fault scenarios on MPI ranks: ``mpiexec -n N python -m tests.mpi.faults MODE``.

raise    rank 1's model raises at step 5: every rank prints the RunError it got, then stops the network
kill     rank 1 kills itself at step 5 (SIGKILL): the launcher must end the job, no rank may hang
ranks    two partitions listed, more ranks started: every rank raises before any step
cover    a partition list that leaves a process out: every rank raises before any step
monitor  a Monitor listed on another rank than the Var it reads: every rank raises before any step
long     a run of many steps (for Ctrl-C on the launcher)
"""

from __future__ import annotations

import os
import signal
import sys

import caldera
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
    implements,
    requires,
)
from caldera.errors import RunError
from caldera.procs import LIF, Dense, Monitor
from mpi4py import MPI


class Bomb(Process):
    def __init__(self, *, shape, mode, name=None):
        super().__init__(shape=shape, mode=mode, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


@implements(proc=Bomb, protocol=LoihiProtocol)
@requires(CPU)
class PyBomb(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def run_spk(self):
        x = self.a_in.recv()
        if self.time_step == 5 and self.proc_params["mode"] == "raise":
            raise ValueError("boom")
        if self.time_step == 5 and self.proc_params["mode"] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        self.s_out.send(x)


def chain(mode: str):
    a = LIF(shape=(4,), du=0.1, dv=0.1, vth=1.0, bias_mant=0.3, name="a")
    d = Dense(weights=np.eye(4), name="d")
    bomb = Bomb(shape=(4,), mode=mode, name="bomb")
    b = LIF(shape=(4,), du=0.1, dv=0.1, vth=1.0, name="b")
    a.s_out.connect(d.s_in)
    d.a_out.connect(bomb.a_in)
    bomb.s_out.connect(b.a_in)
    return a, d, bomb, b


def main(mode: str) -> int:
    rank = MPI.COMM_WORLD.rank
    a, d, bomb, b = chain("raise" if mode == "raise" else "kill" if mode == "kill" else "none")
    cfg = caldera.RunConfig(backend="cpu", partitions=[[a, d], [bomb, b]], transport="mpi")
    if mode == "raise":
        try:
            a.run(caldera.RunSteps(50), cfg)
        except RunError as e:
            print(f"rank {rank} got RunError process={e.process} step={e.step}: {str(e).splitlines()[0]}", flush=True)
        a.stop()
        print(f"rank {rank} stopped", flush=True)
        return 0
    if mode == "kill":
        a.run(caldera.RunSteps(50), cfg)
        a.stop()
        return 0
    if mode == "ranks":
        a.run(caldera.RunSteps(5), cfg)  # 2 partitions for the 3 ranks the test starts
    if mode == "cover":
        cfg.partitions = [[a, d], [bomb]]
        a.run(caldera.RunSteps(5), cfg)
    if mode == "monitor":
        m = Monitor(name="m")
        m.probe(b.v, 5)
        cfg.partitions = [[a, d, m], [bomb, b]]
        a.run(caldera.RunSteps(5), cfg)
    if mode == "long":
        print(f"rank {rank} running", flush=True)
        a.run(caldera.RunSteps(10_000_000), cfg)
    a.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
