"""Interaction kernels of dynamic neural fields (lava-dnf's ``SelectiveKernel`` and ``MultiPeakKernel``).

Widths follow lava-dnf exactly, quirks included, so that the weights match it:

* ``width_exc`` / ``width_inh`` are used as the **variance** of the Gaussian per dimension (not its
  standard deviation);
* the kernel has ``ceil(2 * limit * width)`` samples per dimension (made odd) of the dominant width
  (``width_exc`` for the selective kernel, ``width_inh`` for the multi-peak kernel), and the samples lie
  on ``linspace(-n/2, n/2, n)``, i.e. their spacing is ``n / (n - 1)``, not 1;
* a scalar width is stored as a float32 number (lava-dnf converts scalars with ``np.float32``), a list of
  widths as float64; a scalar width makes a 1-D kernel, one width per dimension an N-D kernel.

Fixed point: :meth:`Kernel.to_integer` returns a kernel whose weights are ``trunc(scale * w)`` (``scale=1``
is what Lava's ``fixed_pt`` models do with lava-dnf's float kernels; a larger scale keeps more resolution
when the input weights and the neurons' ``vth`` are multiplied by the same factor). The connection then
drops the low bits Loihi drops (one bit for a mixed-sign matrix at 8 weight bits);
``connect(..., weight_scale=scale)`` applies both and gives exactly the weights a ``fixed_pt`` connection
stores, so that a ``floating_pt`` field built with them behaves the same.
"""

from __future__ import annotations

import typing as ty
import warnings

import numpy as np

from caldera_dnf.math import gauss


def _widths(name: str, value: ty.Any) -> np.ndarray:
    if isinstance(value, (str, bytes, bool)):
        raise TypeError(f"<{name}> must be a number or a list of numbers, got {value!r}")
    if isinstance(value, np.ndarray):
        arr = value.reshape(-1)
    elif np.isscalar(value):
        arr = np.array([value], dtype=np.float32)  # lava-dnf's to_ndarray() does this for scalars
    elif isinstance(value, (list, tuple)):
        arr = np.array(value)
    else:
        raise TypeError(f"<{name}> must be a number, a list/tuple of numbers or an array, got {type(value).__name__}")
    if arr.size == 0 or arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"<{name}> must be one or more finite numbers > 0 (used as variances), got {value!r}")
    return arr


