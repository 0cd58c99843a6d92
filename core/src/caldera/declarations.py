"""What a model of a standard process declares: its Vars' and ports' types and bit widths, written once.

Each class here is a mixin of ``LavaPyType`` fields (and, for the ``fixed_pt``
forms, the ``param_ranges`` the compiler checks values against) for one
standard process in one precision. A backend's model inherits the mixin and
adds its behaviour::

    @implements(proc=LIF, protocol=LoihiProtocol)
    @requires(CPU)
    @tag("fixed_pt")
    class MyLifModel(declarations.LifFixedFields, PyLoihiProcessModel):
        def run_spk(self): ...

so the NumPy, compiled and emulator models of a process agree on what their
Vars hold, and none has to subclass another backend's model to get it. The
numbers are Lava 0.10's (``lava.proc.*.models``). ``model_fields`` reads the
fields of the mixins like those of the model class itself; a model that
differs in one field declares that field again.
"""

from __future__ import annotations

import numpy as np

from caldera import kernels
from caldera.model import CSR_MATRIX, LavaPyType, PyInPort, PyOutPort


# -- LIF family ------------------------------------------------------------------------------
class LifFloatBaseFields:
    """LIF's input, state and decays, ``floating_pt`` (no output or threshold: the variants differ there)."""

    a_in = LavaPyType(PyInPort.VEC_DENSE, float)
    u = LavaPyType(np.ndarray, float)
    v = LavaPyType(np.ndarray, float)
    bias_mant = LavaPyType(np.ndarray, float)
    bias_exp = LavaPyType(np.ndarray, float)
    du = LavaPyType(float, float)
    dv = LavaPyType(float, float)


class LifFloatFields(LifFloatBaseFields):
    """LIF and LIFReset, ``floating_pt``."""

    s_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    vth = LavaPyType(float, float)


class TernaryLifFloatFields(LifFloatBaseFields):
    s_out = LavaPyType(PyOutPort.VEC_DENSE, float, precision=2)
    vth_hi = LavaPyType(float, float)
    vth_lo = LavaPyType(float, float)


class LifRefractoryFloatFields(LifFloatFields):
    refractory_period_end = LavaPyType(np.ndarray, int)


class LifFixedBaseFields:
    """LIF's input, state and decays on Loihi: 16-bit input, 24-bit u and v, 12-bit decays, 13-bit bias."""

    param_ranges = kernels.LIF_RANGES
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=16)
    u = LavaPyType(np.ndarray, np.int32, precision=24)
    v = LavaPyType(np.ndarray, np.int32, precision=24)
    du = LavaPyType(int, np.uint16, precision=12)
    dv = LavaPyType(int, np.uint16, precision=12)
    bias_mant = LavaPyType(np.ndarray, np.int16, precision=13)
    bias_exp = LavaPyType(np.ndarray, np.int16, precision=3)


class LifFixedFields(LifFixedBaseFields):
    """LIF and LIFReset, ``fixed_pt``: a 17-bit threshold mantissa."""

    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    vth = LavaPyType(int, np.int32, precision=17)


class TernaryLifFixedFields(LifFixedBaseFields):
    s_out = LavaPyType(PyOutPort.VEC_DENSE, int, precision=2)
    vth_hi = LavaPyType(np.ndarray, np.int32, precision=24)
    vth_lo = LavaPyType(np.ndarray, np.int32, precision=24)


class CubaLifFloatFields:
    a_in_exc = LavaPyType(PyInPort.VEC_DENSE, float)
    a_in_inh = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    u_exc = LavaPyType(np.ndarray, float)
    u_inh = LavaPyType(np.ndarray, float)
    v = LavaPyType(np.ndarray, float)
    du_exc = LavaPyType(float, float)
    du_inh = LavaPyType(float, float)
    dv = LavaPyType(float, float)
    bias_mant = LavaPyType(np.ndarray, float)
    vth = LavaPyType(float, float)
    refractory_period_end = LavaPyType(np.ndarray, int)


