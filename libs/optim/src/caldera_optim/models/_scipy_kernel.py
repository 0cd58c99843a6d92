"""The private SciPy kernel hook: SciPy's ``csr_matvecs`` (``Y += A X`` in place), used only where it checks out.

It is private SciPy API, so ``csr_matvecs()`` returns it only after it has
computed a small product right (same call as its users make); otherwise None,
and the callers use the public ``Y += A @ X``. Kept apart so that the one
place that touches SciPy's internals is easy to find and to test.
"""

from __future__ import annotations

import functools
import typing as ty

import numpy as np
from caldera.lazy import lazy_module

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)


@functools.cache
def csr_matvecs() -> ty.Any:
    """SciPy's kernel behind ``csr @ dense``, which accumulates ``Y += A X`` in place; None if unusable."""
    try:
        from scipy.sparse._sparsetools import csr_matvecs

        a = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]]))
        x = np.array([[1.0, -1.0], [2.0, 0.5], [-1.0, 4.0]])
        y = np.ones((2, 2))
        csr_matvecs(2, 3, 2, a.indptr, a.indices, a.data, x.reshape(-1), y.reshape(-1))
        if not np.array_equal(y, 1.0 + a @ x):
            return None
    except Exception:  # noqa: BLE001 - another SciPy: the public product is used
        return None
    return csr_matvecs


__all__ = ["csr_matvecs"]