class Kernel:
    """Weights of a convolution kernel plus the value used beyond its edges (``padding_value``)."""

    def __init__(self, weights: ty.Any, padding_value: float = 0) -> None:
        w = np.asarray(weights)
        if w.ndim == 0 or w.size == 0 or w.dtype.kind not in "biuf":
            raise ValueError(f"Kernel: <weights> must be a non-empty numeric array, got {np.shape(weights)}")
        if not np.all(np.isfinite(w)):
            raise ValueError("Kernel: <weights> must be finite")
        if not np.isfinite(padding_value):
            raise ValueError(f"Kernel: <padding_value> must be finite, got {padding_value!r}")
        self._weights = w
        self._padding_value = padding_value

    @property
    def weights(self) -> np.ndarray:
        """The kernel's weight array (one axis per field dimension)."""
        return self._weights

    @property
    def padding_value(self) -> float:
        """Weight to every neuron outside the kernel's extent (``PADDED`` borders, kernels smaller than the field)."""
        return self._padding_value

    @property
    def ndim(self) -> int:
        return self._weights.ndim

    def to_integer(self, scale: float = 1.0) -> Kernel:
        """A kernel with integer weights ``trunc(scale * w)`` (and padding value), for ``fixed_pt`` fields."""
        if not (np.isfinite(scale) and scale > 0):
            raise ValueError(f"Kernel.to_integer: <scale> must be a finite number > 0, got {scale!r}")
        return Kernel(np.trunc(self._weights * scale).astype(np.int64), int(np.trunc(self._padding_value * scale)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(shape={self._weights.shape}, padding_value={self._padding_value})"


class _Gaussian(Kernel):
    def _setup(self, amp_exc: float, width_exc: ty.Any, limit: float, shape: ty.Any, dominant: np.ndarray) -> None:
        cls = type(self).__name__
        if not np.isfinite(amp_exc) or amp_exc < 0:
            raise ValueError(f"{cls}: <amp_exc> must be >= 0, got {amp_exc!r}")
        if not np.isfinite(limit) or limit <= 0:
            raise ValueError(f"{cls}: <limit> must be > 0, got {limit!r}")
        self.amp_exc = amp_exc
        self.width_exc = _widths("width_exc", width_exc)
        self.limit = limit
        if shape is None:
            n = np.ceil(2 * limit * dominant).astype(np.int64)
            n = np.where(n % 2 == 0, n + 1, n)
            self.kernel_shape = tuple(int(s) for s in n)
        else:
            shape = (int(shape),) if np.isscalar(shape) else tuple(int(s) for s in shape)
            if len(shape) != dominant.size or any(s < 1 for s in shape):
                raise ValueError(f"{cls}: <shape> {shape} needs {dominant.size} sizes >= 1, one per width")
            if any(s % 2 == 0 for s in shape):
                warnings.warn(f"{cls}: kernel shape {shape} has an even size; peaks may drift", stacklevel=3)
            self.kernel_shape = shape

    def _domain(self) -> np.ndarray:
        half = np.array(self.kernel_shape, dtype=float) / 2.0
        return np.stack([-half, half], axis=1)


class SelectiveKernel(_Gaussian):
    """Local excitation and global inhibition: a field with this kernel keeps a single peak (selection).

    ``amp_exc`` (>= 0) is the height of the excitatory Gaussian, ``width_exc`` its variance per dimension
    (see the module notes), ``global_inh`` (<= 0) the inhibition added everywhere, also beyond the
    kernel (its padding value). ``limit`` scales the kernel's extent; ``shape`` fixes it instead.
    """

    def __init__(
        self, amp_exc: float, width_exc: ty.Any, global_inh: float, limit: float = 1.0, shape: ty.Any = None
    ) -> None:
        if not np.isfinite(global_inh) or global_inh > 0:
            raise ValueError(f"SelectiveKernel: <global_inh> must be <= 0, got {global_inh!r}")
        self._setup(amp_exc, width_exc, limit, shape, _widths("width_exc", width_exc))
        self.global_inh = global_inh
        exc = gauss(self.kernel_shape, domain=self._domain(), amplitude=amp_exc, stddev=self.width_exc)
        super().__init__(exc + global_inh, padding_value=global_inh)


class MultiPeakKernel(_Gaussian):
    """ "Mexican hat": local excitation, mid-range inhibition; allows several peaks (detection, memory).

    ``amp_exc`` (>= 0) / ``width_exc`` and ``amp_inh`` (<= 0) / ``width_inh`` are the heights and
    variances (see the module notes) of the excitatory and inhibitory Gaussians; the extent follows
    ``width_inh``. Beyond the kernel the weight is 0.
    """

    def __init__(
        self,
        amp_exc: float,
        width_exc: ty.Any,
        amp_inh: float,
        width_inh: ty.Any,
        limit: float = 1.0,
        shape: ty.Any = None,
    ) -> None:
        if not np.isfinite(amp_inh) or amp_inh > 0:
            raise ValueError(f"MultiPeakKernel: <amp_inh> must be <= 0, got {amp_inh!r}")
        w_inh = _widths("width_inh", width_inh)
        self._setup(amp_exc, width_exc, limit, shape, w_inh)
        if self.width_exc.shape != w_inh.shape:
            raise ValueError(
                f"MultiPeakKernel: <width_exc> has {self.width_exc.size} value(s) but <width_inh> "
                f"has {w_inh.size}; give one per dimension for both"
            )
        self.amp_inh = amp_inh
        self.width_inh = w_inh
        dom = self._domain()
        exc = gauss(self.kernel_shape, domain=dom, amplitude=amp_exc, stddev=self.width_exc)
        inh = gauss(self.kernel_shape, domain=dom, amplitude=amp_inh, stddev=w_inh)
        super().__init__(exc + inh, padding_value=0)


__all__ = ["Kernel", "SelectiveKernel", "MultiPeakKernel"]
