"""Lava's ``lava.utils.system``: ``Loihi2``, the switch Lava's tutorials use to pick hardware or simulation.

``Loihi2.is_loihi2_available`` is False (no hardware); scripts then take their simulation path. Use
``Loihi2HwCfg`` explicitly to run on caldera's Loihi 2 emulator.
"""

from __future__ import annotations

from lava._compat import missing


class Loihi2:
    preferred_partition: str | None = None
    is_loihi2_available: bool = False

    @staticmethod
    def set_environ_settings(partititon: str | None = None) -> None:
        raise NotImplementedError(
            "Loihi2.set_environ_settings: there is no Loihi hardware to configure; Loihi2HwCfg runs on caldera's "
            "emulator"
        )


__all__ = ["Loihi2"]
__getattr__ = missing(
    __name__, {"deprecated": "not supported: Lava's internal decorator", "staticproperty": "not supported"}
)
