"""NumPy models of DeltaEncoder: send the change of the input when it is large enough, in one of Lava's
message formats (:mod:`caldera_cpu.codecs`)."""

from __future__ import annotations

import numpy as np
from caldera.errors import ParameterError
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
from caldera.procs.dataio import Compression, DeltaEncoder
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU

from caldera_cpu.codecs import (
    decode_delta_sparse_8,
    decode_packed_4,
    encode_delta_sparse_8,
    encode_packed_4,
    encode_sparse,
)


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
    PyDeltaEncoderModelDense,
    PyDeltaEncoderModelSparse,
]
