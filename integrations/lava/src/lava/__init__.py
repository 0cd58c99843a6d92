"""caldera-lava: Lava 0.10's import paths, mapped onto caldera.

``from lava.magma.core.process.process import AbstractProcess``, ``from lava.proc.lif.process import LIF``
and the other public names of Lava 0.10 resolve to caldera's implementation (the very same classes,
so there is no wrapper in the way at run time). A Lava name that caldera does not provide raises an
``ImportError`` (or ``AttributeError``) that names the Lava path and the caldera equivalent or why it is
not supported. ``caldera lava check SCRIPT`` lists such names in a script without running it.

This package is named ``lava`` on purpose and conflicts with ``lava-nc``: install one or the other.
"""

from caldera.process import use_default_name_policy as _use_default_name_policy

from lava._compat import install_finder as _install_finder
from lava._lavacode import lava_default_name as _lava_default_name

__version__ = "0.10.0+caldera.0.1.0"
#: The Lava release whose public names and numbers this package follows.
LAVA_VERSION = "0.10.0"

_install_finder()
# processes made by Lava code are named Process_<id>, as in Lava (lava._lavacode)
_use_default_name_policy(_lava_default_name)
