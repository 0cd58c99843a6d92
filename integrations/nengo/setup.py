"""Builds caldera-nengo's optional compiled kernels (``caldera_nengo._ckernels``).

Optional: without Cython or a C compiler the distribution installs without
them and every backend uses the NumPy kernels (same numbers, slower).
"""

from __future__ import annotations

import sys

from setuptools import Extension, setup

ext_modules = []
try:
    import numpy as np
    from Cython.Build import cythonize
except ImportError:  # pragma: no cover - build environments without Cython: NumPy kernels only
    sys.stderr.write("caldera-nengo: Cython/NumPy not available, building without compiled kernels\n")
else:
    ext = Extension(
        "caldera_nengo._ckernels",
        ["src/caldera_nengo/_ckernels.pyx"],
        include_dirs=[np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=["-O3", "-fno-fast-math", "-ffp-contract=off"] if sys.platform != "win32" else ["/O2"],
        optional=True,
    )
    ext_modules = cythonize([ext], language_level=3)

setup(ext_modules=ext_modules)
