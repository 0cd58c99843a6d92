"""lava-dnf 0.3's ``lava.lib.dnf.utils.validation``: not provided name by name (caldera_dnf, from caldera-dnf)."""

from lava._compat import missing, requires

requires("caldera-dnf", "caldera_dnf", __name__)

__all__ = []
__getattr__ = missing(
    __name__,
    {
        "validate_shape": "not supported: caldera_dnf's processes validate their shapes themselves (ParameterError)",
    },
)
