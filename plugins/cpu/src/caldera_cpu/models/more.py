"""NumPy models of ConvInTime (both tags), RFZero (fixed_pt), Spiker and Receiver (untagged, as in Lava
0.10: they serve every tag), NormVecDelay (fixed_pt) and InvSqrt (both tags), computed as Lava 0.10
computes them."""

from __future__ import annotations

import numpy as np
from caldera.model import (
    LavaPyType,
    PyInPort,
    PyLoihiProcessModel,
    PyOutPort,
    SendFirstMixin,
    implements,
    requires,
    tag,
)
from caldera.procs.conv_in_time import ConvInTime
from caldera.procs.normalize import InvSqrt, NormVecDelay
from caldera.procs.resfire import RFZero
from caldera.procs.spiker import Receiver, Spiker
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU


class _ConvInTimeBase(SendFirstMixin, PyLoihiProcessModel):
    """Sends ``a_buff[:, 0]``, shifts the buffer one step and adds ``weights[K-1-i] @ s_in`` to column i."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    a_buff: np.ndarray = LavaPyType(np.ndarray, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)

    def send_spk(self) -> None:
        self.a_out.send(self.a_buff[:, 0].copy())

    def recv_spk(self) -> None:
        s_in = self.s_in.recv()
        if int(np.asarray(self.num_message_bits).reshape(-1)[0]) == 0:
            s_in = s_in.astype(bool)
        buff, w = self.a_buff, self.weights
        k = w.shape[0]
        buff[:, :-1] = buff[:, 1:]
        buff[:, -1] = 0
        for i in range(k):
            buff[:, i] += np.sum(w[k - i - 1] * s_in, axis=-1)  # Lava's summation, for the same last bits


@implements(proc=ConvInTime, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyConvInTimeFloat(_ConvInTimeBase):
    pass


@implements(proc=ConvInTime, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyConvInTimeFixed(_ConvInTimeBase):
    """Lava 0.10's fixed_pt ConvInTime: the floating-point arithmetic (weights are not scaled or clipped)."""


@implements(proc=RFZero, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyRFZeroModelFixed(PyLoihiProcessModel):
    """Lava's int32 arithmetic (products wrap as there; they fit for 24-bit states and 16-bit decays)."""

    schedule = "recv_first"
    u_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    v_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    uth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    u: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    lst: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    lct: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def run_spk(self) -> None:
        u_in = self.u_in.recv().astype(np.int32)
        v_in = self.v_in.recv().astype(np.int32)
        u, v, lct, lst = self.u, self.v, self.lct, self.lst
        new_u = (u * lct) // 2**15 - (v * lst) // 2**15 + u_in
        new_v = (v * lct) // 2**15 + (u * lst) // 2**15 + v_in
        s_out = new_u * (new_u > self.uth) * (new_v >= 0) * (v < 0)
        self.u[...] = new_u
        self.v[...] = new_v
        self.s_out.send(s_out)


@implements(proc=Spiker, protocol=LoihiProtocol)
@requires(CPU)
class SpikerModel(PyLoihiProcessModel):
    """Sends ``payload`` where ``counter`` has reached ``rate`` (then counter = 1), else 0 (counter + 1)."""

    schedule = "recv_first"
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, int)
    rate: np.ndarray = LavaPyType(np.ndarray, int, 32)
    counter: np.ndarray = LavaPyType(np.ndarray, int, 32)
    payload: np.ndarray = LavaPyType(np.ndarray, int, 32)

    def run_spk(self) -> None:
        due = self.counter == self.rate
        self.s_out.send(np.where(due, self.payload, 0))
        self.counter[...] = np.where(due, 1, self.counter + 1)


@implements(proc=Receiver, protocol=LoihiProtocol)
@requires(CPU)
class ReceiverModel(PyLoihiProcessModel):
    """Keeps the step's input in ``payload``."""

    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, int)
    payload: np.ndarray = LavaPyType(np.ndarray, int, 32)

    def run_spk(self) -> None:
        self.payload[...] = self.a_in.recv()


MODELS = [PyConvInTimeFloat, PyConvInTimeFixed, PyRFZeroModelFixed, SpikerModel, ReceiverModel]


# -- NormVecDelay / InvSqrt ----------------------------------------------------------------------
@implements(proc=NormVecDelay, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class NormVecDelayModel(PyLoihiProcessModel):
    """Lava's int32 arithmetic (the square and the product wrap as there)."""

    schedule = "recv_first"
    a_in1: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    a_in2: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    s2_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v2: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def run_spk(self) -> None:
        a1 = self.a_in1.recv().astype(np.int32)
        a2 = self.a_in2.recv().astype(np.int32)
        self.s2_out.send(a1 * a1)
        self.v2[...] = self.v
        self.v[...] = a1
        out = self.v2 * a2
        self.s_out.send(out * (np.abs(out) > self.vth))


@implements(proc=InvSqrt, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class InvSqrtModelFloat(PyLoihiProcessModel):
    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    fp_base: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def run_spk(self) -> None:
        self.s_out.send(1 / (self.a_in.recv() ** 0.5))


#: Lava's correction of the table's first guesses
_INV_SQRT_ADJ = 1.238982962


def inv_sqrt_fixed(value: int, iterations: int = 5, frac_bits: int = 12) -> int:
    """1/sqrt(value / 2**frac_bits) * 2**frac_bits for a positive 24-bit integer: a first guess from a
    table indexed by the leading zeros, then Newton steps y *= (3 - value*y**2) / 2, all in integers
    (Lava 0.10's fixed-point algorithm)."""
    unit = 2**frac_bits
    table = [0] * 24
    for m in range(24):
        table[23 - m] = 2 * int(unit / (2 ** ((m - frac_bits) / 2) * _INV_SQRT_ADJ))
    guess = table[24 - value.bit_length()]
    y, b = guess // 2, value
    for _ in range(iterations):
        b = (((b * guess) >> (frac_bits + 1)) * guess) >> (frac_bits + 1)
        guess = (3 << frac_bits) - b
        y = (y * guess) >> (frac_bits + 1)
    return y


@implements(proc=InvSqrt, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class InvSqrtModelFP(PyLoihiProcessModel):
    """:func:`inv_sqrt_fixed` of each input (12 fractional bits, as Lava's model); 0 for 0."""

    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    fp_base: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def run_spk(self) -> None:
        data = self.a_in.recv()
        out = np.zeros(data.shape, dtype=np.int32)
        for i, x in enumerate(data.reshape(-1).tolist()):
            x = int(x)
            if x < 0 or x >= 2**24:
                raise ValueError(
                    f"InvSqrt {self.process_name!r}: input {x} is outside the 24-bit range 0..{2**24 - 1} of the "
                    "fixed-point inverse square root"
                )
            out.reshape(-1)[i] = inv_sqrt_fixed(x) if x else 0
        self.s_out.send(out)


MODELS += [NormVecDelayModel, InvSqrtModelFloat, InvSqrtModelFP]
