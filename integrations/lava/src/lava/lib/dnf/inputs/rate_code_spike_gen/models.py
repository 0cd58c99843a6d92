"""lava-dnf 0.3's ``lava.lib.dnf.inputs.rate_code_spike_gen.models``: the RateCodeSpikeGen model (caldera_dnf.models, from caldera-dnf)."""

from lava._compat import missing, requires

_impl = requires("caldera-dnf", "caldera_dnf.models", __name__)
RateCodeSpikeGenProcessModel = _impl.PyRateCodeSpikeGenModel

__all__ = ["RateCodeSpikeGenProcessModel"]
__getattr__ = missing(
    __name__,
    {
        "TIME_STEPS_PER_MINUTE": "not supported: an internal constant of lava-dnf's spike generator",
    },
)
