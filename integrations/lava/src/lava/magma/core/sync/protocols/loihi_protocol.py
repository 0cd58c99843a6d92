"""Lava's ``lava.magma.core.sync.protocols.loihi_protocol``: ``LoihiProtocol`` (caldera.protocols).

Phases per step: spk, then pre_mgmt/lrn/post_mgmt where the model's guards say so.
"""

from caldera.protocols import LoihiProtocol

from lava._compat import missing

_INTERNAL = (
    "not supported: caldera's executor calls a model's phases itself (run_spk, then run_pre_mgmt/run_lrn/"
    "run_post_mgmt when pre_guard/lrn_guard/post_guard return True); models never see phase tokens"
)
__all__ = ["LoihiProtocol"]
__getattr__ = missing(__name__, {"Phase": _INTERNAL, "Proc_Function_With_Guard": _INTERNAL})
