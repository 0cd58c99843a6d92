"""Host I/O on MPI ranks: ``mpiexec -n N python -m tests.mpi.injector_extractor MODE``.

feed       an Injector on rank 0 feeds a network on ranks 1..N-1 and two Extractors on rank 0 read it back
           (from rank 1 and from the last rank), in the blocking patterns: queue before a run, then
           RunSteps(n); send / RunSteps(1) / receive in a loop; a user thread feeding (when_empty="block")
           and another draining (when_full="block", a 2-array buffer) during one RunSteps(n). What rank 0
           receives, and the neurons' state, must equal a one-process run bit for bit. The other ranks send
           other data (ignored: rank 0's counts), and their receive() must be a clear error, as must a
           background run.
unfed      an Injector waiting for data nobody sends: RunConfig(watchdog_s=2) ends the run on every rank
elsewhere  an Injector listed on rank 1 (2 ranks): a CompileError on every rank before the run (exits non-zero)

Rank 0 prints what the test checks; every rank exits with status 1 on a mismatch.
"""

from __future__ import annotations

import sys
import threading
import time

import caldera
import numpy as np
from caldera.errors import RunError, RuntimeStateError
from caldera.procs import LIF, Dense, Extractor, Injector
from mpi4py import MPI

COMM = MPI.COMM_WORLD
N = 5


def say(*args: object) -> None:
    if COMM.rank == 0:
        print(*args, flush=True)


def network(**inj_kwargs):
    """inj -> lif1 -> d -> lif2; ext1 reads lif1, ext2 reads lif2 (floating point, N neurons)."""
    inj = Injector(shape=(N,), name="inj", **inj_kwargs)
    lif1 = LIF(shape=(N,), du=1.0, dv=0.2, vth=1.0, name="lif1")
    d = Dense(weights=np.eye(N) * 0.7 + 0.1, name="d")
    lif2 = LIF(shape=(N,), du=0.5, dv=0.1, vth=0.8, name="lif2")
    ext1 = Extractor(shape=(N,), buffer_size=100, name="ext1")
    ext2 = Extractor(shape=(N,), buffer_size=100, name="ext2")
    inj.out_port.connect(lif1.a_in)
    lif1.s_out.connect(d.s_in)
    d.a_out.connect(lif2.a_in)
    lif1.s_out.connect(ext1.in_port)
    lif2.s_out.connect(ext2.in_port)
    return inj, lif1, d, lif2, ext1, ext2


def cfg(procs, mpi: bool) -> caldera.RunConfig:
    inj, lif1, d, lif2, ext1, ext2 = procs
    if not mpi:
        return caldera.RunConfig(backend="cpu")
    # the Extractors are not listed: unlisted host I/O joins rank 0
    parts = [[inj], [lif1, d, lif2]] if COMM.size == 2 else [[inj], [lif1], [d, lif2]]
    return caldera.RunConfig(backend="cpu", partitions=parts, transport="mpi")


def data(k: int, mpi: bool) -> np.ndarray:
    """Input of step k on rank 0; over MPI the other ranks send something else, which must be ignored."""
    x = (np.arange(N) + k) % 4 * 0.45
    return x + 100.0 if mpi and COMM.rank else x


def receive_all(ext: Extractor) -> list:
    return [ext.receive(timeout=60) for _ in range(ext.available())]


def blocking_patterns(mpi: bool) -> tuple[dict, list[str]]:
    """Queue then run; send/run/receive. Returns what rank 0 received and the errors the other ranks saw."""
    procs = network(when_empty="zeros")
    inj, lif1, d, lif2, ext1, ext2 = procs
    out: dict = {}
    errors: list[str] = []
    for k in range(6):  # queued before the network is built (before the first run)
        assert inj.send(data(k, mpi))
    inj.run(caldera.RunSteps(8), cfg(procs, mpi))  # 6 arrays, then 2 steps of zeros
    if COMM.rank == 0 or not mpi:
        out["queued.ext1"], out["queued.ext2"] = receive_all(ext1), receive_all(ext2)
    else:
        for ext in (ext1, ext2):
            try:
                ext.receive(timeout=1)
            except RuntimeStateError as e:
                errors.append(str(e))
    for k in range(6, 12):  # one array, one step, one result
        inj.send(data(k, mpi))
        inj.run(caldera.RunSteps(1), cfg(procs, mpi))
        if COMM.rank == 0 or not mpi:
            out.setdefault("stepwise.ext1", []).append(ext1.receive(timeout=60))
            out.setdefault("stepwise.ext2", []).append(ext2.receive(timeout=60))
    if mpi:
        try:
            inj.run(caldera.RunSteps(3, blocking=False), cfg(procs, mpi))
        except RuntimeStateError as e:
            errors.append(str(e))
    out["lif2.v"] = lif2.v.get()
    out["lif1.u"] = lif1.u.get()
    inj.stop()
    out["after_stop.lif2.u"] = lif2.u.get()
    return out, errors


