"""Connection operations (lava-dnf's names and parameters) that ``connect`` turns into one weight matrix.

Each operation maps an input shape to an output shape and yields a dense matrix of shape
``(num_out, num_in)`` (row-major flattening, as NumPy and Lava do). ``connect`` configures the chain
from the source shape and multiplies the matrices: ``W = W_k @ ... @ W_1``. Fields have 0 to 3
dimensions; a population of one neuron counts as 0-dimensional (lava-dnf's convention).
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera_dnf.enums import BorderType, ReduceMethod
from caldera_dnf.errors import MisconfiguredOpError
from caldera_dnf.kernels import Kernel

Shape = tuple[int, ...]
MAX_DIMS = 3


def num_neurons(shape: Shape) -> int:
    """Number of neurons of a population of ``shape``."""
    return int(np.prod(shape, dtype=np.int64))


def num_dims(shape: Shape) -> int:
    """Dimensionality of ``shape``, counting a single neuron (e.g. ``(1,)``) as 0-dimensional."""
    return 0 if num_neurons(shape) == 1 else len(shape)


def _dims_arg(name: str, value: ty.Any) -> tuple[int, ...]:
    if isinstance(value, (int, np.integer)):
        return (int(value),)
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, np.integer)) for v in value):
        return tuple(int(v) for v in value)
    raise TypeError(f"<{name}> must be an int or a tuple of ints, got {value!r}")


def _coords(shape: Shape) -> list[np.ndarray]:
    """Per dimension, the coordinate of every neuron (flattened, row-major)."""
    return list(np.unravel_index(np.arange(num_neurons(shape)), shape)) if shape else []


class AbstractOperation:
    """An operation in a ``connect`` chain: configured with an input shape, it yields weights."""

    def __init__(self) -> None:
        self._input_shape: Shape | None = None
        self._output_shape: Shape | None = None

    @property
    def input_shape(self) -> Shape:
        self._require_configured()
        return ty.cast(Shape, self._input_shape)

    @property
    def output_shape(self) -> Shape:
        self._require_configured()
        return ty.cast(Shape, self._output_shape)

    def _require_configured(self) -> None:
        if self._input_shape is None:
            raise MisconfiguredOpError(f"{self!r} is not configured yet; connect() configures it")

    def _error(self, msg: str) -> MisconfiguredOpError:
        return MisconfiguredOpError(f"{self!r} with input shape {self._pending}: {msg}")

    def configure(self, input_shape: ty.Any) -> Shape:
        """Set the input shape, check it and the parameters against it; return the output shape."""
        shape = tuple(int(s) for s in input_shape)
        if any(s < 1 for s in shape):
            raise MisconfiguredOpError(f"{self!r}: input shape {shape} has a size < 1")
        self._pending = shape
        out = self._output_for(shape)
        self._input_shape, self._output_shape = shape, out
        return out

    def compute_weights(self) -> np.ndarray:
        """The dense weight matrix ``(num_neurons(output_shape), num_neurons(input_shape))``."""
        self._require_configured()
        return self._compute_weights()

    def _output_for(self, shape: Shape) -> Shape:
        return shape

    def _compute_weights(self) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _params(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._params()})"


class Weights(AbstractOperation):
    """One-to-one connection with the same ``weight`` on every synapse."""

    def __init__(self, weight: float) -> None:
        super().__init__()
        if not np.isscalar(weight) or not np.isfinite(weight):
            raise ValueError(f"Weights: <weight> must be a finite number, got {weight!r}")
        self.weight = weight

    def _params(self) -> str:
        return repr(self.weight)

    def _compute_weights(self) -> np.ndarray:
        n = num_neurons(self.input_shape)
        return np.eye(n, dtype=np.int32) * self.weight


def _match(out_shape: Shape, in_shape: Shape, pairs: ty.Sequence[tuple[int, int]]) -> np.ndarray:
    """1 where output coordinate ``a`` equals input coordinate ``b`` for every pair ``(a, b)``."""
    if min(num_dims(out_shape), num_dims(in_shape)) == 0:
        return np.ones((num_neurons(out_shape), num_neurons(in_shape)))
    co, ci = _coords(out_shape), _coords(in_shape)
    eq = np.ones((num_neurons(out_shape), num_neurons(in_shape)), dtype=bool)
    for a, b in pairs:
        eq &= co[a][:, None] == ci[b][None, :]
    return eq.astype(float)


def _check_axes(op: AbstractOperation, name: str, axes: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    out = []
    for ax in axes:
        if not -ndim <= ax < ndim:
            raise op._error(f"<{name}> index {ax} is out of bounds for {ndim} dimension(s)")
        out.append(ax % ndim)
    if len(set(out)) != len(out):
        raise op._error(f"<{name}> {axes} names a dimension twice")
    return tuple(out)


class ReduceDims(AbstractOperation):
    """Project away the dimensions ``reduce_dims``: every output neuron sums (or averages) its fibre.

    lava-dnf compatibility: with ``reduce_method="MEAN"`` the weights are divided by the number of
    neurons of the whole *input*, as lava-dnf 0.3 does (not by the size of the removed dimensions).
    """

    def __init__(
        self, reduce_dims: int | tuple[int, ...], reduce_method: ReduceMethod | str = ReduceMethod.SUM
    ) -> None:
        super().__init__()
        self.reduce_dims = _dims_arg("reduce_dims", reduce_dims)
        if not self.reduce_dims:
            raise ValueError("ReduceDims: <reduce_dims> may not be empty")
        self.reduce_method = ReduceMethod.coerce(reduce_method, "ReduceDims: <reduce_method>")

    def _params(self) -> str:
        return f"reduce_dims={self.reduce_dims}, reduce_method={self.reduce_method.name}"

    def _output_for(self, shape: Shape) -> Shape:
        if num_dims(shape) == 0:
            raise self._error("the input is already 0-dimensional; there is nothing to reduce")
        if len(self.reduce_dims) > len(shape):
            raise self._error(f"<reduce_dims> has more entries than the input has dimensions ({len(shape)})")
        self._axes = _check_axes(self, "reduce_dims", self.reduce_dims, len(shape))
        out = tuple(s for i, s in enumerate(shape) if i not in self._axes)
        return out or (1,)

    def _compute_weights(self) -> np.ndarray:
        kept = [i for i in range(len(self.input_shape)) if i not in self._axes]
        w = _match(self.output_shape, self.input_shape, list(enumerate(kept)))
        if self.reduce_method is ReduceMethod.MEAN:
            w = w / num_neurons(self.input_shape)
        return w


class ExpandDims(AbstractOperation):
    """Append new dimensions of sizes ``new_dims_shape``; every input neuron feeds its whole new fibre."""

    def __init__(self, new_dims_shape: int | tuple[int, ...]) -> None:
        super().__init__()
        self.new_dims_shape = _dims_arg("new_dims_shape", new_dims_shape)
        if not self.new_dims_shape or any(s < 1 for s in self.new_dims_shape):
            raise ValueError(f"ExpandDims: <new_dims_shape> must be non-empty sizes >= 1, got {new_dims_shape!r}")

    def _params(self) -> str:
        return f"new_dims_shape={self.new_dims_shape}"

    def _output_for(self, shape: Shape) -> Shape:
        out = self.new_dims_shape if num_dims(shape) == 0 else shape + self.new_dims_shape
        if len(out) > MAX_DIMS:
            raise self._error(f"the output shape {out} would have more than {MAX_DIMS} dimensions")
        return out

    def _compute_weights(self) -> np.ndarray:
        n_in = len(self.input_shape)
        return _match(self.output_shape, self.input_shape, [(i, i) for i in range(n_in)])


class ReorderDims(AbstractOperation):
    """Permute the dimensions: output dimension ``k`` is input dimension ``order[k]`` (like ``np.transpose``).

    For 2-D fields and any order that is its own inverse this is lava-dnf's matrix; for a 3-D rotation
    such as ``(1, 2, 0)`` lava-dnf 0.3 produces a matrix inconsistent with its own output shape, and
    caldera-dnf uses the transpose semantics above instead.
    """

    def __init__(self, order: int | tuple[int, ...]) -> None:
        super().__init__()
        self.order = _dims_arg("order", order)

    def _params(self) -> str:
        return f"order={self.order}"

    def _output_for(self, shape: Shape) -> Shape:
        if num_dims(shape) < 2:
            raise self._error("the input has fewer than 2 dimensions; there are no dimensions to reorder")
        if len(self.order) != len(shape):
            raise self._error(f"<order> {self.order} must have one entry per input dimension ({len(shape)})")
        self._axes = _check_axes(self, "order", self.order, len(shape))
        return tuple(shape[a] for a in self._axes)

    def _compute_weights(self) -> np.ndarray:
        return _match(self.output_shape, self.input_shape, list(enumerate(self._axes)))


class Flip(AbstractOperation):
    """Mirror the dimensions ``dims`` (all dimensions by default)."""

    def __init__(self, dims: int | tuple[int, ...] | None = None) -> None:
        super().__init__()
        self.dims = None if dims is None else _dims_arg("dims", dims)

    def _params(self) -> str:
        return "" if self.dims is None else f"dims={self.dims}"

    def _output_for(self, shape: Shape) -> Shape:
        dims = tuple(range(num_dims(shape))) if self.dims is None else self.dims
        if len(dims) > len(shape):
            raise self._error(f"<dims> {dims} has more entries than the input has dimensions ({len(shape)})")
        self._axes = _check_axes(self, "dims", dims, len(shape))
        return shape

    def _compute_weights(self) -> np.ndarray:
        shape = self.input_shape
        c = _coords(shape)
        src = [shape[i] - 1 - c[i] if i in self._axes else c[i] for i in range(len(shape))]
        n = num_neurons(shape)
        w = np.zeros((n, n), dtype=np.int32)
        w[np.arange(n), np.ravel_multi_index(tuple(src), shape) if shape else 0] = 1
        return w


class ReduceAlongDiagonal(AbstractOperation):
    """From a field of shape ``s + s`` to one of shape ``2*s - 1``: output ``x`` sums inputs ``(a, b)``, ``a + b = x``.

    Used for coordinate transforms (e.g. adding two positions).
    """

    def _output_for(self, shape: Shape) -> Shape:
        if len(shape) % 2:
            raise self._error("the input must have an even number of dimensions (shape s + s)")
        half = len(shape) // 2
        if shape[:half] != shape[half:]:
            raise self._error(
                f"the first half of the input shape {shape[:half]} must equal the second half {shape[half:]}"
            )
        if half == 0:
            raise self._error("the input has no dimensions")
        return tuple(2 * s - 1 for s in shape[:half])

    def _compute_weights(self) -> np.ndarray:
        half = len(self.output_shape)
        co, ci = _coords(self.output_shape), _coords(self.input_shape)
        eq = np.ones((num_neurons(self.output_shape), num_neurons(self.input_shape)), dtype=bool)
        for k in range(half):
            eq &= co[k][:, None] == (ci[k] + ci[half + k])[None, :]
        return eq.astype(np.int32)


class ExpandAlongDiagonal(AbstractOperation):
    """From a field of odd sizes ``s`` to one of shape ``h + h``, ``h = (s + 1) / 2``.

    Output ``(a, b)`` receives input ``a + b`` (the inverse direction of :class:`ReduceAlongDiagonal`).
    """

    def _output_for(self, shape: Shape) -> Shape:
        if not shape:
            raise self._error("the input has no dimensions")
        for s in shape:
            if s % 2 == 0:
                raise self._error(f"every dimension must have an odd size; {s} is not odd")
        half = tuple((s + 1) // 2 for s in shape)
        if 2 * len(half) > MAX_DIMS + 1:
            raise self._error(f"the output shape {half + half} would have too many dimensions")
        return half + half

    def _compute_weights(self) -> np.ndarray:
        half = len(self.input_shape)
        co, ci = _coords(self.output_shape), _coords(self.input_shape)
        eq = np.ones((num_neurons(self.output_shape), num_neurons(self.input_shape)), dtype=bool)
        for k in range(half):
            eq &= (co[k] + co[half + k])[:, None] == ci[k][None, :]
        return eq.astype(np.int32)


class Convolution(AbstractOperation):
    """Connect a field to a field of the same shape through a kernel (lateral interaction).

    Output neuron ``p`` receives input ``q`` with the kernel weight at offset ``q - p`` from the kernel
    centre (``floor(n / 2)`` per dimension). ``border_types`` is ``"PADDED"`` (beyond the border the
    kernel's padding value is used; a dimension smaller than the kernel sees only the kernel's part) or
    ``"CIRCULAR"`` (the dimension wraps), one for all dimensions or one per dimension. A kernel smaller
    than the field is padded with its padding value (lava-dnf's centring: an odd size difference puts
    the extra element in front for odd kernels, at the back for even ones); a kernel larger than a
    circular dimension is cut to the field's size the same way. ``kernel`` is a :class:`Kernel` or an array.
    """

    def __init__(self, kernel: Kernel | np.ndarray, border_types: ty.Any = BorderType.PADDED) -> None:
        super().__init__()
        if isinstance(kernel, np.ndarray):
            kernel = Kernel(kernel)
        if not isinstance(kernel, Kernel):
            raise TypeError(f"Convolution: <kernel> must be a Kernel or a numpy array, got {type(kernel).__name__}")
        self.kernel = kernel
        bts = list(border_types) if isinstance(border_types, (list, tuple)) else [border_types]
        if not bts:
            raise ValueError("Convolution: <border_types> may not be empty")
        self.border_types = [BorderType.coerce(b, "Convolution: <border_types>") for b in bts]

    def _params(self) -> str:
        return f"{self.kernel!r}, border_types={[b.name for b in self.border_types]}"

    def _output_for(self, shape: Shape) -> Shape:
        nd = len(shape)
        if len(self.border_types) not in (1, nd):
            raise self._error(f"{len(self.border_types)} border types given for {nd} dimension(s)")
        if self.kernel.ndim != nd:
            raise self._error(
                f"the kernel has {self.kernel.ndim} dimension(s) {self.kernel.weights.shape} but the "
                f"input has {nd}; give the kernel one width per dimension"
            )
        self._borders = self.border_types * nd if len(self.border_types) == 1 else list(self.border_types)
        return shape

    def _fitted_kernel(self) -> np.ndarray:
        """The kernel padded (or, on circular dimensions, cut) to the field's size, as lava-dnf centres it."""
        k = np.asarray(self.kernel.weights)
        for i, n in enumerate(self.input_shape):
            diff = n - k.shape[i]
            if diff == 0:
                continue
            half = abs(diff) // 2
            front = back = half
            if abs(diff) % 2:
                if k.shape[i] % 2:
                    front += 1
                else:
                    back += 1
            if diff > 0:
                widths = [(0, 0)] * k.ndim
                widths[i] = (front, back)
                k = np.pad(k, widths, constant_values=self.kernel.padding_value)
            elif self._borders[i] is BorderType.CIRCULAR:
                # lava-dnf removes the back count from the front and the front count from the back
                k = np.take(k, np.arange(back, k.shape[i] - front), axis=i)
        return k

    def _compute_weights(self) -> np.ndarray:
        shape = self.input_shape
        nd = len(shape)
        k = self._fitted_kernel()
        pad = self.kernel.padding_value
        dtype = np.result_type(k.dtype, np.asarray(pad).dtype, np.float64)
        index, valid = [], np.ones((1,) * (2 * nd), dtype=bool)
        for i, n in enumerate(shape):
            m = k.shape[i]
            centre = m // 2
            p = np.arange(n)[:, None]
            q = np.arange(n)[None, :]
            j = q + centre - p
            ok = np.ones_like(j, dtype=bool)
            if self._borders[i] is BorderType.CIRCULAR:
                j = j % m
            else:
                ok = (j >= 0) & (j < m)
                j = np.clip(j, 0, m - 1)
            bshape = [1] * (2 * nd)
            bshape[i], bshape[nd + i] = n, n
            index.append(j.reshape(bshape))
            valid = valid & ok.reshape(bshape)
        w = np.where(valid, k[tuple(index)], pad).astype(dtype)
        n_tot = num_neurons(shape)
        return w.reshape(n_tot, n_tot)


__all__ = [
    "AbstractOperation",
    "Weights",
    "Convolution",
    "ReduceDims",
    "ExpandDims",
    "ReorderDims",
    "ReduceAlongDiagonal",
    "ExpandAlongDiagonal",
    "Flip",
    "num_neurons",
    "num_dims",
]
