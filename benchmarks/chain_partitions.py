"""The runtime issue's chain, many times: LIF -> Dense -> R -> Dense -> LIF with R a Lava-style user model.

R (``x = a_in.recv(); s_out.send(x)``, no caldera-specific attributes) runs on the executor's
general (greenlet) path in the child partition. Every run must finish and give the traces of the
single-partition run; the script prints how many did, and the median wall time of both.

    python benchmarks/chain_partitions.py --runs 100 --steps 20000
"""

from __future__ import annotations

import argparse
import statistics
import time

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
from caldera.procs import LIF, Dense, Monitor


class R(Process):
    def __init__(self, *, shape, name=None):
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


@implements(proc=R, protocol=LoihiProtocol)
@requires(CPU)
class PyR(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def run_spk(self) -> None:
        x = self.a_in.recv()
        self.s_out.send(x)


def run_chain(steps: int, partitioned: bool) -> tuple[dict[str, np.ndarray], float]:
    lif1 = LIF(shape=(10,), du=0.1, dv=0.1, vth=1.0, bias_mant=np.linspace(0.15, 0.4, 10), name="lif1")
    dense1 = Dense(weights=np.eye(10) * 0.9, name="dense1")
    r = R(shape=(10,), name="R")
    dense2 = Dense(weights=np.eye(10) * 1.5, name="dense2")
    lif2 = LIF(shape=(10,), du=0.1, dv=0.1, vth=1.0, name="lif2")
    lif1.s_out.connect(dense1.s_in)
    dense1.a_out.connect(r.a_in)
    r.s_out.connect(dense2.s_in)
    dense2.a_out.connect(lif2.a_in)
    m_v, m_s = Monitor(name="m_v"), Monitor(name="m_s")
    m_v.probe(lif2.v, steps)
    m_s.probe(r.s_out, steps)
    parts = [[lif1, dense1], [r, dense2, lif2, m_s]] if partitioned else 1
    t0 = time.perf_counter()
    try:
        lif1.run(caldera.RunSteps(steps), caldera.RunConfig(backend="cpu", partitions=parts))
        dt = time.perf_counter() - t0
        return {"lif2.v": m_v.get_data()["lif2"]["v"], "R.s_out": m_s.get_data()["R"]["s_out"]}, dt
    finally:
        lif1.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--steps", type=int, default=20_000)
    args = ap.parse_args(argv)
    ref, _ = run_chain(args.steps, partitioned=False)
    one, two, ok, failures = [], [], 0, []
    for i in range(args.runs):
        one.append(run_chain(args.steps, partitioned=False)[1])
        try:
            got, dt = run_chain(args.steps, partitioned=True)
        except Exception as e:  # noqa: BLE001 - counted and shown
            failures.append(f"run {i}: {type(e).__name__}: {str(e).splitlines()[0]}")
            continue
        two.append(dt)
        if all(np.array_equal(got[k], ref[k]) for k in ref):
            ok += 1
        else:
            failures.append(f"run {i}: traces differ from one partition")
    print(f"{ok} of {args.runs} runs of {args.steps} steps finished with the single-partition traces")
    for f in failures[:10]:
        print("  ", f)
    if two:
        print(
            f"median run time: one partition {statistics.median(one):.3f} s, two partitions "
            f"{statistics.median(two):.3f} s (ratio {statistics.median(two) / statistics.median(one):.2f})"
        )
    return 0 if ok == args.runs else 1


if __name__ == "__main__":
    raise SystemExit(main())