class CubaLifFixedFields:
    """CubaLIF, ``fixed_pt``: LIF's widths for both currents."""

    param_ranges = kernels.CUBA_RANGES
    a_in_exc = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=16)
    a_in_inh = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=16)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    u_exc = LavaPyType(np.ndarray, np.int32, precision=24)
    u_inh = LavaPyType(np.ndarray, np.int32, precision=24)
    v = LavaPyType(np.ndarray, np.int32, precision=24)
    du_exc = LavaPyType(int, np.uint16, precision=12)
    du_inh = LavaPyType(int, np.uint16, precision=12)
    dv = LavaPyType(int, np.uint16, precision=12)
    bias_mant = LavaPyType(np.ndarray, np.int16, precision=13)
    bias_exp = LavaPyType(np.ndarray, np.int16, precision=3)
    vth = LavaPyType(int, np.int32, precision=17)
    refractory_period_end = LavaPyType(np.ndarray, int)


# -- connections -----------------------------------------------------------------------------
class _SynapseInputFields:
    s_in = LavaPyType(PyInPort.VEC_DENSE, bool, precision=1)
    num_message_bits = LavaPyType(np.ndarray, int, precision=5)


class _FloatAccumulator:
    a_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    a_buff = LavaPyType(np.ndarray, float)


class _FixedAccumulator:
    a_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=16)
    a_buff = LavaPyType(np.ndarray, np.int32, precision=16)


class DenseFloatFields(_SynapseInputFields, _FloatAccumulator):
    weights = LavaPyType(np.ndarray, float)


class DenseFixedFields(_SynapseInputFields, _FixedAccumulator):
    """Dense, ``fixed_pt``: 8-bit weights, 16-bit output messages."""

    weights = LavaPyType(np.ndarray, np.int32, precision=8)


class SparseFloatFields(_SynapseInputFields, _FloatAccumulator):
    weights = LavaPyType(CSR_MATRIX, float)


class SparseFixedFields(_SynapseInputFields, _FixedAccumulator):
    weights = LavaPyType(CSR_MATRIX, np.int32, precision=8)


class DelayDenseFloatFields(DenseFloatFields):
    delays = LavaPyType(np.ndarray, int)


class DelayDenseFixedFields(DenseFixedFields):
    """DelayDense, ``fixed_pt``: Loihi 2's 6-bit delays."""

    delays = LavaPyType(np.ndarray, np.int32, precision=6)


class DelaySparseFloatFields(SparseFloatFields):
    delays = LavaPyType(CSR_MATRIX, int)


class DelaySparseFixedFields(SparseFixedFields):
    delays = LavaPyType(CSR_MATRIX, np.int32, precision=6)


class _ConvGeometryFields:
    kernel_size = LavaPyType(np.ndarray, np.int8, precision=8)
    stride = LavaPyType(np.ndarray, np.int8, precision=8)
    padding = LavaPyType(np.ndarray, np.int8, precision=8)
    dilation = LavaPyType(np.ndarray, np.int8, precision=8)
    groups = LavaPyType(np.ndarray, np.int8, precision=8)
    num_message_bits = LavaPyType(np.ndarray, np.int8, precision=5)
    weight_exp = LavaPyType(np.ndarray, np.int32, precision=8)
    num_weight_bits = LavaPyType(np.ndarray, np.int8, precision=5)


class ConvFloatFields(_ConvGeometryFields):
    s_in = LavaPyType(PyInPort.VEC_DENSE, float, precision=24)
    a_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    a_buf = LavaPyType(np.ndarray, float)
    weight = LavaPyType(np.ndarray, float)


class ConvFixedFields(_ConvGeometryFields):
    """Conv, ``fixed_pt``: 8-bit kernel weights, 24-bit input and output."""

    s_in = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    a_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    a_buf = LavaPyType(np.ndarray, np.int32, precision=24)
    weight = LavaPyType(np.ndarray, np.int32, precision=8)


# -- sigma-delta and resonators --------------------------------------------------------------
class SigmaFloatFields:
    a_in = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    sigma = LavaPyType(np.ndarray, float)


class SigmaFixedFields:
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    sigma = LavaPyType(np.ndarray, np.int32, precision=24)


