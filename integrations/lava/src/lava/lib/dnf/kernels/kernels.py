"""lava-dnf 0.3's ``lava.lib.dnf.kernels.kernels``: interaction kernels (widths are variances, as in lava-dnf) (caldera_dnf.kernels, from caldera-dnf)."""

from lava._compat import missing, requires

_impl = requires("caldera-dnf", "caldera_dnf.kernels", __name__)
Kernel = _impl.Kernel
SelectiveKernel = _impl.SelectiveKernel
MultiPeakKernel = _impl.MultiPeakKernel

__all__ = ["Kernel", "SelectiveKernel", "MultiPeakKernel"]
__getattr__ = missing(
    __name__,
    {
        "GaussianMixin": "not supported: an internal base of lava-dnf's kernels; caldera_dnf.kernels.SelectiveKernel / MultiPeakKernel",
    },
)
