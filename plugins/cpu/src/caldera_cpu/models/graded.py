"""NumPy models of the graded-spike neurons: GradedVec, GradedReluVec and ProdNeuron.

``fixed_pt`` is Lava's arithmetic; the ``floating_pt`` models (Lava has only ``fixed_pt``) do the same
operations in float.
"""

from __future__ import annotations

import numpy as np
from caldera.model import (
    LavaPyType,
    PyInPort,
    PyLoihiProcessModel,
    PyOutPort,
    implements,
    requires,
    tag,
)
from caldera.procs.graded import GradedReluVec, GradedVec, ProdNeuron
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU


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


MODELS = [
    PyGradedVecModelFixed,
    PyGradedVecModelFloat,
    PyGradedReluVecModelFixed,
    PyGradedReluVecModelFloat,
    PyProdNeuronModelFixed,
    PyProdNeuronModelFloat,
]
