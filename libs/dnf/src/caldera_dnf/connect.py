"""``connect``: build a Dense/Sparse connection between two fields from a chain of operations."""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera import arith
from caldera.ports import InPort, OutPort
from caldera.procs import Dense, Sparse

from caldera_dnf.errors import MisconfiguredConnectError, MisconfiguredOpError
from caldera_dnf.operations import AbstractOperation, Weights

#: fraction of nonzero weights above which ``connect`` picks ``Dense`` over ``Sparse``
DENSE_ABOVE = 0.25


def integer_weights(weights: np.ndarray, scale: float = 1.0, num_weight_bits: int | None = 8) -> np.ndarray:
    """The integer weights a ``fixed_pt`` connection stores for float ``weights``: the documented scale.

    ``trunc(scale * weights)`` (Lava's ``fixed_pt`` models truncate float weights toward zero), then,
    unless ``num_weight_bits`` is None, the low bits Loihi drops for that many weight bits (one more for
    a matrix of mixed signs; see ``caldera.arith.truncate_weights``), so that a ``floating_pt`` network
    built with these weights sees exactly what its ``fixed_pt`` twin sees. One float weight unit is
    ``scale`` integer units; the fixed-point LIF shifts inputs and ``vth`` alike, so ``vth`` and input
    weights scale by the same factor.
    """
    if not (np.isscalar(scale) and np.isfinite(scale) and scale > 0):
        raise ValueError(f"weight_scale must be a finite number > 0, got {scale!r}")
    w = np.asarray(weights, dtype=float)
    w = np.trunc(w * scale) if scale != 1 else np.trunc(w)
    if w.size == 0:
        return w.astype(np.int32)
    lo, hi = float(w.min()), float(w.max())
    if max(-lo, hi) >= 2**31:
        raise ValueError(f"integer weights up to {max(-lo, hi):.3g} do not fit 32 bits; lower weight_scale")
    out = w.astype(np.int32)
    if num_weight_bits is None:
        return out
    if not isinstance(num_weight_bits, (int, np.integer)) or not 1 <= num_weight_bits <= 8:
        raise ValueError(f"num_weight_bits must be an int in 1..8, got {num_weight_bits!r}")
    mode = arith.SignMode.EXCITATORY if lo >= 0 else arith.SignMode.INHIBITORY if hi <= 0 else arith.SignMode.MIXED
    drop = 8 - int(num_weight_bits) + int(mode == arith.SignMode.MIXED)  # as caldera.arith.truncate_weights
    if drop:
        if mode == arith.SignMode.INHIBITORY:  # Loihi truncates the magnitude of inhibitory weights
            np.negative(out, out=out)
        np.right_shift(out, drop, out=out)
        np.left_shift(out, drop, out=out)
        if mode == arith.SignMode.INHIBITORY:
            np.negative(out, out=out)
    return out


def compute_weights(
    ops: AbstractOperation | ty.Sequence[AbstractOperation], src_shape: ty.Any, dst_shape: ty.Any
) -> np.ndarray:
    """Configure ``ops`` from ``src_shape`` and return their combined matrix ``(prod(dst), prod(src))``.

    Raises :class:`MisconfiguredOpError` naming the operation (and its position) that cannot take the
    shape it receives, and :class:`MisconfiguredConnectError` when the chain does not end at ``dst_shape``.
    """
    src_shape = tuple(int(s) for s in src_shape)
    dst_shape = tuple(int(s) for s in dst_shape)
    if ops is None:
        if src_shape != dst_shape:
            raise MisconfiguredConnectError(
                f"connect: source shape {src_shape} != destination shape {dst_shape}; give <ops> that map one to "
                "the other (e.g. ReduceDims, ExpandDims)"
            )
        ops = [Weights(1)]
    if isinstance(ops, AbstractOperation):
        ops = [ops]
    ops = list(ops)
    if not ops:
        raise ValueError("connect: the list of operations <ops> is empty")
    shape = src_shape
    chain = " -> ".join(repr(op) if isinstance(op, AbstractOperation) else type(op).__name__ for op in ops)
    for k, op in enumerate(ops):
        if not isinstance(op, AbstractOperation):
            raise TypeError(f"connect: ops[{k}] is a {type(op).__name__}, not an operation (Weights, Convolution, ...)")
        try:
            shape = op.configure(shape)
        except MisconfiguredOpError as exc:
            raise MisconfiguredOpError(f"connect: operation ops[{k}] of the chain [{chain}] failed: {exc}") from None
    if shape != dst_shape:
        raise MisconfiguredConnectError(
            f"connect: the chain [{chain}] maps the source shape {src_shape} to {shape}, but the destination "
            f"port has shape {dst_shape}"
        )
    weights = None
    for op in ops:
        w = op.compute_weights()
        weights = w if weights is None else np.matmul(w, weights)
    return ty.cast(np.ndarray, weights)


def connect(
    src_op: OutPort,
    dst_ip: InPort,
    ops: AbstractOperation | ty.Sequence[AbstractOperation] | None = None,
    connection_class: type[Sparse] | type[Dense] | None = None,
    *,
    weight_scale: float | None = None,
    **conn_params: ty.Any,
) -> Sparse | Dense:
    """Connect ``src_op`` to ``dst_ip`` through a new connection process whose weights come from ``ops``.

    The ports may have any (and different) shapes; they are flattened into the connection. ``ops``
    defaults to ``Weights(1)`` for ports of equal shape. ``connection_class`` is ``Sparse`` or ``Dense``;
    by default (None) it is ``Dense`` when more than ``DENSE_ABOVE`` (a quarter) of the weights are
    nonzero — a selective kernel's global inhibition makes the matrix full — and ``Sparse`` otherwise
    (lava-dnf always uses ``Sparse``; both compute the same numbers, Dense is faster for full matrices).
    With ``weight_scale`` the weights become the integers a ``fixed_pt``
    connection stores, ``trunc(weight_scale * w)`` with Loihi's weight-bit truncation (see
    :func:`integer_weights`); use it in both tags to make them behave alike. Further keyword arguments
    (``weight_exp``, ``num_weight_bits``, ``name`` ...) go to the connection process. Its ``weights``
    Var is readable with ``.get()`` before any run.
    """
    if not isinstance(src_op, OutPort):
        raise TypeError(f"connect: <src_op> must be an OutPort, got {type(src_op).__name__}")
    if not isinstance(dst_ip, InPort):
        raise TypeError(f"connect: <dst_ip> must be an InPort, got {type(dst_ip).__name__}")
    cls = connection_class
    if cls is not None and not (isinstance(cls, type) and issubclass(cls, (Sparse, Dense))):
        raise TypeError(f"connect: <connection_class> must be Sparse or Dense (or a subclass), got {cls!r}")
    weights = compute_weights(ops, src_op.shape, dst_ip.shape)
    if weight_scale is not None:
        weights = integer_weights(weights, weight_scale, conn_params.get("num_weight_bits", 8))
    if cls is None:
        cls = Dense if np.count_nonzero(weights) > DENSE_ABOVE * weights.size else Sparse
    conn = cls(weights=weights, **conn_params)
    src = src_op if tuple(src_op.shape) == tuple(conn.s_in.shape) else src_op.reshape(conn.s_in.shape)
    src.connect(conn.s_in)
    out = conn.a_out if tuple(conn.a_out.shape) == tuple(dst_ip.shape) else conn.a_out.reshape(dst_ip.shape)
    out.connect(dst_ip)
    return conn


__all__ = ["connect", "compute_weights", "integer_weights", "DENSE_ABOVE"]
