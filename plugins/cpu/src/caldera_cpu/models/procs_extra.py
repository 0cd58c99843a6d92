"""NumPy models of ATRLIF, RF_IZ, the graded vector neurons, Read/Reset, the data loaders and DeltaEncoder.

Where Lava 0.10 has a model the arithmetic is Lava's, operation for operation;
``floating_pt`` models of the graded neurons (Lava has only ``fixed_pt``) do
the same operations in float.
"""

from __future__ import annotations

import numpy as np
from caldera import arith
from caldera.errors import ParameterError
from caldera.model import (
    LavaPyType,
    PyInPort,
    PyLoihiProcessModel,
    PyOutPort,
    PyRefPort,
    SendFirstMixin,
    implements,
    requires,
    tag,
)
from caldera.procs.atrlif import ATRLIF
from caldera.procs.dataio import Compression, DeltaEncoder, Read, Reset, SpikeDataloader, StateDataloader
from caldera.procs.graded import GradedReluVec, GradedVec, ProdNeuron
from caldera.procs.rf_iz import RF_IZ
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU

from caldera_cpu.models.neurons import PyRFModelFixed, PyRFModelFloat


# -- ATRLIF --------------------------------------------------------------------------------
@implements(proc=ATRLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyATRLIFModelFloat(PyLoihiProcessModel):
    """Adaptive threshold and refractoriness, floating point."""

    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    i: np.ndarray = LavaPyType(np.ndarray, float)
    v: np.ndarray = LavaPyType(np.ndarray, float)
    theta: np.ndarray = LavaPyType(np.ndarray, float)
    r: np.ndarray = LavaPyType(np.ndarray, float)
    s: np.ndarray = LavaPyType(np.ndarray, bool)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, float)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, float)
    delta_i: float = LavaPyType(float, float)
    delta_v: float = LavaPyType(float, float)
    delta_theta: float = LavaPyType(float, float)
    delta_r: float = LavaPyType(float, float)
    theta_0: float = LavaPyType(float, float)
    theta_step: float = LavaPyType(float, float)

    def subthr_dynamics(self, activation_in: np.ndarray) -> None:
        self.i[:] = (1 - self.delta_i) * self.i + activation_in
        self.v[:] = (1 - self.delta_v) * self.v + self.i + self.bias_mant
        self.theta[:] = (1 - self.delta_theta) * (self.theta - self.theta_0) + self.theta_0
        self.r[:] = (1 - self.delta_r) * self.r

    def post_spike(self, s: np.ndarray) -> None:
        r_s = self.r[s]
        theta_s = self.theta[s]
        self.r[s] = r_s + 2 * theta_s
        self.theta[s] = theta_s + self.theta_step

    def run_spk(self) -> None:
        self.subthr_dynamics(self.a_in.recv())
        self.s[:] = (self.v - self.r) >= self.theta
        self.post_spike(self.s)
        self.s_out.send(self.s)


def _decay_shift(x: np.ndarray) -> np.ndarray:
    """Loihi's decay product back to state units, truncating toward zero."""
    return arith.scale_down(x, arith.DECAY_BITS)


