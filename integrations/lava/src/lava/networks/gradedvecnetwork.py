"""Lava's ``lava.networks.gradedvecnetwork``: vectors and matrices of graded spikes over standard processes.

``InputVec`` (a ``RingBuffer`` source), ``OutputVec`` (a ``RingBuffer`` sink), ``LIFVec``, ``GradedVec``,
``ProductVec`` (``ProdNeuron``), ``GradedDense`` / ``GradedSparse`` (``Dense`` / ``Sparse`` with the weights
scaled by ``2**exp``, 8-bit weights, 24-bit messages and ``weight_exp=-exp``), as Lava 0.10 builds them
(``OutputVec`` is a plain network: ``out << vec`` connects directly; other vectors connect through an
identity ``GradedSparse``). Other keyword arguments are ignored, as in Lava, with a warning.
``NormalizeNet`` (``NormVecDelay`` + ``InvSqrt``). Not provided: the Loihi 2 adapters (``loihi2=True``).
"""

from __future__ import annotations

import typing as ty
import warnings

import numpy as np
from caldera.errors import ParameterError
from caldera.procs.dense import Dense
from caldera.procs.graded import GradedVec as GradedVecProc
from caldera.procs.graded import ProdNeuron
from caldera.procs.io.sink import RingBufferSink
from caldera.procs.io.source import RingBuffer as RingBufferSource
from caldera.procs.lif import LIF
from caldera.procs.normalize import InvSqrt, NormVecDelay
from caldera.procs.sparse import Sparse

from lava._compat import missing
from lava._lavacode import LavaCompatibilityWarning
from lava.networks.network import AlgebraicMatrix, AlgebraicVector, Network


def _no_loihi2(cls: str, loihi2: bool) -> None:
    if loihi2:
        raise ParameterError(
            f"{cls}(loihi2=True): the Loihi 2 adapters (lava.proc.embedded_io) are not provided by caldera-lava; "
            "run on Loihi2SimCfg / Loihi2HwCfg (the emulator) without them"
        )


def _ignored(cls: str, kwargs: dict) -> None:
    """Lava's network classes take and ignore any other keyword argument; so do these, with a warning."""
    if kwargs:
        warnings.warn(
            f"{cls}: keyword argument(s) {', '.join(map(repr, kwargs))} are ignored (as in Lava)",
            LavaCompatibilityWarning,
            stacklevel=3,
        )


class InputVec(AlgebraicVector):
    """Input values ``vec`` (N x M: the N values of each of M steps, repeated every M steps), scaled by
    ``2**exp`` to fixed point, sent as graded spikes. As in Lava, a NumPy array ``vec`` is scaled in place."""

    def __init__(self, vec: ty.Any, loihi2: bool = False, exp: int = 0, **kwargs: ty.Any) -> None:
        _no_loihi2("InputVec", loihi2)
        _ignored("InputVec", kwargs)
        self.loihi2 = loihi2
        self.exp = exp
        if isinstance(vec, np.ndarray):
            vec *= 2**exp  # Lava scales the caller's array (a script may read it afterwards)
        else:
            vec = np.asarray(vec) * 2**exp
        self.shape = np.atleast_2d(vec).shape
        self.inport_plug = RingBufferSource(data=np.atleast_2d(vec))
        self.main = self.inport_plug
        self.out_port = self.inport_plug.s_out

    def __lshift__(self, other: ty.Any) -> ty.Any:
        return NotImplemented


class OutputVec(Network):
    """Records the graded spikes it receives in a ``RingBuffer`` of ``buffer`` steps; ``get_data()`` reads
    them as signed 24-bit values. A network (not a vector): ``out << vec`` connects directly."""

    def __init__(
        self,
        shape: ty.Any,
        buffer: int = 1,
        loihi2: bool = False,
        num_message_bits: int = 24,
        **kwargs: ty.Any,
    ) -> None:
        _no_loihi2("OutputVec", loihi2)
        self.shape = shape
        self.buffer = buffer
        self.loihi2 = loihi2
        self.num_message_bits = num_message_bits
        self.outport_plug = RingBufferSink(shape=self.shape, buffer=self.buffer, **kwargs)
        self.main = self.outport_plug
        self.in_port = self.outport_plug.a_in

    def get_data(self) -> np.ndarray:
        # a message is a signed 24-bit number: sign-extend the low 24 bits, as Lava reads its sink
        return (self.outport_plug.data.get().astype(np.int32) << 8) >> 8


class LIFVec(AlgebraicVector):
    """A ``LIF`` population (``lava.proc.lif.process.LIF``'s arguments)."""

    def __init__(self, **kwargs: ty.Any) -> None:
        self.main = LIF(**kwargs)
        self.shape = self.main.shape
        self.in_port = self.main.a_in
        self.out_port = self.main.s_out


