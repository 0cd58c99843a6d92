"""Process ports: how processes exchange messages, including virtual ports that reshape them.

Connections are recorded on both ends (``in_connections`` lists what feeds a
port, ``out_connections`` what it feeds); the compiler walks them backwards
from every leaf ``InPort`` to find its sources and the transformations on the
way.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import PortConnectionError
from caldera.variable import Var, normalize_shape

if ty.TYPE_CHECKING:
    from caldera.process import Process


def _as_list(ports: ty.Any) -> list:
    if isinstance(ports, (list, tuple)):
        return list(ports)
    return [ports]


class AbstractPort:
    """A typed endpoint of a process with a shape."""

    def __init__(self, shape: ty.Any) -> None:
        self.shape = normalize_shape(shape, "port shape")
        self.name = "Unnamed port"
        self.process: Process | None = None
        self.in_connections: list[AbstractPort] = []
        self.out_connections: list[AbstractPort] = []

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def qualified_name(self) -> str:
        pname = self.process.name if self.process is not None else "?"
        return f"{pname}.{self.name}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.qualified_name}, shape={self.shape})"

    def _link(self, dst: AbstractPort) -> None:
        if self.shape != dst.shape:
            raise PortConnectionError(
                f"cannot connect {self.qualified_name} (shape {self.shape}) to "
                f"{dst.qualified_name} (shape {dst.shape}): shapes differ; "
                "use .reshape(), .flatten() or .transpose() on the source to adapt it"
            )
        if dst in self.out_connections:
            raise PortConnectionError(f"{self.qualified_name} is already connected to {dst.qualified_name}")
        self.out_connections.append(dst)
        dst.in_connections.append(self)

    # -- virtual ports ----------------------------------------------------------------------
    def reshape(self, new_shape: ty.Any) -> ReshapePort:
        """A view of this port's messages with another shape of the same size."""
        return ReshapePort(self, new_shape)

    def flatten(self) -> ReshapePort:
        """A view of this port's messages as a 1-D vector (C order)."""
        return ReshapePort(self, (self.size,))

    def transpose(self, axes: ty.Any = None) -> TransposePort:
        """A view of this port's messages with permuted axes (default: reversed)."""
        return TransposePort(self, axes)

    def concat_with(self, ports: ty.Any, axis: int) -> ConcatPort:
        """A view that concatenates this port's messages with those of ``ports`` along ``axis``."""
        return ConcatPort([self, *_as_list(ports)], axis)


class AbstractIOPort(AbstractPort):
    pass


class OutPort(AbstractIOPort):
    """Sends messages; connects to InPorts (fan-out), or to a parent process's OutPort."""

    def connect(self, ports: ty.Any) -> None:
        for p in _as_list(ports):
            if isinstance(p, (InPort, OutPort, VirtualPort)) and not isinstance(p, (RefPort, VarPort)):
                if isinstance(p, VirtualPort) and p.side != "in":
                    raise PortConnectionError(
                        f"cannot connect {self.qualified_name} to a virtual port made from an OutPort"
                    )
                self._link(p)
            else:
                raise PortConnectionError(
                    f"{self.qualified_name}: an OutPort connects to InPorts (or a parent's OutPort), got {p!r}"
                )

    def connect_from(self, ports: ty.Any) -> None:
        """Hierarchy: a child's OutPort feeds this (parent's) OutPort."""
        for p in _as_list(ports):
            if not isinstance(p, (OutPort, VirtualPort)):
                raise PortConnectionError(f"{self.qualified_name}.connect_from expects OutPorts, got {p!r}")
            p.connect(self)


class InPort(AbstractIOPort):
    """Receives messages; fan-in is summed, an unconnected InPort receives zeros."""

    def __init__(self, shape: ty.Any, reduce_op: ty.Any = None) -> None:
        super().__init__(shape)
        self.reduce_op = reduce_op

    def connect(self, ports: ty.Any) -> None:
        """Hierarchy: this (parent's) InPort feeds a child's InPort."""
        for p in _as_list(ports):
            if not isinstance(p, (InPort, VirtualPort)) or isinstance(p, VirtualPort) and p.side != "in":
                raise PortConnectionError(
                    f"{self.qualified_name}: an InPort connects onward only to a child's InPort, got {p!r}"
                )
            self._link(p)

    def connect_from(self, ports: ty.Any) -> None:
        for p in _as_list(ports):
            if not isinstance(p, (OutPort, InPort, VirtualPort)):
                raise PortConnectionError(f"{self.qualified_name}.connect_from expects OutPorts or InPorts, got {p!r}")
            p.connect(self)


class VarPort(AbstractPort):
    """Exposes a Var of its process to RefPorts of other processes."""

    def __init__(self, var: Var) -> None:
        if not isinstance(var, Var):
            raise PortConnectionError(f"VarPort expects a Var, got {type(var).__name__}")
        super().__init__(var.shape)
        self.var = var


