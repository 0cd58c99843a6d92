"""lava-dnf 0.3's ``lava.lib.dnf.connect.connect``: ``connect``: a Dense/Sparse connection from a chain of operations (caldera_dnf.connect, from caldera-dnf)."""

from lava._compat import missing, requires

_impl = requires("caldera-dnf", "caldera_dnf.connect", __name__)
connect = _impl.connect

__all__ = ["connect"]
__getattr__ = missing(__name__)
