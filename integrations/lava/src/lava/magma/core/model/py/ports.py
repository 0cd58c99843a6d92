"""Lava's ``lava.magma.core.model.py.ports``: the ports a Python model uses (caldera.model).

``PyInPort.VEC_DENSE``, ``PyOutPort.VEC_DENSE``, ``PyRefPort.VEC_DENSE`` and ``PyVarPort.VEC_DENSE``
are the dense vector ports (``recv``/``peek``/``probe``, ``send``, ``read``/``write``). caldera has no
sparse or scalar port types: messages are whole dense arrays.
"""

from caldera.model import PyInPort, PyOutPort, PyPort, PyRefPort, PyVarPort

from lava._compat import missing

AbstractPyPort = PyPort
PyInPortVectorDense = PyInPort
PyOutPortVectorDense = PyOutPort
PyRefPortVectorDense = PyRefPort
PyVarPortVectorDense = PyVarPort

_SPARSE = "not supported: caldera ports carry dense arrays only; use the VEC_DENSE port"
_INTERNAL = "not supported: an internal piece of Lava's channel-based ports"
__all__ = [
    "AbstractPyPort",
    "PyInPort",
    "PyOutPort",
    "PyRefPort",
    "PyVarPort",
    "PyInPortVectorDense",
    "PyOutPortVectorDense",
    "PyRefPortVectorDense",
    "PyVarPortVectorDense",
]
__getattr__ = missing(
    __name__,
    {
        **{
            f"Py{k}Port{kind}": _SPARSE
            for k in ("In", "Out", "Ref", "Var")
            for kind in ("VectorSparse", "ScalarDense", "ScalarSparse")
        },
        "AbstractPyIOPort": _INTERNAL,
        "AbstractTransformer": _INTERNAL,
        "IdentityTransformer": _INTERNAL,
        "VirtualPortTransformer": _INTERNAL,
        "VarPortCmd": _INTERNAL,
        "RefVarTypeMapping": _INTERNAL,
    },
)
