"""lava-optimization 0.5's ``lava.lib.optimization.utils``: of its modules, ``generators.mis`` is provided."""

from lava._compat import missing

__all__: list[str] = []
__getattr__ = missing(__name__)
