"""Host-side work and diagnostics on MPI ranks: ``mpiexec -n N python -m tests.mpi.features MODE [ARG]``.

shells    each rank builds only its own partition's models in full; the others are shells without state
hostio    Var.get/set between runs and Monitor results on every rank equal a one-process run
saveload  save on the ranks (rank 0 writes), load on every rank, run on: the traces of one long run
deadlock  a user model that receives twice per step (ARG: the rank it sits on): every rank raises the
          proven deadlock, naming the ranks, the channel and the step, instead of hanging
profile   caldera.profile() over MPI: both ranks' partitions, with the time they waited on each other
fanout    a spike vector read by four processes of another rank (one through a concatenation) crosses once
          per step; traces equal a one-process run

Rank 0 prints what the test checks; every rank exits with status 1 on a mismatch.
"""

from __future__ import annotations

import pathlib
import sys
import tempfile

import caldera
import numpy as np
from caldera.errors import RunError
from caldera.procs import LIF, Dense, Monitor
from mpi4py import MPI

from tests.runtime.lava_style import Greedy, Relay

COMM = MPI.COMM_WORLD


def say(*args: object) -> None:
    if COMM.rank == 0:
        print(*args, flush=True)


def network():
    """a -> d1 -> mid (a Lava-style relay) -> d2 -> b, 8 neurons, floating point."""
    a = LIF(shape=(8,), du=0.1, dv=0.1, vth=1.0, bias_mant=np.linspace(0.2, 0.5, 8), name="a")
    d1 = Dense(weights=np.eye(8) * 0.8, name="d1")
    mid = Relay(shape=(8,), name="mid")
    d2 = Dense(weights=np.full((8, 8), 0.3), name="d2")
    b = LIF(shape=(8,), du=0.2, dv=0.1, vth=1.0, name="b")
    a.s_out.connect(d1.s_in)
    d1.a_out.connect(mid.a_in)
    mid.s_out.connect(d2.s_in)
    d2.a_out.connect(b.a_in)
    return a, d1, mid, d2, b


def cfg(procs, mpi: bool) -> caldera.RunConfig:
    a, d1, mid, d2, b, *rest = procs
    if not mpi:
        return caldera.RunConfig(backend="cpu")
    parts = [[a, d1], [mid, d2, b, *rest]] if COMM.size == 2 else [[a, d1], [mid], [d2, b, *rest]]
    return caldera.RunConfig(backend="cpu", partitions=parts, transport="mpi")


def shells() -> bool:
    procs = network()
    procs[0].run(caldera.RunSteps(3), cfg(procs, True))
    rt = procs[0].runtime
    mine = rt.net.partitions[COMM.rank].ids
    ok = True
    for p in procs:
        model = rt.model_of(p)
        full = p.id in mine
        ok &= model.shell is not full
        ok &= all((getattr(model, v.name) is None) is not full for v in p.vars)
    names = sorted(p.name for p in procs if p.id in mine)
    built = COMM.gather((names, ok), root=0)
    for rank, (names_k, ok_k) in enumerate(built or []):
        say(f"rank {rank} holds the state of {', '.join(names_k)}: {'ok' if ok_k else 'WRONG'}")
    v = procs[4].v.get()  # a value from rank 1, on every rank
    procs[0].stop()
    after = all(rt.model_of(p).shell is not (p.id in mine) for p in procs)
    after &= np.array_equal(rt.model_of(procs[4]).v, v)  # stop() brought every state to every rank
    return bool(COMM.allreduce(int(ok and after), op=MPI.MIN))


def hostio_trace(mpi: bool) -> dict:
    procs = network()
    a, d1, mid, d2, b = procs
    mon = Monitor(name="mon")
    mon.probe(b.v, 30)
    mon.probe(b.s_out, 30)
    run_cfg = cfg([*procs, mon], mpi)
    a.run(caldera.RunSteps(10), run_cfg)
    out = {"v10": b.v.get(), "w10": d2.weights.get()}
    b.v.set(np.full(8, 0.5))  # rank 0's value, written on rank 1
    d2.weights.set(np.eye(8) * 1.5)
    a.bias_mant.set(np.full(8, 0.45))
    a.run(caldera.RunSteps(20), run_cfg)
    out.update({f"mon.{k}": x for k, x in mon.get_data()["b"].items()})
    out["u30"] = b.u.get()
    a.stop()
    out["after_stop"] = b.v.get()
    return out


def hostio() -> bool:
    got, want = hostio_trace(True), hostio_trace(False)
    same = sorted(k for k in want if np.array_equal(got[k], want[k]))
    say(f"identical on {COMM.size} ranks: {', '.join(same)}")
    return bool(COMM.allreduce(int(len(same) == len(want)), op=MPI.MIN))


