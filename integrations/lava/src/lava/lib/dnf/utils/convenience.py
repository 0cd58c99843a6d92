"""lava-dnf 0.3's ``lava.lib.dnf.utils.convenience``: not provided name by name (caldera_dnf, from caldera-dnf)."""

from lava._compat import missing, requires

requires("caldera-dnf", "caldera_dnf", __name__)

__all__ = []
__getattr__ = missing(
    __name__,
    {
        "num_neurons": "not supported: use math.prod(shape)",
        "num_dims": "not supported: use len(shape)",
        "to_ndarray": "not supported: use np.asarray",
    },
)
