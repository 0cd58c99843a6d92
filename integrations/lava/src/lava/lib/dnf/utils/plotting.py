"""lava-dnf 0.3's ``lava.lib.dnf.utils.plotting``: not provided name by name (caldera_dnf.plot writes figures to files) (caldera_dnf, from caldera-dnf)."""

from lava._compat import missing, requires

requires("caldera-dnf", "caldera_dnf", __name__)

__all__ = []
__getattr__ = missing(
    __name__,
    {
        "raster_plot": "caldera_dnf.plot.raster_plot(spikes, path, window=10) writes the figure to a file (lava-dnf shows it)",
        "compute_spike_rates": "caldera_dnf.sliding_rate(spikes, window) (the rate over a trailing window)",
    },
)
