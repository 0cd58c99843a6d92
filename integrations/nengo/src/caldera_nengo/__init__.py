"""caldera-nengo: run Nengo models on Caldera backends.

``caldera_nengo.Simulator`` has the interface of ``nengo.Simulator``; pass it
where Nengo code takes a simulator class (it is also registered under Nengo's
``nengo.backends`` entry point as ``caldera``).
"""

from caldera_nengo.simulator import Simulator

__version__ = "0.1.0"

__all__ = ["Simulator", "__version__"]
