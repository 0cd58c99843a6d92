"""Lava's ``lava.utils.profiler``: ``Profiler.init(run_cfg)``.

In Lava the only profiler is the Loihi 2 hardware profiler of the (non-public) Lava-Loihi extension;
without it ``Profiler.init`` raises ``NotImplementedError``, and so it does here. caldera's own profiler
is ``RunConfig(profile=True)`` / ``with caldera.profile():`` (time per process and phase, spikes, synaptic
events, and on the ``loihi`` backend the emulator's activity and energy estimate).
"""

from __future__ import annotations

import typing as ty

from caldera.run_config import RunConfig

from lava._compat import missing

#: run configuration class -> profiler class; empty, as in Lava without the Lava-Loihi extension
run_cfg_dict: dict = {}


class Profiler:
    @staticmethod
    def init(run_cfg: ty.Any) -> ty.Any:
        if not isinstance(run_cfg, RunConfig):
            raise TypeError(f"<run_cfg> must be an instance of {RunConfig}")
        if type(run_cfg) not in run_cfg_dict:
            raise NotImplementedError(
                f"There is no profiler for {type(run_cfg).__name__} (Lava's is part of its Loihi hardware "
                "extension); caldera's: pass profile=True to the run configuration and read "
                "process.runtime.profiler, or wrap the runs in `with caldera.profile() as prof:`"
            )
        return run_cfg_dict[type(run_cfg)](run_cfg)


__all__ = ["run_cfg_dict", "Profiler"]
__getattr__ = missing(__name__)
