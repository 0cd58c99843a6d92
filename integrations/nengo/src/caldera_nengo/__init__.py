"""caldera-nengo: run Nengo models on Caldera backends.

``caldera_nengo.Simulator`` has the interface of ``nengo.Simulator``; pass it
where Nengo code takes a simulator class (it is also registered under Nengo's
``nengo.backends`` entry point as ``caldera``). Nengo is imported on first use
of ``Simulator``, so that loading this package as a caldera plugin stays light.
"""

from __future__ import annotations

import typing as ty

__version__ = "0.1.0"

__all__ = ["Simulator", "__version__"]

if ty.TYPE_CHECKING:
    from caldera_nengo.simulator import Simulator


def __getattr__(name: str) -> ty.Any:
    if name == "Simulator":
        from caldera_nengo.simulator import Simulator

        return Simulator
    raise AttributeError(f"module 'caldera_nengo' has no attribute {name!r}")
