"""Lava's ``lava.utils.loihi``: helpers that connect Lava to Loihi hardware.

caldera has no Loihi hardware to reach (``Loihi2HwCfg`` runs on its emulator), so ``is_installed`` tells
the truth about Lava's Loihi extension modules (they are not installed) and the host helpers raise the
``ImportError`` Lava raises without that extension.
"""

from __future__ import annotations

import enum
import importlib.util

from lava._compat import missing

#: the Loihi host Lava would use; None: no hardware
host: str | None = None


class ChipGeneration(enum.Enum):
    N2A2 = "N2A2"
    N3B2 = "N3B2"
    N3B3 = "N3B3"
    N3C1 = "N3C1"
    N3D1 = "N3D1"


def is_installed(module_name: str = "lava.utils.loihi2_profiler") -> bool:
    """Whether ``module_name`` (by default a module of Lava's Loihi extension) can be imported."""
    try:
        return importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        return False


def _no_hardware(name: str):
    def helper(*args, **kwargs):
        # an ImportError, as Lava raises when its Loihi extension is not installed (scripts catch it)
        raise ImportError(
            f"lava.utils.loihi.{name}: Lava's Loihi extension is not installed and there is no Loihi hardware to "
            "connect to; Loihi2HwCfg runs on caldera's Loihi 2 emulator (caldera-loihi) without it"
        )

    helper.__name__ = name
    return helper


use_slurm_host = _no_hardware("use_slurm_host")
use_ethernet_host = _no_hardware("use_ethernet_host")

__all__ = ["host", "ChipGeneration", "use_slurm_host", "use_ethernet_host", "is_installed"]
__getattr__ = missing(__name__)
