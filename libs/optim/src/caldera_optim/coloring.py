"""Graph colouring of a coupling graph: the update blocks of the QUBO solver (no two coupled variables in one block)."""

from __future__ import annotations

import numpy as np
from caldera.lazy import lazy_module

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)


def greedy_coloring(adj: sp.csr_matrix) -> list[np.ndarray]:
    """A proper colouring of the coupling graph: no two coupled variables share a colour.

    DSATUR (always colour the vertex with the most distinct neighbour colours
    next) for graphs up to two million couplings, largest-degree-first greedy
    beyond; fewer colours mean fewer steps per sweep. Returns the classes.
    """
    import heapq

    n = adj.shape[0]
    indptr, indices = adj.indptr, adj.indices
    deg = np.diff(indptr)
    color = np.full(n, -1, np.int64)
    if adj.nnz > 2_000_000:
        for i in np.argsort(-deg, kind="stable"):
            used = set(color[indices[indptr[i] : indptr[i + 1]]].tolist())
            c = 0
            while c in used:
                c += 1
            color[i] = c
    else:
        seen: list[set] = [set() for _ in range(n)]
        heap = [(0, -int(deg[i]), i) for i in range(n)]
        heapq.heapify(heap)
        nbrs = [indices[indptr[i] : indptr[i + 1]].tolist() for i in range(n)]
        while heap:
            negsat, _, i = heapq.heappop(heap)
            if color[i] >= 0 or -negsat != len(seen[i]):
                continue  # stale entry
            used = seen[i]
            c = 0
            while c in used:
                c += 1
            color[i] = c
            for j in nbrs[i]:
                if color[j] < 0 and c not in seen[j]:
                    seen[j].add(c)
                    heapq.heappush(heap, (-len(seen[j]), -int(deg[j]), j))
    return [np.flatnonzero(color == c) for c in range(int(color.max()) + 1)]


__all__ = ["greedy_coloring"]
