"""Sparse connections (Lava's ``lava.proc.sparse.process``): Dense semantics, scipy CSR weights."""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import matrix
from caldera.procs.dense import _common, _delays
from caldera.variable import Var


def to_csr(weights: ty.Any) -> ty.Any:
    """A scipy CSR copy of dense or sparse weights (scipy is imported on use)."""
    from scipy import sparse as sp

    if isinstance(weights, np.ndarray):
        return sp.csr_matrix(weights)
    return sp.csr_matrix(weights.tocsr())


class Sparse(Process):
    """Sparse connection; ``weights`` is a scipy sparse matrix or a dense array (stored as CSR)."""

    def __init__(
        self,
        *,
        weights: ty.Any,
        weight_exp: int = 0,
        num_weight_bits: int = 8,
        num_message_bits: int = 0,
        sign_mode: ty.Any = None,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        cls = type(self).__name__
        weights = to_csr(matrix(cls, "weights", weights))
        if weights.nnz and not np.all(np.isfinite(weights.data)):
            from caldera.errors import ParameterError

            raise ParameterError(f"{cls}: weights must be finite")
        weight_exp, num_weight_bits, num_message_bits = _common(cls, weight_exp, num_weight_bits, num_message_bits)
        params = dict(
            weights=weights,
            weight_exp=weight_exp,
            num_weight_bits=num_weight_bits,
            num_message_bits=num_message_bits,
            name=name,
        )
        if sign_mode is not None:
            params["sign_mode"] = sign_mode
        super().__init__(**params)
        shape = weights.shape
        self.s_in = InPort(shape=(shape[1],))
        self.a_out = OutPort(shape=(shape[0],))
        self.weights = Var(shape=shape, init=weights.copy())
        self.a_buff = Var(shape=(shape[0],), init=0)
        self.num_message_bits = Var(shape=(1,), init=num_message_bits)


class DelaySparse(Sparse):
    """Sparse connection with a delay per synapse (``delays``: same sparsity as ``weights``, or an int)."""

    def __init__(
        self,
        *,
        weights: ty.Any,
        delays: ty.Any,
        max_delay: int = 0,
        weight_exp: int = 0,
        num_weight_bits: int = 8,
        num_message_bits: int = 0,
        sign_mode: ty.Any = None,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        w = to_csr(matrix("DelaySparse", "weights", weights))
        if not hasattr(delays, "tocsr") and np.ndim(delays) == 0:
            d = w.copy()
            d.data = np.full(d.nnz, int(delays))
            delays = d
        delays = to_csr(delays) if hasattr(delays, "tocsr") or np.ndim(delays) == 2 else delays
        delays, max_delay = _delays("DelaySparse", w, delays, max_delay)
        super().__init__(
            weights=w,
            weight_exp=weight_exp,
            num_weight_bits=num_weight_bits,
            num_message_bits=num_message_bits,
            sign_mode=sign_mode,
            name=name,
        )
        self.proc_params["max_delay"] = max_delay
        self.proc_params["delays"] = delays
        shape = w.shape
        self.delays = Var(shape=shape, init=delays)
        self.a_buff = Var(shape=(shape[0], max_delay + 1), init=0)


__all__ = ["Sparse", "DelaySparse", "to_csr"]