def threads(mpi: bool) -> dict:
    """A thread feeds (the network waits for it) and another drains a 2-array buffer (the network waits for
    room) during one blocking RunSteps(n) on rank 0's main thread."""
    procs = network(when_empty="block", buffer_size=3)
    inj, lif1, d, lif2, ext1, ext2 = procs
    ext_small = Extractor(shape=(N,), buffer_size=2, when_full="block", name="ext_small")
    lif2.s_out.connect(ext_small.in_port)
    steps = 30
    got: list = []
    workers = []
    if COMM.rank == 0 or not mpi:

        def feed() -> None:
            for k in range(steps):
                inj.send(data(k, mpi))
                if k % 7 == 0:
                    time.sleep(0.01)  # the network catches up and waits for the next array

        def drain() -> None:
            for _ in range(steps):
                got.append(ext_small.receive(timeout=120))

        workers = [threading.Thread(target=feed), threading.Thread(target=drain)]
        for w in workers:
            w.start()
    inj.run(caldera.RunSteps(steps), cfg(procs, mpi))
    for w in workers:
        w.join(timeout=120)
    out = {"threads.ext_small": got, "threads.lif2.v": lif2.v.get()}
    if COMM.rank == 0 or not mpi:
        out["threads.ext2"] = receive_all(ext2)
    inj.stop()
    return out


def feed() -> bool:
    want, _ = blocking_patterns(False)
    want.update(threads(False))
    got, errors = blocking_patterns(True)
    got.update(threads(True))
    ok = True
    if COMM.rank == 0:
        same = sorted(k for k in want if k in got and np.array_equal(np.asarray(got[k]), np.asarray(want[k])))
        spikes = int(sum(np.sum(x) for k in ("queued.ext2", "stepwise.ext2", "threads.ext2") for x in want[k]))
        say(f"identical on {COMM.size} ranks ({spikes} spikes): {', '.join(same)}")
        ok = len(same) == len(want) and spikes > 0 and len(want["threads.ext_small"]) == 30
    else:
        ok = np.array_equal(got["lif2.v"], want["lif2.v"])  # Var.get gives every rank the value
    for rank, errs in enumerate(COMM.gather(errors, root=0) or []):
        for e in errs:
            say(f"rank {rank}: {e}")
    return bool(COMM.allreduce(int(ok), op=MPI.MIN))


def elsewhere() -> bool:
    procs = network()
    inj, lif1, d, lif2, ext1, ext2 = procs
    parts = [[lif1, d, lif2, ext1, ext2], [inj]]
    inj.run(caldera.RunSteps(3), caldera.RunConfig(backend="cpu", partitions=parts, transport="mpi"))
    return False  # not reached: the CompileError ends every rank


def unfed() -> bool:
    """An Injector that waits for data nobody sends (when_empty="block"): the watchdog ends the run on every rank."""
    procs = network(when_empty="block")
    inj = procs[0]
    inj.send(data(0, True))  # one step's worth; the second step waits
    run_cfg = cfg(procs, True)
    run_cfg = caldera.RunConfig(backend="cpu", partitions=run_cfg.partitions, transport="mpi", watchdog_s=2)
    try:
        inj.run(caldera.RunSteps(5), run_cfg)
        msg = "no error"
    except RunError as e:
        msg = str(e).splitlines()[0]
    inj.stop()
    msgs = COMM.gather(msg, root=0)
    say(f"every rank: {msgs[0]}" if msgs and len(set(msgs)) == 1 else f"ranks differ: {msgs}")
    return bool(COMM.allreduce(int("WatchdogTimeout" in msg), op=MPI.MIN))


def main(mode: str) -> int:
    ok = {"feed": feed, "elsewhere": elsewhere, "unfed": unfed}[mode]()
    say(f"{mode}: {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
