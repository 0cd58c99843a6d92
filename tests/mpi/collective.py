"""Broadcast channels on MPI ranks (``RunConfig.mpi_bcast_readers``): ``mpiexec -n 3 python -m tests.mpi.collective MODE``.

golden NAME...  golden scenarios with every channel between ranks a broadcast (``mpi_bcast_readers=1``):
                traces equal Lava's, bit for bit in fixed_pt
random N SEED   the runtime's random networks (``tests.mpi.properties_on_ranks``), every channel a broadcast
deadlock RANK   ``tests.mpi.features deadlock`` with every channel a broadcast: the deadlock is proven and named
deaf            a population broadcast to two processes that never receive: the writer waits for room, proven
also MOD MODE   ``tests.mpi.MOD MODE`` (features, injector_extractor) with every channel a broadcast
fanout          populations on ranks 0 and 1 each feed both other ranks (``mpi_bcast_readers=2``), fixed_pt,
                three runs with Var.set between them, then stop(): Monitor traces, Var.get between runs and the
                state after stop() equal a one-process run; each rank prints its channels and their messages
raise           a process on rank 2 that reads a broadcast channel raises at step 5: every rank gets the RunError
long            a long run with broadcast channels (for Ctrl-C on the launcher)

Rank 0 prints what the test checks; every rank exits with status 1 on a mismatch.
"""

from __future__ import annotations

import sys

import caldera
import caldera.mpi
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

from tests.golden import scenario
from tests.mpi.faults import Bomb

COMM = MPI.COMM_WORLD


def say(*args: object) -> None:
    if COMM.rank == 0:
        print(*args, flush=True)


BROADCASTS = [0]  # messages this rank broadcast


def _count_broadcasts() -> None:
    append = caldera.mpi.MpiBcastSender.append

    def counted(self: caldera.mpi.MpiBcastSender, arr: np.ndarray) -> None:
        BROADCASTS[0] += 1
        append(self, arr)

    caldera.mpi.MpiBcastSender.append = counted


