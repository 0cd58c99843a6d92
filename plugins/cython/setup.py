"""Builds the compiled kernels (``caldera_cython._kernels``) with Cython and the machine's C compiler.

When Cython, NumPy's headers or a working C compiler are missing, the build
stops with a message that says which one and how to get it.
"""

from __future__ import annotations

import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def _fail(what: str) -> None:
    sys.stderr.write(f"\ncaldera-cython cannot be built: {what}\n\n")
    raise SystemExit(f"caldera-cython: {what}")


try:
    from Cython.Build import cythonize
except ImportError:  # pragma: no cover - exercised only on broken build environments
    _fail(
        "Cython>=3 is not installed in the build environment (pip install 'Cython>=3', or build with "
        "pip's default build isolation, which installs it from PyPI)"
    )
try:
    import numpy as np
except ImportError:  # pragma: no cover
    _fail("NumPy>=2 is not installed in the build environment (pip install 'numpy>=2')")


class CheckedBuildExt(build_ext):
    """build_ext that checks first that a C compiler runs, and says so plainly when it does not."""

    def build_extensions(self) -> None:
        import os
        import tempfile
        from distutils.errors import CCompilerError, DistutilsExecError, DistutilsPlatformError

        cc = self.compiler
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "probe.c")
            with open(src, "w") as f:
                f.write("int main(void) { return 0; }\n")
            try:
                cc.compile([src], output_dir=tmp)
            except (CCompilerError, DistutilsExecError, DistutilsPlatformError, OSError) as e:
                exe = getattr(cc, "compiler_so", None) or getattr(cc, "compiler", None) or ["cc"]
                _fail(
                    f"no working C compiler ({' '.join(map(str, exe))!s} failed: {e}); install one, e.g. "
                    "'apt-get install build-essential' (Debian/Ubuntu), 'xcode-select --install' (macOS) "
                    "or the MSVC Build Tools (Windows)"
                )
        super().build_extensions()


ext = Extension(
    "caldera_cython._kernels",
    ["src/caldera_cython/_kernels.pyx"],
    include_dirs=[np.get_include()],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    extra_compile_args=["-O3"] if sys.platform != "win32" else ["/O2"],
)

setup(
    ext_modules=cythonize([ext], language_level=3, compiler_directives={"embedsignature": True}),
    cmdclass={"build_ext": CheckedBuildExt},
)
