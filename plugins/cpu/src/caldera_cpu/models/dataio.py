"""NumPy models of the processes that move data in and out of Vars during a run: Read, Reset and the data loaders."""

from __future__ import annotations

import numpy as np
from caldera.errors import ParameterError
from caldera.model import (
    LavaPyType,
    PyLoihiProcessModel,
    PyOutPort,
    PyRefPort,
    implements,
    requires,
    tag,
)
from caldera.procs.dataio import Read, Reset, SpikeDataloader, StateDataloader
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU


# -- Read / Reset --------------------------------------------------------------------------
def _require_ref(model, port: str = "state") -> None:
    ref = getattr(model.process, port)
    if ref.target_var is None and not ref.out_connections:
        raise ParameterError(
            f"{type(model.process).__name__} {model.process.name!r}: its RefPort {port!r} reaches no Var; "
            f"call {model.process.name}.connect_var(some_process.some_var) before running"
        )


class _IntervalMixin:
    def post_guard(self) -> bool:
        return (self.time_step - 1) % int(self.interval.reshape(-1)[0]) == int(self.offset.reshape(-1)[0])


class _ReadBase(_IntervalMixin, PyLoihiProcessModel):
    schedule = "recv_first"
    interval: np.ndarray = LavaPyType(np.ndarray, int)
    offset: np.ndarray = LavaPyType(np.ndarray, int)

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.counter = 0

    def validate(self) -> None:
        _require_ref(self)

    def run_post_mgmt(self) -> None:
        self.data[..., self.counter % self.data.shape[-1]] = self.state.read()
        self.counter += 1


@implements(proc=Read, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyReadModelFloat(_ReadBase):
    state: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, float)
    data: np.ndarray = LavaPyType(np.ndarray, float)


@implements(proc=Read, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyReadModelFixed(_ReadBase):
    state: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, np.int32)
    data: np.ndarray = LavaPyType(np.ndarray, np.int32)


class _ResetBase(_IntervalMixin, PyLoihiProcessModel):
    schedule = "recv_first"
    mgmt_order = -10  # reset before readers (monitors, Read) look at the Var
    interval: np.ndarray = LavaPyType(np.ndarray, int)
    offset: np.ndarray = LavaPyType(np.ndarray, int)

    def validate(self) -> None:
        _require_ref(self)

    def run_post_mgmt(self) -> None:
        cur = self.state.read()
        self.state.write(np.zeros(cur.shape, cur.dtype) + self.reset_value.reshape(-1)[0])


@implements(proc=Reset, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyResetModelFloat(_ResetBase):
    state: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, float)
    reset_value: np.ndarray = LavaPyType(np.ndarray, float)


@implements(proc=Reset, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyResetModelFixed(_ResetBase):
    state: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, int)
    reset_value: np.ndarray = LavaPyType(np.ndarray, int)


# -- data loaders --------------------------------------------------------------------------
class _LoaderBase(_IntervalMixin, PyLoihiProcessModel):
    schedule = "recv_first"
    ground_truth: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    interval: np.ndarray = LavaPyType(np.ndarray, int)
    offset: np.ndarray = LavaPyType(np.ndarray, int)

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.sample_id = 0
        self.ground_truth_state: np.ndarray = np.zeros(self.proc_params["gt_shape"])
        self.dataset = self.proc_params["saved_dataset"]

    def _next_sample(self) -> np.ndarray:
        data, gt = self.dataset[self.sample_id]
        self.ground_truth_state = np.array([gt]) if np.isscalar(gt) else np.asarray(gt)
        self.sample_id = (self.sample_id + 1) % len(self.dataset)
        return np.asarray(data)


class _SpikeLoaderBase(_LoaderBase):
    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.sample_time = 0

    def run_spk(self) -> None:
        interval = int(self.interval.reshape(-1)[0])
        self.s_out.send(self.data[..., self.sample_time % interval])
        self.ground_truth.send(self.ground_truth_state)
        self.sample_time += 1

    def run_post_mgmt(self) -> None:
        data = self._next_sample()
        interval = int(self.interval.reshape(-1)[0])
        if data.shape[:-1] != self.data.shape[:-1]:
            raise ParameterError(
                f"SpikeDataloader {self.process.name!r}: sample {self.sample_id - 1} has data of shape "
                f"{data.shape}, expected {self.data.shape[:-1]} + (time,)"
            )
        new = np.zeros_like(self.data)
        n = min(interval, data.shape[-1])
        new[..., :n] = data[..., :n]
        self.data = new
        self.sample_time = 0


@implements(proc=SpikeDataloader, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySpikeDataloaderModelFloat(_SpikeLoaderBase):
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    data: np.ndarray = LavaPyType(np.ndarray, float)


@implements(proc=SpikeDataloader, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySpikeDataloaderModelFixed(_SpikeLoaderBase):
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)
    data: np.ndarray = LavaPyType(np.ndarray, np.int32)


class _StateLoaderBase(_LoaderBase):
    def validate(self) -> None:
        _require_ref(self)

    def run_spk(self) -> None:
        self.ground_truth.send(self.ground_truth_state)

    def run_post_mgmt(self) -> None:
        self.state.write(self._next_sample())


@implements(proc=StateDataloader, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyStateDataloaderModelFloat(_StateLoaderBase):
    state: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, float)


@implements(proc=StateDataloader, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyStateDataloaderModelFixed(_StateLoaderBase):
    state: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, np.int32)


MODELS = [
    PyReadModelFloat,
    PyReadModelFixed,
    PyResetModelFloat,
    PyResetModelFixed,
    PySpikeDataloaderModelFloat,
    PySpikeDataloaderModelFixed,
    PyStateDataloaderModelFloat,
    PyStateDataloaderModelFixed,
]