class GradedVec(AlgebraicVector):
    """Graded-spike neurons without dynamics (``GradedVec`` process: ``shape``, ``vth``, ``exp``);
    ``a * b`` of two of them is their element-wise product (a ``ProductVec`` between identity matrices)."""

    def __init__(self, shape: ty.Any, vth: int = 10, exp: int = 0, **kwargs: ty.Any) -> None:
        _ignored("GradedVec", kwargs)
        self.shape = shape
        self.vth = vth
        self.exp = exp
        self.main = GradedVecProc(shape=self.shape, vth=self.vth, exp=self.exp)
        self.in_port = self.main.a_in
        self.out_port = self.main.s_out

    def __mul__(self, other: ty.Any) -> ty.Any:
        if isinstance(other, GradedVec):
            product = ProductVec(shape=self.shape, vth=1, exp=self.exp)
            eye = np.eye(int(np.prod(self.shape)))
            weights_a, weights_b = GradedSparse(weights=eye), GradedSparse(weights=eye)
            weights_out = GradedSparse(weights=eye)
            product << (weights_a @ self, weights_b @ other)  # noqa: B015 - connects
            weights_out @ product  # noqa: B018 - connects
            return weights_out
        return NotImplemented


class ProductVec(AlgebraicVector):
    """Neurons that multiply their two inputs (``ProdNeuron``); connect both with ``p << (m1, m2)``."""

    def __init__(self, shape: ty.Any, vth: int = 10, exp: int = 0, **kwargs: ty.Any) -> None:
        _ignored("ProductVec", kwargs)
        self.shape = shape
        self.vth = vth
        self.exp = exp
        self.main = ProdNeuron(shape=self.shape, vth=self.vth, exp=self.exp)
        self.in_port = self.main.a_in1
        self.in_port2 = self.main.a_in2
        self.out_port = self.main.s_out

    def __lshift__(self, other: ty.Any) -> ty.Any:
        if isinstance(other, (list, tuple)) and len(other) == 2:
            other[0].out_port.connect(self.in_port)
            other[1].out_port.connect(self.in_port2)
            return None  # as Lava: the connections are the result
        return NotImplemented


def _scaled(weights: ty.Any, exp: int) -> ty.Any:
    return weights * 2**exp


class GradedDense(AlgebraicMatrix):
    """``Dense`` with ``weights * 2**exp`` (``exp`` 7 by default), 8-bit weights, 24-bit messages and
    ``weight_exp=-exp``: weights in [-1, 1) as fixed point."""

    def __init__(self, weights: ty.Any, exp: int = 7, **kwargs: ty.Any) -> None:
        _ignored("GradedDense", kwargs)
        self.exp = exp
        self.main = Dense(
            weights=_scaled(np.asarray(weights), exp), num_message_bits=24, num_weight_bits=8, weight_exp=-exp
        )
        self.in_port = self.main.s_in
        self.out_port = self.main.a_out


class GradedSparse(AlgebraicMatrix):
    """``Sparse`` with ``weights * 2**exp`` (``exp`` 7 by default), 8-bit weights, 24-bit messages and
    ``weight_exp=-exp``."""

    def __init__(self, weights: ty.Any, exp: int = 7, **kwargs: ty.Any) -> None:
        _ignored("GradedSparse", kwargs)
        self.exp = exp
        if not hasattr(weights, "tocsr"):
            from scipy.sparse import csr_matrix

            weights = csr_matrix(np.asarray(weights))
        self.main = Sparse(
            weights=_scaled(weights.tocsr(), exp), num_message_bits=24, num_weight_bits=8, weight_exp=-exp
        )
        self.in_port = self.main.s_in
        self.out_port = self.main.a_out


class NormalizeNet(AlgebraicVector):
    """Normalises a vector of graded spikes (fixed point with ``exp`` fractional bits): a ``NormVecDelay``
    whose squares are summed by a Dense into one ``InvSqrt`` neuron, whose output a Dense sends back to
    every element; the normalised vector leaves two steps after its input."""

    def __init__(self, shape: ty.Any, exp: int = 12, **kwargs: ty.Any) -> None:
        _ignored("NormalizeNet", kwargs)
        self.shape = shape
        self.fpb = exp
        n = int(self.shape[0])
        self.vfp_dense = Dense(weights=np.ones((1, n)), num_message_bits=24, weight_exp=0)
        self.fpv_dense = Dense(weights=np.ones((n, 1)), num_message_bits=24, weight_exp=0)
        self.main = NormVecDelay(shape=self.shape, vth=1, exp=self.fpb)
        self.fp_inv_neuron = InvSqrt(shape=(1,), fp_base=self.fpb)
        self.main.s2_out.connect(self.vfp_dense.s_in)
        self.vfp_dense.a_out.connect(self.fp_inv_neuron.a_in)
        self.fp_inv_neuron.s_out.connect(self.fpv_dense.s_in)
        self.fpv_dense.a_out.connect(self.main.a_in2)
        self.in_port = self.main.a_in1
        self.out_port = self.main.s_out


__all__ = [
    "InputVec",
    "OutputVec",
    "LIFVec",
    "GradedVec",
    "ProductVec",
    "GradedDense",
    "GradedSparse",
    "NormalizeNet",
]
__getattr__ = missing(__name__)