class RefPort(AbstractPort):
    """Reads and writes a Var of another process, in the management phases."""

    def __init__(self, shape: ty.Any) -> None:
        super().__init__(shape)
        self.target_var: Var | None = None

    def connect(self, ports: ty.Any) -> None:
        for p in _as_list(ports):
            if isinstance(p, VarPort):
                self._connect_target(p.var, p.qualified_name)
            elif isinstance(p, RefPort):  # hierarchy: parent RefPort -> child RefPort
                self._link(p)
            else:
                raise PortConnectionError(f"{self.qualified_name}: a RefPort connects to a VarPort, got {p!r}")

    def connect_var(self, variables: ty.Any) -> None:
        for v in _as_list(variables):
            if not isinstance(v, Var):
                raise PortConnectionError(f"{self.qualified_name}.connect_var expects a Var, got {v!r}")
            self._connect_target(v, v.qualified_name)

    def _connect_target(self, var: Var, label: str) -> None:
        if var.shape != self.shape:
            raise PortConnectionError(
                f"cannot connect {self.qualified_name} (shape {self.shape}) to {label} "
                f"(shape {var.shape}): shapes differ"
            )
        if self.target_var is not None and self.target_var is not var:
            raise PortConnectionError(f"{self.qualified_name} is already connected to {self.target_var!r}")
        self.target_var = var
        var.referrers.append(self)


# -- virtual ports --------------------------------------------------------------------------
class VirtualPort(AbstractPort):
    """A port without a process: a transformation of the messages passing through it.

    ``side`` is "out" for views built on the sending side (from an OutPort or
    another out-side view) and "in" for views built in front of an InPort.
    """

    side = "out"

    def __init__(self, shape: ty.Any) -> None:
        super().__init__(shape)

    @property
    def qualified_name(self) -> str:
        return f"{type(self).__name__}{self.shape}"

    def forward(self, values: list[np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def connect(self, ports: ty.Any) -> None:
        if self.side == "in":
            raise PortConnectionError("a virtual port made from an InPort is a destination: connect an OutPort to it")
        for p in _as_list(ports):
            if isinstance(p, (InPort, OutPort)) or isinstance(p, VirtualPort) and p.side == "in":
                self._link(p)
            else:
                raise PortConnectionError(f"{self.qualified_name}: cannot connect to {p!r}")


class ReshapePort(VirtualPort):
    def __init__(self, parent: AbstractPort, new_shape: ty.Any) -> None:
        new_shape = normalize_shape(new_shape, "reshape shape")
        if int(np.prod(new_shape, dtype=np.int64)) != parent.size:
            raise PortConnectionError(
                f"cannot reshape {parent.qualified_name} of shape {parent.shape} "
                f"(size {parent.size}) to {new_shape} (size {int(np.prod(new_shape))})"
            )
        self.parent = parent
        if isinstance(parent, InPort) or isinstance(parent, VirtualPort) and parent.side == "in":
            # In front of an InPort: messages of shape new_shape are reshaped to the parent's shape.
            super().__init__(new_shape)
            self.side = "in"
            self.out_connections.append(parent)
            parent.in_connections.append(self)
            self._target = parent.shape
        else:
            super().__init__(new_shape)
            self.side = "out"
            parent.out_connections.append(self)
            self.in_connections.append(parent)
            self._target = new_shape

    def forward(self, values: list[np.ndarray]) -> np.ndarray:
        return values[0].reshape(self._target)


class TransposePort(VirtualPort):
    def __init__(self, parent: AbstractPort, axes: ty.Any = None) -> None:
        ndim = len(parent.shape)
        axes = tuple(range(ndim))[::-1] if axes is None else tuple(int(a) for a in axes)
        if sorted(axes) != list(range(ndim)):
            raise PortConnectionError(
                f"transpose axes {axes} are not a permutation of the {ndim} axes of {parent.qualified_name}"
            )
        self.parent = parent
        if isinstance(parent, InPort) or isinstance(parent, VirtualPort) and parent.side == "in":
            # Messages arrive in the transposed layout; undo the permutation towards the InPort.
            super().__init__(tuple(parent.shape[a] for a in axes))
            self.side = "in"
            self._axes = tuple(int(i) for i in np.argsort(axes))
            self.out_connections.append(parent)
            parent.in_connections.append(self)
        else:
            super().__init__(tuple(parent.shape[a] for a in axes))
            self.side = "out"
            self._axes = axes
            parent.out_connections.append(self)
            self.in_connections.append(parent)

    def forward(self, values: list[np.ndarray]) -> np.ndarray:
        return np.transpose(values[0], self._axes)


class ConcatPort(VirtualPort):
    """Concatenation of several sending ports along ``axis``."""

    def __init__(self, ports: list[AbstractPort], axis: int) -> None:
        if len(ports) < 2:
            raise PortConnectionError("concat_with needs at least one other port")
        ndim = len(ports[0].shape)
        if not -ndim <= axis < ndim:
            raise PortConnectionError(f"concat axis {axis} out of range for {ndim}-D ports")
        axis = axis % ndim
        for p in ports:
            if isinstance(p, InPort) or isinstance(p, VirtualPort) and p.side == "in":
                raise PortConnectionError("concat_with works on sending ports (OutPorts and their views)")
            if len(p.shape) != ndim or any(p.shape[d] != ports[0].shape[d] for d in range(ndim) if d != axis):
                raise PortConnectionError(
                    f"cannot concatenate {ports[0].qualified_name} {ports[0].shape} with "
                    f"{p.qualified_name} {p.shape} along axis {axis}"
                )
        shape = list(ports[0].shape)
        shape[axis] = sum(p.shape[axis] for p in ports)
        super().__init__(tuple(shape))
        self.side = "out"
        self.axis = axis
        for p in ports:
            p.out_connections.append(self)
            self.in_connections.append(p)

    def forward(self, values: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(values, axis=self.axis)


__all__ = [
    "AbstractPort",
    "AbstractIOPort",
    "InPort",
    "OutPort",
    "RefPort",
    "VarPort",
    "VirtualPort",
    "ReshapePort",
    "TransposePort",
    "ConcatPort",
]
