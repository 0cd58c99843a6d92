"""Lava's ``lava.magma.core.process.ports.exceptions``: not provided name by name.

caldera raises ``caldera.errors.PortConnectionError`` (a ``ValueError``) for every bad connection and
``caldera.errors.ParameterError`` for a bad reshape/transpose/concat; catch those (or ``ValueError``).
"""

from lava._compat import LAVA_MODULES, missing

_HINT = "caldera raises caldera.errors.PortConnectionError / ParameterError (both ValueError) instead"
__all__: list[str] = []
__getattr__ = missing(__name__, {n: _HINT for n in LAVA_MODULES[__name__]})
