"""Readers: G-set/rudy edge lists (Max-Cut), dense ``.npy``, sparse ``.npz``, MatrixMarket, dimod BQMs.

Every reader raises ``ProblemFormatError`` with the file name and, for text
formats, the line number of the first line it cannot understand.
"""

from __future__ import annotations

import os
import typing as ty

import numpy as np
from caldera.errors import ParameterError
from caldera.lazy import lazy_module

from caldera_optim.problems import QUBO

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)


class ProblemFormatError(ParameterError):
    """A problem file that does not parse."""


def _numbers(path: str, lineno: int, line: str, kinds: tuple[type, ...]) -> list:
    parts = line.split()
    if len(parts) < len(kinds):
        raise ProblemFormatError(f"{path}:{lineno}: expected {len(kinds)} numbers, got {line.strip()!r}")
    out = []
    for k, tok in zip(kinds, parts):
        try:
            v = k(tok) if k is not int else int(tok, 10)
        except ValueError:
            raise ProblemFormatError(
                f"{path}:{lineno}: {tok!r} is not a valid {k.__name__} in {line.strip()!r}"
            ) from None
        if k is float and not np.isfinite(v):
            raise ProblemFormatError(f"{path}:{lineno}: non-finite value {tok!r}")
        out.append(v)
    return out


def read_gset(path: str | os.PathLike) -> QUBO:
    """Read a G-set/rudy file (``n m`` then ``m`` lines ``i j w``, 1-based) as a Max-Cut QUBO."""
    path = os.fspath(path)
    with open(path, encoding="utf-8") as fh:
        lines = [(i, ln) for i, ln in enumerate(fh, 1) if ln.strip() and not ln.lstrip().startswith(("#", "%"))]
    if not lines:
        raise ProblemFormatError(f"{path}: empty file; expected a header line 'n m'")
    ln0, head = lines[0]
    n, m = _numbers(path, ln0, head, (int, int))
    if n < 1 or m < 0:
        raise ProblemFormatError(f"{path}:{ln0}: header needs n >= 1 vertices and m >= 0 edges, got {n} {m}")
    body = lines[1:]
    if len(body) != m:
        where = body[m][0] if len(body) > m else ln0
        raise ProblemFormatError(f"{path}:{where}: header announces {m} edges, file has {len(body)} edge lines")
    rows = np.empty(m, np.int64)
    cols = np.empty(m, np.int64)
    w = np.empty(m, np.float64)
    for k, (lineno, line) in enumerate(body):
        parts = line.split()
        if len(parts) == 2:
            i, j = _numbers(path, lineno, line, (int, int))
            wt = 1.0
        else:
            i, j, wt = _numbers(path, lineno, line, (int, int, float))
        if not (1 <= i <= n and 1 <= j <= n):
            raise ProblemFormatError(f"{path}:{lineno}: vertex out of range 1..{n} in {line.strip()!r}")
        if i == j:
            raise ProblemFormatError(f"{path}:{lineno}: self-loop {i}-{j} is not allowed in a Max-Cut graph")
        rows[k], cols[k], w[k] = i - 1, j - 1, wt
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    up = sp.coo_matrix((w, (lo, hi)), shape=(n, n)).tocsr()  # duplicate edges add up
    sym = (up + up.T).tocsr()
    return QUBO.maxcut(sym, name=os.path.basename(path))


