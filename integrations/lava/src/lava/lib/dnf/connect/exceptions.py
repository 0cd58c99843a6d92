"""lava-dnf 0.3's ``lava.lib.dnf.connect.exceptions``: connection errors (caldera_dnf.errors, from caldera-dnf)."""

from lava._compat import missing, requires

_impl = requires("caldera-dnf", "caldera_dnf.errors", __name__)
MisconfiguredConnectError = _impl.MisconfiguredConnectError

__all__ = ["MisconfiguredConnectError"]
__getattr__ = missing(__name__)
