"""Lava's ``lava.magma.core.model.py.neuron``: base classes of learning-enabled neuron models.

Mix one of them into a neuron model (e.g. with ``lava.proc.lif.models.AbstractPyLifModelFloat``) to
declare the ports and traces a ``LearningLIF``-style process has (``a_third_factor_in``,
``s_out_bap``, ``s_out_y1``..``s_out_y3``, ``y1``..``y3``); the process's learning rule is
``self._learning_rule``. Ready-made models: ``lava.proc.lif.models.PyLearningLifModelFloat`` / ``...Fixed``.
"""

from __future__ import annotations

import numpy as np
from caldera.model import LavaPyType, PyInPort, PyLoihiProcessModel, PyOutPort

from lava._compat import missing


class LearningNeuronModel(PyLoihiProcessModel):
    """Keeps the process's shape and learning rule (``self._shape``, ``self._learning_rule``)."""

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self._shape = self.proc_params["shape"]
        self._learning_rule = self.proc_params.get("learning_rule")


class LearningNeuronModelFloat(LearningNeuronModel):
    """Floating-point learning ports and traces."""

    a_third_factor_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out_bap: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool)
    s_out_y1: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    s_out_y2: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    s_out_y3: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    y1: np.ndarray = LavaPyType(np.ndarray, float)
    y2: np.ndarray = LavaPyType(np.ndarray, float)
    y3: np.ndarray = LavaPyType(np.ndarray, float)


class LearningNeuronModelFixed(LearningNeuronModel):
    """Fixed-point learning ports and traces (7-bit traces, as on Loihi)."""

    a_third_factor_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=7)
    s_out_bap: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    s_out_y1: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)
    s_out_y2: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)
    s_out_y3: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)
    y1: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)
    y2: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)
    y3: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)


__all__ = ["LearningNeuronModel", "LearningNeuronModelFloat", "LearningNeuronModelFixed"]
__getattr__ = missing(__name__)