def saveload() -> bool:
    procs = network()
    mon = Monitor(name="mon")
    mon.probe(procs[4].v, 25)
    procs[0].run(caldera.RunSteps(25), cfg([*procs, mon], False))
    want = mon.get_data()["b"]["v"][-15:]
    procs[0].stop()

    procs = network()
    procs[0].run(caldera.RunSteps(10), cfg(procs, True))
    folder = COMM.bcast(tempfile.mkdtemp() if COMM.rank == 0 else None, root=0)
    path = caldera.save(procs[0], pathlib.Path(folder) / "net.npz")
    procs[0].stop()
    loaded = caldera.load(path)
    a, d1, mid, d2, b = (loaded[n] for n in ("a", "d1", "mid", "d2", "b"))
    mon = Monitor(name="mon2")
    mon.probe(b.v, 15)
    a.run(caldera.RunSteps(15), cfg([a, d1, mid, d2, b, mon], True))
    got = mon.get_data()["b"]["v"]
    t = a.runtime.time_step
    a.stop()
    ok = np.array_equal(got, want) and t == 25
    say(f"saved at step 10 on {COMM.size} ranks, loaded, ran to step {t}: {'identical' if ok else 'DIFFERENT'}")
    return bool(COMM.allreduce(int(ok), op=MPI.MIN))


def deadlock(where: int) -> bool:
    a = LIF(shape=(4,), du=0.1, dv=0.1, vth=1.0, bias_mant=0.3, name="a")
    d = Dense(weights=np.eye(4), name="d")
    greedy = Greedy(shape=(4,), name="greedy")
    b = LIF(shape=(4,), du=0.1, dv=0.1, vth=1.0, name="b")
    a.s_out.connect(d.s_in)
    d.a_out.connect(greedy.a_in)
    greedy.s_out.connect(b.a_in)
    parts = [[a, d], [greedy, b]] if where == 1 else [[greedy, b], [a, d]]
    root = a if where == 1 else greedy  # rank 0 runs the partition of the process that is run
    try:
        root.run(caldera.RunSteps(20), caldera.RunConfig(backend="cpu", partitions=parts, transport="mpi"))
        msg = "no error"
    except RunError as e:
        msg = str(e)
    a.stop()
    msgs = COMM.gather(msg, root=0)
    say(msgs[0] if msgs else "")
    return bool(COMM.allreduce(int(len(set(COMM.allgather(msg))) == 1 and "deadlock" in msg), op=MPI.MIN))


def profile() -> bool:
    procs = network()
    with caldera.profile() as prof:
        procs[0].run(caldera.RunSteps(200), cfg(procs, True))
    procs[0].stop()
    rows = prof.partition_rows()
    for r in rows:
        say(f"partition {r['partition']}: {r['steps']} steps, channel waits {sorted(r['channel_waits'])}")
    names = sorted(r["process"] for r in prof.rows())
    say(f"processes: {', '.join(names)}")
    ok = len(rows) == COMM.size and all(r["steps"] == 200 and r["channel_waits"] for r in rows)
    ok &= all(r["channel_wait_s"] >= 0 for r in rows) and names == ["a", "b", "d1", "d2", "mid"]
    return bool(COMM.allreduce(int(ok), op=MPI.MIN))


def fanout_trace(mpi: bool) -> tuple[dict, list]:
    """a's spikes reach three Dense on the last rank (one through a concatenation with b) and one on rank 0."""
    a = LIF(shape=(6,), du=0.1, dv=0.1, vth=1.0, bias_mant=np.linspace(0.15, 0.5, 6), name="a")
    b = LIF(shape=(6,), du=0.1, dv=0.1, vth=1.0, bias_mant=np.linspace(0.5, 0.15, 6), name="b")
    rng = np.random.default_rng(3)
    ds = [Dense(weights=rng.uniform(0, 0.6, (4, 6)), name=f"d{k}") for k in range(3)]
    cat = Dense(weights=rng.uniform(0, 0.4, (4, 12)), name="cat")
    local = Dense(weights=rng.uniform(0, 0.6, (4, 6)), name="local")
    c = LIF(shape=(4,), du=0.2, dv=0.1, vth=12.0, name="c")
    for d in (*ds, local):
        a.s_out.connect(d.s_in)
        d.a_out.connect(c.a_in)
    a.s_out.concat_with([b.s_out], axis=0).connect(cat.s_in)
    cat.a_out.connect(c.a_in)
    mon = Monitor(name="mon")
    mon.probe(c.v, 40)
    far = [*ds, cat, c, mon]
    parts = [[a, b, local], far] if COMM.size == 2 else [[a, local], [b], far]
    run_cfg = caldera.RunConfig(backend="cpu", partitions=parts if mpi else 1, transport="mpi" if mpi else "shm")
    a.run(caldera.RunSteps(40), run_cfg)
    trace = mon.get_data()["c"]["v"]
    group = a.runtime.group
    channels = [] if group is None else [(g.name, g.sent) for g in group.senders]
    a.stop()
    return trace, channels


def fanout() -> bool:
    want, _ = fanout_trace(False)
    got, channels = fanout_trace(True)
    same = np.array_equal(got, want)
    for rank, chans in enumerate(COMM.gather(channels, root=0) or []):
        say(f"rank {rank} sends " + "; ".join(f"{n}: {k} messages" for n, k in chans))
    say(f"c.v on {COMM.size} ranks: {'identical' if same else 'DIFFERENT'} ({int(np.count_nonzero(want))} non-zero)")
    return bool(COMM.allreduce(int(same), op=MPI.MIN))


def main(mode: str, *args: str) -> int:
    fn = {"shells": shells, "hostio": hostio, "saveload": saveload, "profile": profile, "fanout": fanout}.get(mode)
    ok = deadlock(int(args[0])) if mode == "deadlock" else fn()
    say(f"{mode}: {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