@implements(proc=ATRLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyATRLIFModelFixed(PyLoihiProcessModel):
    """Lava's fixed-point ATRLIF: decays ``delta * 4096`` (+1 on i), 24-bit i (wrap) and v (saturate).

    As in Lava, ``theta`` starts at ``theta_0 << 6`` whatever its initial value,
    and ``theta_0``/``theta_step`` are scaled by 2**6 before the first step.
    """

    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=16)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    i: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    theta: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    r: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    s: np.ndarray = LavaPyType(np.ndarray, bool)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=13)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=3)
    delta_i: int = LavaPyType(int, np.uint16, precision=12)
    delta_v: int = LavaPyType(int, np.uint16, precision=12)
    delta_theta: int = LavaPyType(int, np.uint16, precision=12)
    delta_r: int = LavaPyType(int, np.uint16, precision=12)
    theta_0: int = LavaPyType(int, np.uint16, precision=12)
    theta_step: int = LavaPyType(int, np.uint16, precision=12)

    _unity = 2**12

    def validate(self) -> None:
        for name in ("delta_i", "delta_v", "delta_theta", "delta_r", "theta_0", "theta_step"):
            setattr(self, name, np.asarray(getattr(self, name)).reshape(-1)[0].item())
        self.theta_0 = np.int32(self.theta_0 * 2**6)
        self.theta[:] = self.theta_0
        self.theta_step = np.int32(self.theta_step * 2**6)

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        bias = arith.shift(self.bias_mant.astype(np.int32), self.bias_exp)
        u = self._unity
        i_dec = _decay_shift(np.int64(self.i * (u - (self.delta_i * u + 1))))
        self.i[:] = arith.wrap_u(np.int32(i_dec + a_in * 2**6))
        v_dec = _decay_shift(np.int64(self.v) * np.int64(u - self.delta_v * u))
        self.v[:] = arith.saturate_v(np.int32(v_dec + self.i + bias))
        th_dec = _decay_shift(np.int64(self.theta - self.theta_0) * np.int64(u - self.delta_theta * u))
        self.theta[:] = np.int32(th_dec) + self.theta_0
        self.r[:] = np.int32(_decay_shift(np.int64(self.r) * np.int64(u - self.delta_r * u)))
        self.s[:] = (self.v - self.r) >= self.theta
        s = self.s
        r_s, th_s = self.r[s], self.theta[s]
        self.r[s] = r_s + 2 * th_s
        self.theta[s] = th_s + self.theta_step
        self.s_out.send(self.s)


