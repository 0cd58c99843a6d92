"""lava-dnf 0.3's ``lava.lib.dnf.inputs.gauss_pattern.models``: the GaussPattern model (caldera_dnf.models, from caldera-dnf)."""

from lava._compat import missing, requires

_impl = requires("caldera-dnf", "caldera_dnf.models", __name__)
GaussPatternProcessModel = _impl.PyGaussPatternModel

__all__ = ["GaussPatternProcessModel"]
__getattr__ = missing(__name__)
