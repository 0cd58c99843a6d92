"""Lava's ``lava.magma.compiler.executable``: ``Executable``, what ``Compiler.compile`` returns."""

from lava._compat import missing
from lava.magma.compiler.compiler import Executable

__all__ = ["Executable"]
__getattr__ = missing(__name__)
