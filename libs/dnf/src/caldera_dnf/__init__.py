"""caldera-dnf: dynamic neural fields built from Caldera processes.

* :func:`connect` builds a Dense/Sparse connection from a chain of lava-dnf operations
  (:class:`Weights`, :class:`Convolution`, :class:`ReduceDims`, :class:`ExpandDims`,
  :class:`ReorderDims`, :class:`ReduceAlongDiagonal`, :class:`ExpandAlongDiagonal`, :class:`Flip`);
* kernels :class:`SelectiveKernel` and :class:`MultiPeakKernel` (widths are variances, as in lava-dnf);
* inputs :class:`GaussPattern` and :class:`RateCodeSpikeGen`; fields :func:`lif_field`;
* inspection: :func:`sliding_rate`, :func:`find_peaks`, :func:`peak_counts`; plots in ``caldera_dnf.plot``.
"""

from caldera_dnf.connect import compute_weights, connect, integer_weights
from caldera_dnf.enums import BorderType, ReduceMethod
from caldera_dnf.errors import MisconfiguredConnectError, MisconfiguredOpError
from caldera_dnf.fields import lif_field
from caldera_dnf.inputs import GaussPattern, RateCodeSpikeGen
from caldera_dnf.inspect import Peak, count_peaks, find_peaks, peak_counts, peaks_over_time, sliding_rate
from caldera_dnf.kernels import Kernel, MultiPeakKernel, SelectiveKernel
from caldera_dnf.math import gauss
from caldera_dnf.operations import (
    AbstractOperation,
    Convolution,
    ExpandAlongDiagonal,
    ExpandDims,
    Flip,
    ReduceAlongDiagonal,
    ReduceDims,
    ReorderDims,
    Weights,
)

__version__ = "0.1.0"

__all__ = [
    "connect",
    "compute_weights",
    "integer_weights",
    "AbstractOperation",
    "Weights",
    "Convolution",
    "ReduceDims",
    "ExpandDims",
    "ReorderDims",
    "ReduceAlongDiagonal",
    "ExpandAlongDiagonal",
    "Flip",
    "BorderType",
    "ReduceMethod",
    "Kernel",
    "SelectiveKernel",
    "MultiPeakKernel",
    "gauss",
    "GaussPattern",
    "RateCodeSpikeGen",
    "lif_field",
    "Peak",
    "sliding_rate",
    "find_peaks",
    "count_peaks",
    "peaks_over_time",
    "peak_counts",
    "MisconfiguredOpError",
    "MisconfiguredConnectError",
]