# -- RF_IZ ---------------------------------------------------------------------------------
@implements(proc=RF_IZ, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyRF_IZModelFloat(PyRFModelFloat):  # noqa: N801 - Lava's name
    """Spike when imag reaches vth; then real = 0 and imag = vth - 1e-5."""

    def run_spk(self) -> None:
        new_real, new_imag = self.resonator_dynamics(self.a_real_in.recv(), self.a_imag_in.recv(), self.real, self.imag)
        s_out = new_imag >= self.vth
        self.real[:] = new_real * (1 - s_out)
        self.imag[:] = s_out * (self.vth - 1e-5) + (1 - s_out) * new_imag
        self.s_out.send(s_out)


@implements(proc=RF_IZ, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyRF_IZModelFixed(PyRFModelFixed):  # noqa: N801 - Lava's name
    """Fixed-point RF_IZ: 24-bit saturating states; on a spike real = 0 and imag = vth - 1."""

    def run_spk(self) -> None:
        new_real, new_imag = self.resonator_dynamics()
        s_out = new_imag >= self.vth
        self.real[:] = new_real * (1 - s_out)
        self.imag[:] = s_out * (self.vth - 1) + (1 - s_out) * new_imag
        self.s_out.send(s_out)


# -- graded vector neurons ----------------------------------------------------------------
class _GradedVecBase(PyLoihiProcessModel):
    schedule = "recv_first"

    def run_spk(self) -> None:
        self.v += self.a_in.recv()
        is_spike = self._fires(self.v)
        out = self.v * is_spike
        self.v[:] = 0
        self.s_out.send(out)


class _AbsFires:
    def _fires(self, v: np.ndarray) -> np.ndarray:
        return np.abs(v) > self.vth


class _ReluFires:
    def _fires(self, v: np.ndarray) -> np.ndarray:
        return v > self.vth


def _fixed_fields(cls):
    cls.a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    cls.s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    cls.v = LavaPyType(np.ndarray, np.int32, precision=24)
    cls.vth = LavaPyType(np.ndarray, np.int32, precision=24)
    cls.exp = LavaPyType(np.ndarray, np.int32, precision=24)
    return cls


def _float_fields(cls):
    cls.a_in = LavaPyType(PyInPort.VEC_DENSE, float)
    cls.s_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    cls.v = LavaPyType(np.ndarray, float)
    cls.vth = LavaPyType(np.ndarray, float)
    cls.exp = LavaPyType(np.ndarray, np.int32)
    return cls


@implements(proc=GradedVec, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
@_fixed_fields
class PyGradedVecModelFixed(_AbsFires, _GradedVecBase):
    """Sends a_in where |a_in| > vth (Lava's model)."""


@implements(proc=GradedVec, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
@_float_fields
class PyGradedVecModelFloat(_AbsFires, _GradedVecBase):
    """Sends a_in where |a_in| > vth, in floating point."""


@implements(proc=GradedReluVec, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
@_fixed_fields
class PyGradedReluVecModelFixed(_ReluFires, _GradedVecBase):
    """Sends a_in where a_in > vth (Lava's model)."""


@implements(proc=GradedReluVec, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
@_float_fields
class PyGradedReluVecModelFloat(_ReluFires, _GradedVecBase):
    """Sends a_in where a_in > vth, in floating point."""


class _ProdBase(PyLoihiProcessModel):
    schedule = "recv_first"

    def run_spk(self) -> None:
        a1 = self.a_in1.recv()
        a2 = self.a_in2.recv()
        v = self._product(a1, a2)
        self.v[:] = v
        self.s_out.send(v * (np.abs(v) > self.vth))


@implements(proc=ProdNeuron, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyProdNeuronModelFixed(_ProdBase):
    """(a_in1 * a_in2) >> exp, sent where its magnitude exceeds vth (Lava's model)."""

    a_in1 = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    a_in2 = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def _product(self, a1: np.ndarray, a2: np.ndarray) -> np.ndarray:
        v = a1 * a2
        v >>= self.exp
        return v


@implements(proc=ProdNeuron, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyProdNeuronModelFloat(_ProdBase):
    """(a_in1 * a_in2) / 2**exp in floating point, sent where its magnitude exceeds vth."""

    a_in1 = LavaPyType(PyInPort.VEC_DENSE, float)
    a_in2 = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    v: np.ndarray = LavaPyType(np.ndarray, float)
    vth: np.ndarray = LavaPyType(np.ndarray, float)
    exp: np.ndarray = LavaPyType(np.ndarray, np.int32)

    def _product(self, a1: np.ndarray, a2: np.ndarray) -> np.ndarray:
        return a1 * a2 / 2.0 ** int(self.exp.reshape(-1)[0])


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


# -- DeltaEncoder --------------------------------------------------------------------------
def encode_sparse(s_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, flat indices) of the non-zero messages; one (0, 0) pair when there are none (Lava's format)."""
    flat = s_out.reshape(-1)
    idx = np.flatnonzero(flat)
    if idx.size == 0:
        return np.array([0]), np.array([0])
    return flat[idx], idx


def encode_packed_4(s_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every message as a signed byte, four to a 32-bit word; even words and odd words (Lava's PACKED_4)."""
    n = s_out.size
    padded = np.zeros(int(np.ceil(n / 8) * 8), dtype=np.int64)
    padded[:n] = np.bitwise_and(s_out.reshape(-1).astype(np.int64), 0xFF)
    packed = (padded[3::4] << 24) + (padded[2::4] << 16) + (padded[1::4] << 8) + padded[0::4]
    return packed[0::2].astype(np.int64), packed[1::2].astype(np.int64)


def decode_packed_4(even: np.ndarray, odd: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    words = np.empty(even.size + odd.size, dtype=np.int64)
    words[0::2], words[1::2] = even, odd
    b = np.stack([(words >> (8 * k)) & 0xFF for k in range(4)], axis=1).reshape(-1)
    b = np.where(b > 127, b - 256, b)
    return b[: int(np.prod(shape))].reshape(shape)


_BYTE_MARK = 0xFF  # an index byte of 255 marks a skip of 255 * (its data byte) positions


def _pack_bytes(b: np.ndarray) -> np.ndarray:
    """Bytes four to a 32-bit word, the first in the lowest byte, as int32 (wrapping, as Lava's words)."""
    padded = np.zeros(int(np.ceil(b.size / 4) * 4), dtype=np.int64)
    padded[: b.size] = np.bitwise_and(b, 0xFF)
    words = (padded[3::4] << 24) + (padded[2::4] << 16) + (padded[1::4] << 8) + padded[0::4]
    return words.astype(np.int32)


def _unpack_bytes(words: np.ndarray) -> np.ndarray:
    w = np.asarray(words).astype(np.int64) & 0xFFFFFFFF
    return np.stack([(w >> (8 * k)) & 0xFF for k in range(4)], axis=1).reshape(-1)


def encode_delta_sparse_8(s_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lava's DELTA_SPARSE_8: (data words, index words), each word four 8-bit entries.

    An entry is (index byte, data byte): the first index is absolute, the next ones the gap
    to the previous message minus one; a gap that does not fit a byte is preceded by marker
    entries (index byte 255) whose data byte d skips 255 * d positions. Lava's own encoder
    places a first message at position 255 at 256 and loses the markers of gaps above 65024;
    here a first message at 255 or beyond starts after an empty entry at 0, and the markers
    of any gap are spelled out, so every message decodes to its position.
    """
    flat = s_out.reshape(-1)
    idx = np.flatnonzero(flat).astype(np.int64)
    data = flat[idx].astype(np.int64)
    if idx.size == 0:
        idx, data = np.zeros(1, np.int64), np.zeros(1, np.int64)
    if idx[0] >= _BYTE_MARK:
        idx, data = np.concatenate([[0], idx]), np.concatenate([[0], data])
    steps = idx.copy()
    steps[1:] = idx[1:] - idx[:-1] - 1
    ent_idx, ent_data, start = [], [], 0
    for i in np.flatnonzero(steps >= _BYTE_MARK):
        ent_idx.append(steps[start:i])
        ent_data.append(data[start:i])
        skips = int(steps[i]) // _BYTE_MARK
        full, rest = divmod(skips, _BYTE_MARK)
        marks = [_BYTE_MARK] * full + ([rest] if rest else [])
        ent_idx.append(np.full(len(marks), _BYTE_MARK, np.int64))
        ent_data.append(np.asarray(marks, np.int64))
        ent_idx.append(np.asarray([steps[i] % _BYTE_MARK]))
        ent_data.append(data[i : i + 1])
        start = i + 1
    ent_idx.append(steps[start:])
    ent_data.append(data[start:])
    return _pack_bytes(np.concatenate(ent_data)), _pack_bytes(np.concatenate(ent_idx))


def decode_delta_sparse_8(data_words: np.ndarray, idx_words: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The message vector a DELTA_SPARSE_8 payload carries (data bytes read as signed 8-bit values)."""
    ib, db = _unpack_bytes(idx_words), _unpack_bytes(data_words)
    mark = ib == _BYTE_MARK
    step = np.where(mark, _BYTE_MARK * db, ib + (np.arange(ib.size) > 0))
    pos = np.cumsum(step)
    keep = ~mark & (db != 0)
    out = np.zeros(int(np.prod(shape)), dtype=np.int64)
    out[pos[keep]] = np.where(db[keep] > 127, db[keep] - 256, db[keep])
    return out.reshape(shape)


class _DeltaEncoderBase(SendFirstMixin, PyLoihiProcessModel):
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    act: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    residue: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    spike_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    a_min: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    a_max: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.s_out_buf = np.zeros(self.proc_params["shape"], dtype=np.int64)

    def encode_delta(self, act_new: np.ndarray) -> np.ndarray:
        delta = act_new - self.act + self.residue
        s_out = np.where(np.abs(delta) >= self.vth, delta, 0)
        if self.a_max.reshape(-1)[0] > 0:
            s_out = np.clip(s_out, self.a_min, self.a_max)
        self.residue = (delta - s_out).astype(self.residue.dtype)
        self.act = act_new.astype(self.act.dtype)
        return s_out

    def send_spk(self) -> None:
        self.s_out.send(self.s_out_buf)

    def recv_spk(self) -> None:
        a_in = np.left_shift(self.a_in.recv().astype(np.int64), int(self.spike_exp.reshape(-1)[0]))
        self.s_out_buf = self._wire(self.encode_delta(a_in))

    def _wire(self, s_out: np.ndarray) -> np.ndarray:
        return s_out


@implements(proc=DeltaEncoder, protocol=LoihiProtocol)
@requires(CPU)
@tag("dense_out", "fixed_pt")
class PyDeltaEncoderModelDense(_DeltaEncoderBase):
    """Dense messages: the whole vector every step."""

    def validate(self) -> None:
        if self.proc_params["compression"] != Compression.DENSE:
            raise ParameterError(
                f"DeltaEncoder {self.process.name!r}: the dense_out model needs compression=Compression.DENSE, "
                f"got {self.proc_params['compression']}; run with tag='sparse_out' for the other encodings"
            )


@implements(proc=DeltaEncoder, protocol=LoihiProtocol)
@requires(CPU)
@tag("sparse_out")
class PyDeltaEncoderModelSparse(_DeltaEncoderBase):
    """Encodes each step's messages as SPARSE, PACKED_4 or DELTA_SPARSE_8 (the payload is kept in ``last_payload``).

    Caldera's ports carry dense vectors, so what is sent is the vector decoded
    from the payload -- which checks the encoding round trip every step.
    PACKED_4 and DELTA_SPARSE_8 carry 8-bit messages: use ``num_bits + spike_exp <= 8``.
    """

    def validate(self) -> None:
        comp = self.proc_params["compression"]
        if comp not in (Compression.SPARSE, Compression.PACKED_4, Compression.DELTA_SPARSE_8):
            raise ParameterError(
                f"DeltaEncoder {self.process.name!r}: the sparse_out model supports Compression.SPARSE, "
                f"PACKED_4 and DELTA_SPARSE_8, got {comp}"
            )
        nb = self.proc_params.get("num_bits")
        if comp != Compression.SPARSE and (nb is None or nb + int(self.spike_exp.reshape(-1)[0]) > 8):
            raise ParameterError(
                f"DeltaEncoder {self.process.name!r}: {comp.name} carries signed bytes; set num_bits so that "
                "num_bits + spike_exp <= 8"
            )
        self.last_payload: tuple[np.ndarray, np.ndarray] = (np.array([0]), np.array([0]))

    def _wire(self, s_out: np.ndarray) -> np.ndarray:
        comp = self.proc_params["compression"]
        out = np.zeros(s_out.shape, dtype=np.int64)
        if comp == Compression.SPARSE:
            data, idx = encode_sparse(s_out)
            out.reshape(-1)[idx] = data
        elif comp == Compression.PACKED_4:
            data, idx = encode_packed_4(s_out)
            out = decode_packed_4(data, idx, s_out.shape)
        else:
            data, idx = encode_delta_sparse_8(s_out)
            out = decode_delta_sparse_8(data, idx, s_out.shape)
        self.last_payload = (data, idx)
        return out


MODELS = [
    PyATRLIFModelFloat,
    PyATRLIFModelFixed,
    PyRF_IZModelFloat,
    PyRF_IZModelFixed,
    PyGradedVecModelFixed,
    PyGradedVecModelFloat,
    PyGradedReluVecModelFixed,
    PyGradedReluVecModelFloat,
    PyProdNeuronModelFixed,
    PyProdNeuronModelFloat,
    PyReadModelFloat,
    PyReadModelFixed,
    PyResetModelFloat,
    PyResetModelFixed,
    PySpikeDataloaderModelFloat,
    PySpikeDataloaderModelFixed,
    PyStateDataloaderModelFloat,
    PyStateDataloaderModelFixed,
    PyDeltaEncoderModelDense,
    PyDeltaEncoderModelSparse,
]