class EveryChannelBroadcast(caldera.RunConfig):
    """``RunConfig`` with ``mpi_bcast_readers=1`` unless given: for scripts that build their own."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("mpi_bcast_readers", 1)
        super().__init__(*args, **kwargs)


def broadcasts() -> str:
    total = COMM.allreduce(BROADCASTS[0])
    return f"{'some' if total else 'no'} messages broadcast"


def random_networks(count: int, seed: int) -> bool:
    from tests.mpi import properties_on_ranks

    caldera.RunConfig = EveryChannelBroadcast  # the generator's traces() builds its RunConfig itself
    ok = properties_on_ranks.main(count, seed) == 0
    say(broadcasts())
    return ok


def golden(names: list[str]) -> bool:
    bad = 0
    for name in names:
        got, want = scenario.run(name, backend="cpu", partitions=COMM.size, transport="mpi", mpi_bcast_readers=1)
        ok = all(np.array_equal(got[k], want[k]) for k in want)
        oks = COMM.gather(ok, root=0)
        say(f"{name}: {'same on every rank' if oks and all(oks) else f'DIFFERS on ranks {oks}'}")
        bad += not ok
    total = COMM.allreduce(bad)
    say(f"{len(names) - total} of {len(names)} scenarios identical on {COMM.size} ranks; {broadcasts()}")
    return total == 0


def fanout_network(bomb: bool = False) -> tuple[list, list]:
    """a (rank 0) and b (rank 1) each feed a Dense on both other ranks; c (rank 2) sums four projections
    and feeds a Dense back on rank 0. ``a`` fires in bursts: some steps none or a few of its 48 neurons
    spike, some steps most (its messages change between sparse and dense, small and large)."""
    rng = np.random.default_rng(11)
    bias = np.concatenate([np.full(200, 10), rng.integers(1, 9, 200)])
    a = LIF(shape=(400,), du=4095, dv=0, vth=120, bias_mant=bias, bias_exp=6, name="a")
    b = LIF(shape=(20,), du=4095, dv=500, vth=40, bias_mant=rng.integers(40, 160, 20), bias_exp=6, name="b")
    c = LIF(shape=(16,), du=800, dv=600, vth=300, name="c")
    back = LIF(shape=(8,), du=800, dv=600, vth=200, name="back")
    dense = {}
    for src, n in ((a, 400), (b, 20)):
        for where in ("r0", "r1", "r2"):
            if (src is a and where == "r0") or (src is b and where == "r1"):
                continue
            d = Dense(weights=rng.integers(-40, 100, (16, n)), name=f"{src.name}_{where}")
            src.s_out.connect(d.s_in)
            d.a_out.connect(c.a_in)
            dense[(src.name, where)] = d
    d_back = Dense(weights=rng.integers(-20, 80, (8, 16)), name="c_back")
    c.s_out.connect(d_back.s_in)
    d_back.a_out.connect(back.a_in)
    far: list = [c, dense[("a", "r2")], dense[("b", "r2")]]
    if bomb:
        boom = Bomb(shape=(20,), mode="raise", name="bomb")
        b.s_out.connect(boom.a_in)
        far.append(boom)
    mon = Monitor(name="mon")
    mon.probe(c.v, 40)
    mon0 = Monitor(name="mon0")
    mon0.probe(back.u, 40)
    parts = [[a, dense[("b", "r0")], back, d_back, mon0], [b, dense[("a", "r1")]], [*far, mon]]
    return [a, b, c, back, (mon, mon0)], parts


def fanout_trace(mpi: bool) -> tuple[dict, list]:
    (a, b, c, back, mons), parts = fanout_network()
    cfg = caldera.RunConfig(
        backend="cpu", tag="fixed_pt", partitions=parts if mpi else 1, transport="mpi" if mpi else "shm"
    )
    if mpi:
        cfg.mpi_bcast_readers = 2
    out = {}
    a.run(caldera.RunSteps(12), cfg)
    out["c.v@12"] = c.v.get()
    b.bias_mant.set(np.full(20, 150))
    c.v.set(np.zeros(16, dtype=np.int32))
    a.run(caldera.RunSteps(13), cfg)
    out["back.v@25"] = back.v.get()
    a.bias_mant.set(np.full(400, 35))
    a.run(caldera.RunSteps(15), cfg)
    for mon in mons:
        for name, members in mon.get_data().items():
            for var, trace in members.items():
                out[f"mon.{name}.{var}"] = trace
    group = a.runtime.group
    chans = []
    if group is not None:
        chans = [(s.name, type(s).__name__, s.sent, getattr(s, "rests", 0)) for s in group.senders]
    a.stop()
    out["c.u@stop"], out["back.v@stop"] = c.u.get(), back.v.get()
    return out, chans


def fanout() -> bool:
    want, _ = fanout_trace(False)
    got, chans = fanout_trace(True)
    same = sorted(k for k in want if np.array_equal(got[k], want[k]))
    for rank, mine in enumerate(COMM.gather(chans, root=0) or []):
        for name, kind, sent, _ in mine:
            say(f"rank {rank} {'broadcasts' if kind == 'MpiBcastSender' else 'sends'} {name}: {sent} messages")
    rests = COMM.allreduce(sum(r for *_, r in chans))
    say(f"frames sent in two parts: {'some' if rests else 'none'}")
    say(f"identical on {COMM.size} ranks: {', '.join(same)}")
    nonzero = sum(int(np.count_nonzero(v)) for v in want.values())
    say(f"non-zero values compared: {nonzero}")
    return bool(COMM.allreduce(int(len(same) == len(want) and rests > 0), op=MPI.MIN))


def fail() -> bool:
    (a, *_), parts = fanout_network(bomb=True)
    cfg = caldera.RunConfig(backend="cpu", tag="fixed_pt", partitions=parts, transport="mpi", mpi_bcast_readers=2)
    try:
        a.run(caldera.RunSteps(40), cfg)
        msg = "no error"
    except RunError as e:
        msg = f"RunError process={e.process} step={e.step}: {str(e).splitlines()[0]}"
    a.stop()
    for rank, m in enumerate(COMM.gather(msg, root=0) or []):
        say(f"rank {rank} got {m}")
        say(f"rank {rank} stopped")  # every rank has returned from stop() (a collective call) to be here
    return bool(COMM.allreduce(int(msg.startswith("RunError")), op=MPI.MIN))


class Deaf(Process):
    """Never receives from its input port."""

    def __init__(self, *, shape, name=None):
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


@implements(proc=Deaf, protocol=LoihiProtocol)
@requires(CPU)
class PyDeaf(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def run_spk(self):
        self.s_out.send(np.zeros(self.a_in.shape))


def deaf() -> bool:
    a = LIF(shape=(4,), du=0.1, dv=0.1, vth=1.0, bias_mant=0.3, name="a")
    ears = [Deaf(shape=(4,), name=f"deaf{k}") for k in (1, 2)]
    for e in ears:
        a.s_out.connect(e.a_in)
    cfg = caldera.RunConfig(backend="cpu", partitions=[[a], *[[e] for e in ears]], transport="mpi")
    cfg.mpi_bcast_readers = 2
    try:
        a.run(caldera.RunSteps(20), cfg)
        msg = "no error"
    except RunError as e:
        msg = str(e)
    a.stop()
    msgs = COMM.gather(msg, root=0)
    say(msgs[0] if msgs else "")
    return bool(COMM.allreduce(int(len(set(COMM.allgather(msg))) == 1 and "deadlock" in msg), op=MPI.MIN))


def long() -> bool:
    (a, *_), parts = fanout_network()
    cfg = caldera.RunConfig(backend="cpu", tag="fixed_pt", partitions=parts, transport="mpi", mpi_bcast_readers=2)
    print(f"rank {COMM.rank} running", flush=True)
    a.run(caldera.RunSteps(10_000_000), cfg)
    a.stop()
    return True


def main(mode: str, *args: str) -> int:
    _count_broadcasts()
    if mode == "golden":
        ok = golden(list(args))
    elif mode == "deadlock":
        from tests.mpi import features

        caldera.RunConfig = EveryChannelBroadcast
        ok = features.deadlock(int(args[0]))
    elif mode == "also":
        import importlib

        caldera.RunConfig = EveryChannelBroadcast
        status = importlib.import_module(f"tests.mpi.{args[0]}").main(args[1])
        say(broadcasts())
        return status
    elif mode == "random":
        ok = random_networks(int(args[0]), int(args[1]))
    else:
        ok = {"fanout": fanout, "raise": fail, "long": long, "deaf": deaf}[mode]()
    say(f"{mode}: {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
