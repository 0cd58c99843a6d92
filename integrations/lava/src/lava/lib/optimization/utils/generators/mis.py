"""lava-optimization 0.5's ``lava.lib.optimization.utils.generators.mis``: maximum independent set problems.

``MISProblem(adjacency_matrix)``, or a random graph drawn as lava-optimization draws it, with networkx's
generators and the same seed (``from_random_uniform``: ``gnm_random_graph`` with ``int(density n^2 / 2)``
edges; ``from_watts_strogatz``), so the same seed gives the same graph. ``get_qubo_matrix(w_diag, w_off)``
is ``-w_diag I + (w_off / 2) A`` as integers and ``get_as_qubo`` the ``QUBO`` of it;
``find_maximum_independent_set`` solves it exactly with networkx (a maximum clique of the complement).
``num_edges`` counts the nonzero entries of the adjacency matrix, as there. networkx is needed for the
random graphs, the networkx graphs and the exact solution.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from lava._compat import missing


def _networkx() -> ty.Any:
    try:
        import networkx
    except ModuleNotFoundError:
        raise ImportError(
            "lava.lib.optimization.utils.generators.mis: random graphs, graphs and the exact solution need "
            "networkx (pip install networkx), as in lava-optimization"
        ) from None
    return networkx


class MISProblem:
    """A maximum independent set problem on the graph of ``adjacency_matrix``, and its QUBO."""

    def __init__(self, adjacency_matrix: np.ndarray) -> None:
        adjacency_matrix = np.asarray(adjacency_matrix)
        if adjacency_matrix.ndim != 2 or adjacency_matrix.shape[0] != adjacency_matrix.shape[1]:
            raise ValueError("The adjacency matrix has to be a square matrix.")
        self._adjacency = adjacency_matrix

    @property
    def adjacency_matrix(self) -> np.ndarray:
        return self._adjacency

    @property
    def num_vertices(self) -> int:
        return self._adjacency.shape[0]

    @property
    def num_edges(self) -> int:
        """The nonzero entries of the adjacency matrix (each edge twice), as lava-optimization counts them."""
        return int(np.count_nonzero(self._adjacency))

    @classmethod
    def from_random_uniform(cls, num_vertices: int, density: float, seed: int = 0) -> MISProblem:
        """A random graph with ``int(0.5 density num_vertices^2)`` edges (networkx's ``gnm_random_graph``)."""
        nx = _networkx()
        graph = nx.generators.gnm_random_graph(
            n=num_vertices, m=int(0.5 * density * num_vertices**2), directed=False, seed=seed
        )
        return cls(adjacency_matrix=np.array(nx.adjacency_matrix(graph).toarray()))

    @classmethod
    def from_watts_strogatz(
        cls, num_vertices: int, num_neighbors: int, connection_prob: float, seed: int = 0
    ) -> MISProblem:
        """A Watts-Strogatz small-world graph (networkx's ``watts_strogatz_graph``)."""
        nx = _networkx()
        graph = nx.generators.watts_strogatz_graph(n=num_vertices, k=num_neighbors, p=connection_prob, seed=seed)
        return cls(adjacency_matrix=np.array(nx.adjacency_matrix(graph).toarray()))

    @staticmethod
    def _graph(adjacency: np.ndarray) -> ty.Any:
        nx = _networkx()
        g = nx.Graph()
        g.add_nodes_from(range(adjacency.shape[0]))
        rows, cols = np.nonzero(np.triu(adjacency, 1) == 1)  # edges above the diagonal with weight 1, as there
        g.add_edges_from(zip(rows.tolist(), cols.tolist()))
        return g

    def get_graph(self) -> ty.Any:
        return self._graph(self._adjacency)

    def get_complement_graph(self) -> ty.Any:
        return self._graph(self.get_complement_graph_matrix())

    def get_complement_graph_matrix(self) -> np.ndarray:
        c = np.logical_not(self._adjacency).astype(int)
        np.fill_diagonal(c, 0)
        return c

    def get_as_qubo(self, w_diag: int = 1, w_off: int = 4) -> ty.Any:
        """The ``QUBO`` of :meth:`get_qubo_matrix`."""
        from lava.lib.optimization.problems.problems import QUBO

        return QUBO(self.get_qubo_matrix(w_diag, w_off))

    def get_qubo_matrix(self, w_diag: int = 1, w_off: int = 4) -> np.ndarray:
        """``-w_diag I + (w_off / 2) A`` as integers: its minimum ``x^T Q x`` is a maximum independent set;
        ``w_off`` must exceed ``2 w_diag`` so that taking both ends of an edge never pays."""
        if w_off <= 2 * w_diag:
            raise ValueError("MISProblem: off-diagonal weights must be > 2 x diagonal weights (w_off > 2 w_diag)")
        q = -w_diag * np.eye(self.num_vertices) + w_off / 2 * self._adjacency
        return q.astype(int)

    def find_maximum_independent_set(self) -> np.ndarray:
        """A maximum independent set (exact: networkx's maximum clique of the complement graph), as a 0/1 vector."""
        clique, _ = _networkx().max_weight_clique(self.get_complement_graph(), weight=None)
        mis = np.zeros((self.num_vertices,))
        mis[clique] = 1
        return mis


__all__ = ["MISProblem"]
__getattr__ = missing(__name__)