def read_mtx(path: str | os.PathLike) -> QUBO:
    """Read a MatrixMarket file (coordinate or array; real, integer or pattern) as a QUBO matrix."""
    path = os.fspath(path)
    with open(path, encoding="utf-8") as fh:
        text = fh.readlines()
    if not text or not text[0].lower().startswith("%%matrixmarket"):
        raise ProblemFormatError(f"{path}:1: missing '%%MatrixMarket matrix ...' banner")
    banner = text[0].lower().split()
    if len(banner) < 5 or banner[1] != "matrix":
        raise ProblemFormatError(f"{path}:1: unsupported banner {text[0].strip()!r}")
    fmt, field, symm = banner[2], banner[3], banner[4]
    if field not in ("real", "integer", "pattern") or symm not in ("general", "symmetric"):
        raise ProblemFormatError(
            f"{path}:1: unsupported field/symmetry {field}/{symm} (need real|integer|pattern, general|symmetric)"
        )
    body = [(i, ln) for i, ln in enumerate(text[1:], 2) if ln.strip() and not ln.startswith("%")]
    if not body:
        raise ProblemFormatError(f"{path}: missing size line")
    ln0, size = body[0]
    if fmt == "coordinate":
        nr, nc, nnz = _numbers(path, ln0, size, (int, int, int))
        entries = body[1:]
        if len(entries) != nnz:
            raise ProblemFormatError(f"{path}:{ln0}: size line announces {nnz} entries, file has {len(entries)}")
        r = np.empty(nnz, np.int64)
        c = np.empty(nnz, np.int64)
        v = np.ones(nnz)
        for k, (lineno, line) in enumerate(entries):
            if field == "pattern":
                i, j = _numbers(path, lineno, line, (int, int))
            else:
                i, j, v[k] = _numbers(path, lineno, line, (int, int, float))
            if not (1 <= i <= nr and 1 <= j <= nc):
                raise ProblemFormatError(f"{path}:{lineno}: index out of range in {line.strip()!r}")
            r[k], c[k] = i - 1, j - 1
        m = sp.coo_matrix((v, (r, c)), shape=(nr, nc)).tocsr()
    elif fmt == "array":
        nr, nc = _numbers(path, ln0, size, (int, int))
        vals = [(_numbers(path, lineno, line, (float,))[0]) for lineno, line in body[1:]]
        if len(vals) != nr * nc:
            raise ProblemFormatError(f"{path}:{ln0}: expected {nr * nc} values, file has {len(vals)}")
        m = sp.csr_matrix(np.asarray(vals).reshape(nc, nr).T)
    else:
        raise ProblemFormatError(f"{path}:1: unknown MatrixMarket format {fmt!r}")
    if symm == "symmetric":
        m = (m + sp.tril(m, -1).T).tocsr()  # store the lower triangle on the upper too
    return QUBO(m, name=os.path.basename(path))


def read_npy(path: str | os.PathLike) -> QUBO:
    """Read a dense QUBO matrix saved with ``numpy.save``."""
    path = os.fspath(path)
    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 - reported with the file name
        raise ProblemFormatError(f"{path}: not a readable .npy file ({exc})") from exc
    return QUBO(arr, name=os.path.basename(path))


def read_npz(path: str | os.PathLike) -> QUBO:
    """Read a sparse matrix saved with ``scipy.sparse.save_npz`` (or an ``.npz`` holding one array ``q``)."""
    path = os.fspath(path)
    try:
        m = sp.load_npz(path)
    except Exception:  # noqa: BLE001 - maybe a plain np.savez archive
        try:
            with np.load(path, allow_pickle=False) as z:
                keys = list(z.keys())
                key = "q" if "q" in keys else ("Q" if "Q" in keys else (keys[0] if len(keys) == 1 else None))
                if key is None:
                    raise ProblemFormatError(f"{path}: .npz holds {keys}; expected a scipy sparse matrix or key 'q'")
                m = z[key]
        except ProblemFormatError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise ProblemFormatError(f"{path}: not a readable .npz file ({exc})") from exc
    return QUBO(m, name=os.path.basename(path))


def from_bqm(bqm: ty.Any) -> tuple[QUBO, list]:
    """Convert a dimod ``BinaryQuadraticModel`` (BINARY or SPIN) into a QUBO; returns ``(qubo, variables)``.

    The QUBO's cost equals the BQM's energy of the corresponding sample.
    """
    try:
        import dimod
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("from_bqm needs dimod: pip install dimod") from exc
    if not isinstance(bqm, dimod.BinaryQuadraticModel):
        raise ParameterError(f"from_bqm: expected a dimod.BinaryQuadraticModel, got {type(bqm).__name__}")
    b = bqm.change_vartype(dimod.BINARY, inplace=False)
    variables = list(b.variables)
    if not variables:
        raise ParameterError("from_bqm: the BQM has no variables")
    index = {v: i for i, v in enumerate(variables)}
    n = len(variables)
    ldata, (irow, icol, qdata), off = b.to_numpy_vectors(variable_order=variables)
    q = sp.coo_matrix((np.asarray(qdata, float), (np.asarray(irow), np.asarray(icol))), shape=(n, n)).tocsr()
    q = q + sp.diags(np.asarray(ldata, float))
    del index
    return QUBO(q, offset=float(off), name="bqm"), variables


def load_problem(path: str | os.PathLike) -> QUBO:
    """Read a problem file, choosing the reader by extension (``.npy``, ``.npz``, ``.mtx``; else G-set/rudy)."""
    p = os.fspath(path)
    if not os.path.exists(p):
        raise ProblemFormatError(f"{p}: no such file")
    ext = os.path.splitext(p)[1].lower()
    if ext == ".npy":
        return read_npy(p)
    if ext == ".npz":
        return read_npz(p)
    if ext in (".mtx", ".mm"):
        return read_mtx(p)
    return read_gset(p)


__all__ = ["ProblemFormatError", "read_gset", "read_mtx", "read_npy", "read_npz", "from_bqm", "load_problem"]