class _SigmaDeltaExponentFields:
    spike_exp = LavaPyType(np.ndarray, np.int32, precision=3)
    state_exp = LavaPyType(np.ndarray, np.int32, precision=3)
    cum_error = LavaPyType(np.ndarray, bool, precision=1)


class SigmaDeltaFloatFields(SigmaFloatFields, _SigmaDeltaExponentFields):
    vth = LavaPyType(np.ndarray, float)
    act = LavaPyType(np.ndarray, float)
    residue = LavaPyType(np.ndarray, float)
    error = LavaPyType(np.ndarray, float)
    bias = LavaPyType(np.ndarray, float)


class SigmaDeltaFixedFields(SigmaFixedFields, _SigmaDeltaExponentFields):
    """SigmaDelta, ``fixed_pt``: 24-bit states and threshold, 16-bit bias."""

    param_ranges = kernels.SIGMA_DELTA_RANGES
    vth = LavaPyType(np.ndarray, np.int32, precision=24)
    act = LavaPyType(np.ndarray, np.int32, precision=24)
    residue = LavaPyType(np.ndarray, np.int32, precision=24)
    error = LavaPyType(np.ndarray, np.int32, precision=24)
    bias = LavaPyType(np.ndarray, np.int32, precision=16)


class _ResonatorExponentFields:
    state_exp = LavaPyType(np.ndarray, np.int32, precision=3)
    decay_bits = LavaPyType(np.ndarray, np.int32, precision=3)


class RFFloatFields(_ResonatorExponentFields):
    """RF and RF_IZ, ``floating_pt``."""

    a_real_in = LavaPyType(PyInPort.VEC_DENSE, float)
    a_imag_in = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    real = LavaPyType(np.ndarray, float)
    imag = LavaPyType(np.ndarray, float)
    sin_decay = LavaPyType(float, float)
    cos_decay = LavaPyType(float, float)
    vth = LavaPyType(float, float)


class RFFixedFields(_ResonatorExponentFields):
    """RF and RF_IZ, ``fixed_pt``: 24-bit states, 12-bit decays scaled by ``2**decay_bits``."""

    a_real_in = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=24)
    a_imag_in = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=24)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    real = LavaPyType(np.ndarray, np.int32, precision=24)
    imag = LavaPyType(np.ndarray, np.int32, precision=24)
    sin_decay = LavaPyType(int, np.uint16, precision=12)
    cos_decay = LavaPyType(int, np.uint16, precision=12)
    vth = LavaPyType(np.ndarray, np.int32, precision=24)


# -- ring buffers ----------------------------------------------------------------------------
class RingBufferFloatFields:
    s_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    data = LavaPyType(np.ndarray, float)


class RingBufferFixedFields:
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32)
    data = LavaPyType(np.ndarray, np.int32)


class RingBufferSinkFloatFields:
    a_in = LavaPyType(PyInPort.VEC_DENSE, float)
    data = LavaPyType(np.ndarray, float)


class RingBufferSinkFixedFields:
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    data = LavaPyType(np.ndarray, np.int32)


__all__ = [
    "LifFloatBaseFields",
    "LifFloatFields",
    "TernaryLifFloatFields",
    "LifRefractoryFloatFields",
    "LifFixedBaseFields",
    "LifFixedFields",
    "TernaryLifFixedFields",
    "CubaLifFloatFields",
    "CubaLifFixedFields",
    "DenseFloatFields",
    "DenseFixedFields",
    "SparseFloatFields",
    "SparseFixedFields",
    "DelayDenseFloatFields",
    "DelayDenseFixedFields",
    "DelaySparseFloatFields",
    "DelaySparseFixedFields",
    "ConvFloatFields",
    "ConvFixedFields",
    "SigmaFloatFields",
    "SigmaFixedFields",
    "SigmaDeltaFloatFields",
    "SigmaDeltaFixedFields",
    "RFFloatFields",
    "RFFixedFields",
    "RingBufferFloatFields",
    "RingBufferFixedFields",
    "RingBufferSinkFloatFields",
    "RingBufferSinkFixedFields",
]
