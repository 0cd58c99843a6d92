"""lava-dnf 0.3's ``lava.lib.dnf.inputs.rate_code_spike_gen.process``: the RateCodeSpikeGen input process (caldera_dnf.inputs, from caldera-dnf)."""

from lava._compat import missing, requires

_impl = requires("caldera-dnf", "caldera_dnf.inputs", __name__)
RateCodeSpikeGen = _impl.RateCodeSpikeGen

__all__ = ["RateCodeSpikeGen"]
__getattr__ = missing(__name__)
