"""Lava's ``lava.networks.network``: networks of processes joined with operators.

``a << b`` connects ``b``'s output port to ``a``'s input port (``a << b + c``: both, summed at ``a``);
``m @ v`` feeds vector ``v`` into matrix ``m``; a vector connected to a vector goes through an identity
``GradedSparse``; ``m1 * m2`` multiplies the outputs of two matrices element by element in a
``ProductVec``. The objects only wire caldera processes together: ``run``/``stop`` act on ``main``.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from lava._compat import missing


class NetworkList(list):
    """The networks summed with ``+`` (each is connected to the target of ``<<``)."""

    def __init__(self, iterable: ty.Iterable = ()) -> None:
        super().__init__(iterable)


class Network:
    """A network of processes with one input port (``in_port``), one output port (``out_port``) and a
    ``main`` process that ``run`` and ``stop`` act on."""

    in_port: ty.Any
    out_port: ty.Any
    main: ty.Any

    def run(self, **kwargs: ty.Any) -> None:
        self.main.run(**kwargs)

    def stop(self, **kwargs: ty.Any) -> None:
        self.main.stop(**kwargs)

    def __lshift__(self, other: ty.Any) -> ty.Any:
        if isinstance(other, Network):
            other.out_port.connect(self.in_port)
            return self
        if isinstance(other, NetworkList):
            for o in other:
                self << o  # noqa: B015 - connects
            return self
        return NotImplemented

    def __add__(self, other: ty.Any) -> ty.Any:
        if isinstance(other, Network):
            return NetworkList([self, other])
        if isinstance(other, NetworkList):
            other.append(self)
            return other
        return NotImplemented

    __radd__ = __add__


class AlgebraicVector(Network):
    """A population (vector) in the algebraic syntax: ``vector << vector`` connects through an identity
    ``GradedSparse``; ``vector << matrix`` connects directly."""

    def __lshift__(self, other: ty.Any) -> ty.Any:
        if isinstance(other, AlgebraicVector):
            from scipy.sparse import csr_matrix

            from lava.networks.gradedvecnetwork import GradedSparse

            identity = GradedSparse(weights=csr_matrix(np.eye(int(np.prod(self.shape)))))
            other.out_port.connect(identity.in_port)
            identity.out_port.connect(self.in_port)
            return self
        return super().__lshift__(other)


class AlgebraicMatrix(Network):
    """Weights (a matrix) in the algebraic syntax: ``matrix @ vector`` feeds the vector in; ``m1 * m2`` is
    the element-wise product of the two matrices' outputs (a ``ProductVec``)."""

    def __matmul__(self, other: ty.Any) -> ty.Any:
        if isinstance(other, AlgebraicVector):
            other.out_port.connect(self.in_port)
            return self
        return NotImplemented

    def __mul__(self, other: ty.Any) -> ty.Any:
        if isinstance(other, AlgebraicMatrix):
            from lava.networks.gradedvecnetwork import ProductVec

            product = ProductVec(shape=self.out_port.shape, vth=1, exp=0)
            product << (self, other)  # noqa: B015 - connects
            return product
        return NotImplemented


__all__ = ["NetworkList", "Network", "AlgebraicVector", "AlgebraicMatrix"]
__getattr__ = missing(__name__)
