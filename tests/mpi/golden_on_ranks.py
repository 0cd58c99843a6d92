"""Run golden scenarios with one partition per MPI rank (``mpiexec -n N python -m tests.mpi.golden_on_ranks NAME...``).

Every rank runs every scenario (the calls are collective) and compares the traces with Lava's: exact
for fixed_pt, rtol 1e-9 for floating_pt. Rank 0 prints one line per scenario and a summary; the exit
status is 1 if any scenario differs.
"""

from __future__ import annotations

import sys

import numpy as np
from mpi4py import MPI

from tests.golden import scenario


def main(names: list[str]) -> int:
    comm = MPI.COMM_WORLD
    bad = 0
    for name in names:
        got, want = scenario.run(name, backend="cpu", partitions=comm.size, transport="mpi")
        ok = True
        for key in want:
            if "fixed_pt" in name:
                ok &= bool(np.array_equal(got[key], want[key]))
            else:
                ok &= bool(np.allclose(got[key], want[key], rtol=1e-9, atol=1e-12))
        oks = comm.gather(ok, root=0)
        if comm.rank == 0:
            print(f"{name}: {'same on every rank' if all(oks) else f'DIFFERS on ranks {oks}'}", flush=True)
        bad += not ok
    total = comm.allreduce(bad)
    if comm.rank == 0:
        print(f"{len(names) - total} of {len(names)} scenarios identical on {comm.size} ranks", flush=True)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
