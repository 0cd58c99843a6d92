"""Build/run/stop a small network many times and print resources before and after.

Counts open file descriptors, threads, shared-memory segments and RSS of this
process. Segments are this process's own: those it still maps, plus those its
networks created that still exist in /dev/shm (other programs' segments on the
same machine do not count). ``python benchmarks/leaks.py --cycles 2000 --partitions 1`` (and 2)
runs the full check the runtime issue asks for; tests/runtime runs fewer.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import threading
import typing as ty

import caldera
import numpy as np
from caldera.procs import LIF, Dense, Monitor

#: names of the shared-memory segments the cycles' networks created
CREATED: set[str] = set()


def _own_segments() -> int:
    with open("/proc/self/maps") as f:
        mapped = {line.split("/dev/shm/")[1].split()[0] for line in f if "/dev/shm/psm_" in line}
    left = {n for n in CREATED if os.path.exists(f"/dev/shm/{n}")}
    return len(mapped | left)


def resources() -> dict[str, int]:
    """This process's resources, after a garbage collection (unreachable objects of earlier work, e.g. of
    other tests in the same process, would otherwise be freed in the middle of a measurement)."""
    gc.collect()
    with open("/proc/self/statm") as f:
        rss_pages = int(f.read().split()[1])
    return {
        "fds": len(os.listdir("/proc/self/fd")),
        "threads": threading.active_count(),
        "shm": _own_segments(),
        "rss_kb": rss_pages * resource.getpagesize() // 1024,
    }


def snapshot() -> dict[str, ty.Any]:
    """What this process holds, by identity: open descriptors (with what they point to), live threads,
    shared-memory segments. A leak is something in a later snapshot that was not in an earlier one;
    something that went away meanwhile (a thread of earlier work ending) is not one."""
    gc.collect()
    fds = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            fds.add((fd, os.readlink(f"/proc/self/fd/{fd}")))
        except OSError:  # the descriptor of the listing itself, closed by now
            pass
    with open("/proc/self/maps") as f:
        mapped = {line.split("/dev/shm/")[1].split()[0] for line in f if "/dev/shm/psm_" in line}
    left = {n for n in CREATED if os.path.exists(f"/dev/shm/{n}")}
    return {"fds": fds, "threads": {(t.ident, t.name) for t in threading.enumerate()}, "shm": mapped | left}


def cycle(partitions: int, steps: int = 5) -> None:
    a = LIF(shape=(8,), du=0.1, dv=0.1, vth=1.0, bias_mant=0.3)
    syn = Dense(weights=np.full((8, 8), 0.1))
    b = LIF(shape=(8,), du=0.1, dv=0.1, vth=1.0)
    a.s_out.connect(syn.s_in)
    syn.a_out.connect(b.a_in)
    mon = Monitor()
    mon.probe(b.v, steps)
    a.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=caldera.RunConfig(partitions=partitions))
    group = a.runtime.group
    if group is not None:
        CREATED.update(ch.shm_name for ch in group.channels)
    b.v.get()
    a.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=2000)
    ap.add_argument("--partitions", type=int, default=1)
    args = ap.parse_args(argv)
    for _ in range(20):  # warm-up: imports, caches, allocator pools
        cycle(args.partitions)
    before = resources()
    try:
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: the thread count must be the network's alone
        it = tqdm(range(args.cycles), desc=f"cycles (partitions={args.partitions})")
    except ImportError:
        it = range(args.cycles)
    for _ in it:
        cycle(args.partitions)
    after = resources()
    print(f"{'resource':<10} {'before':>10} {'after':>10}")
    for k in before:
        print(f"{k:<10} {before[k]:>10} {after[k]:>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
