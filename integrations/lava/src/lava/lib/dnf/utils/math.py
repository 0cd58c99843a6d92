"""lava-dnf 0.3's ``lava.lib.dnf.utils.math``: ``gauss`` (caldera_dnf.math, from caldera-dnf)."""

from lava._compat import missing, requires

_impl = requires("caldera-dnf", "caldera_dnf.math", __name__)
gauss = _impl.gauss

__all__ = ["gauss"]
__getattr__ = missing(
    __name__,
    {
        "is_odd": "not supported: write n % 2 == 1",
    },
)
