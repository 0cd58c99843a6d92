"""Lava's ``lava.proc.conv.utils``: helpers of Conv's geometry (caldera.procs.conv)."""

from __future__ import annotations

from caldera.procs.conv import make_tuple, output_shape

from lava._compat import missing

__all__ = ["make_tuple", "output_shape"]
__getattr__ = missing(
    __name__,
    {
        "conv": "not supported: caldera's Conv models compute the convolution as one sparse matrix (caldera.procs.conv.conv_matrix)",
        "conv_scipy": "not supported: see caldera.procs.conv.conv_matrix",
        "conv_to_sparse": "not supported: caldera.procs.conv.conv_matrix(input_shape, weight, stride, padding, dilation, groups) builds the sparse matrix",
        "signed_clamp": "not supported: Lava's internal helper",
        "TensorOrder": "not supported: caldera's Conv uses Lava's XYC layout only",
        "TORCH_IS_AVAILABLE": "not supported: caldera's Conv does not use torch",
    },
)
