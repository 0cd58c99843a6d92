"""Lava's ``lava.magma.core.model.py.model``: Python process models (caldera.model).

A ``PyLoihiProcessModel`` implements ``run_spk`` and, where its guards say so, ``run_pre_mgmt``,
``run_lrn`` and ``run_post_mgmt``; ``self.time_step`` is the current step. A ``PyAsyncProcessModel``
implements ``run_async`` and polls ``check_for_stop_cmd()``.
"""

from caldera.model import AbstractPyProcessModel, PyAsyncProcessModel, PyLoihiProcessModel

from lava._compat import missing

__all__ = ["AbstractPyProcessModel", "PyLoihiProcessModel", "PyAsyncProcessModel"]
__getattr__ = missing(
    __name__,
    {
        "PyLoihiModelToPyAsyncModel": "not supported: caldera runs a PyLoihiProcessModel as it is; an "
        "AsyncProtocol process gets a PyAsyncProcessModel of its own",
    },
)
