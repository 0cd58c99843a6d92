"""lava-dnf 0.3's ``lava.lib.dnf.operations.enums``: ``ReduceMethod`` and ``BorderType`` (caldera_dnf.enums, from caldera-dnf)."""

from lava._compat import missing, requires

_impl = requires("caldera-dnf", "caldera_dnf.enums", __name__)
ReduceMethod = _impl.ReduceMethod
BorderType = _impl.BorderType

__all__ = ["ReduceMethod", "BorderType"]
__getattr__ = missing(__name__)
