"""lava-dnf 0.3's ``lava.lib.dnf.operations.exceptions``: operation errors (caldera_dnf.errors, from caldera-dnf)."""

from lava._compat import missing, requires

_impl = requires("caldera-dnf", "caldera_dnf.errors", __name__)
MisconfiguredOpError = _impl.MisconfiguredOpError

__all__ = ["MisconfiguredOpError"]
__getattr__ = missing(__name__)
