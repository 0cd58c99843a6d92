"""lava-dnf 0.3's ``lava.lib.dnf.inputs.gauss_pattern.process``: the GaussPattern input process (caldera_dnf.inputs, from caldera-dnf)."""

from lava._compat import missing, requires

_impl = requires("caldera-dnf", "caldera_dnf.inputs", __name__)
GaussPattern = _impl.GaussPattern

__all__ = ["GaussPattern"]
__getattr__ = missing(__name__)
