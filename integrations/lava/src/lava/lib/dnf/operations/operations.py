"""lava-dnf 0.3's ``lava.lib.dnf.operations.operations``: the operations that shape a connection's weights (caldera_dnf.operations, from caldera-dnf)."""

from lava._compat import missing, requires

_impl = requires("caldera-dnf", "caldera_dnf.operations", __name__)
AbstractOperation = _impl.AbstractOperation
Weights = _impl.Weights
ReduceDims = _impl.ReduceDims
ExpandDims = _impl.ExpandDims
ReorderDims = _impl.ReorderDims
Convolution = _impl.Convolution
ReduceAlongDiagonal = _impl.ReduceAlongDiagonal
ExpandAlongDiagonal = _impl.ExpandAlongDiagonal
Flip = _impl.Flip

__all__ = [
    "AbstractOperation",
    "Weights",
    "ReduceDims",
    "ExpandDims",
    "ReorderDims",
    "Convolution",
    "ReduceAlongDiagonal",
    "ExpandAlongDiagonal",
    "Flip",
]
__getattr__ = missing(__name__)
