"""caldera-cython: compiled kernels of the standard models and compiled step loops (backend ``cython``)."""

__version__ = "0.1.0"
