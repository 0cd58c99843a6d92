"""Registers caldera-nengo's process models with Caldera (entry point ``caldera: nengo``)."""

from __future__ import annotations

from caldera.hookspecs import defined_in, hookimpl


@hookimpl
def caldera_process_models(process_class) -> list[type]:
    if process_class is not None and not defined_in(process_class, "caldera_nengo"):
        return []
    from caldera_nengo.loihi_models import MODELS as LOIHI_MODELS  # tag='fixed_pt': the emulator's and host's
    from caldera_nengo.models import MODELS

    return [*MODELS, *LOIHI_MODELS]
