"""The runtime's partition property on MPI ranks: ``mpiexec -n N python -m tests.mpi.properties_on_ranks COUNT SEED``.

Rank 0 draws COUNT random networks (the generator of ``tests/runtime/test_properties.py``: LIF in both
tags mixed with Lava-style user models, chains, fan-in, fan-out, loops through Dense) and random cuts
into one partition per rank, and sends them to every rank. Each network runs once on the ranks and
once in one process; every probed trace must be identical. Exit status 1 if any differs.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
from hypothesis.errors import NonInteractiveExampleWarning
from mpi4py import MPI

from tests.runtime.test_properties import _placed, specs, traces


def draw_cases(count: int, seed: int, ranks: int) -> list:
    rng = np.random.default_rng(seed)
    cases = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        while len(cases) < count:
            spec = specs(max_steps=600).example()
            n = _placed(spec)
            if n < ranks:
                continue
            cut = list(rng.permutation(np.arange(n) % ranks))  # every rank gets at least one process
            cases.append((spec, [int(k) for k in cut]))
    return cases


def main(count: int, seed: int) -> int:
    comm = MPI.COMM_WORLD
    cases = comm.bcast(draw_cases(count, seed, comm.size) if comm.rank == 0 else None, root=0)
    bad = 0
    for i, (spec, cut) in enumerate(cases):
        got = traces(spec, cut=cut, transport="mpi")
        ref = traces(spec)
        same = all(np.array_equal(got[k], ref[k]) for k in ref if k != "_partitions")
        same &= got["_partitions"] == comm.size
        if comm.rank == 0 and not same:
            print(f"case {i} differs: {spec} cut={cut}", flush=True)
        bad += not same
    total = comm.allreduce(bad)
    if comm.rank == 0:
        print(f"{count - total} of {count} random networks identical on {comm.size} ranks", flush=True)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2])))
