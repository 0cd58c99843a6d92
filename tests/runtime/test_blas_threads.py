"""During a run, BLAS uses one thread (parallelism comes from partitions); afterwards its setting is back."""

from __future__ import annotations

import caldera
import numpy as np
import pytest
from caldera.model import LavaPyType, PyLoihiProcessModel, implements, requires, tag
from caldera.process import Process
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU
from caldera.variable import Var

threadpoolctl = pytest.importorskip("threadpoolctl")


def _blas_threads() -> list[int]:
    return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]


class _Probe(Process):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.threads = Var(shape=(1,), init=0)


@implements(proc=_Probe, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class _PyProbe(PyLoihiProcessModel):
    schedule = "recv_first"
    threads: np.ndarray = LavaPyType(np.ndarray, int)

    def run_spk(self) -> None:
        self.threads[0] = max(_blas_threads() or [0])


def test_blas_runs_single_threaded_and_is_restored():
    np.ones((4, 4)) @ np.ones(4)  # make sure NumPy's BLAS is loaded
    if not _blas_threads():
        pytest.skip("no BLAS library found by threadpoolctl")
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        p = _Probe()
        for _ in range(3):  # the controller is reused between runs
            p.run(caldera.RunSteps(1), caldera.RunConfig(backend="cpu"))
            assert p.threads.get()[0] == 1
            assert _blas_threads() == before
        p.stop()
