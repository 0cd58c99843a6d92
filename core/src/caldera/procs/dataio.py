"""Data in and out (Lava's ``lava.proc.io``): Read, Reset, data loaders and the delta encoder.

``Read`` and ``Reset`` reach another process's Var through a RefPort
(``connect_var``) in the management phase of every ``interval``-th step
(steps ``t`` with ``(t - 1) % interval == offset``). ``SpikeDataloader``
replays the samples of any indexable dataset of ``(data, ground_truth)``
pairs as spikes, one sample per ``interval`` steps; ``StateDataloader``
writes each sample into a Var instead. ``DeltaEncoder`` turns a graded input
into sigma-delta messages (send-first: a change leaves one step later).
"""

from __future__ import annotations

import typing as ty
from enum import Enum, unique

import numpy as np

from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort, RefPort
from caldera.process import Process
from caldera.procs._validate import integer, scalar, shape_of
from caldera.variable import Var


def _interval(proc: str, interval: ty.Any, offset: ty.Any) -> tuple[int, int]:
    interval = integer(proc, "interval", interval, lo=1)
    offset = integer(proc, "offset", offset, lo=0)
    return interval, offset % interval


class Read(Process):
    """Reads a Var into ``data`` (shape ``var.shape + (buffer,)``, a ring buffer) every ``interval`` steps."""

    def __init__(
        self, *, buffer: int, interval: int = 1, offset: int = 0, name: str | None = None, log_config: ty.Any = None
    ) -> None:
        buffer = integer("Read", "buffer", buffer, lo=1)
        interval, offset = _interval("Read", interval, offset)
        super().__init__(buffer=buffer, interval=interval, offset=offset, name=name)
        self.buffer = buffer
        self.interval = Var((1,), init=interval)
        self.offset = Var((1,), init=offset)
        self.state = RefPort((1,))
        self.data = Var(shape=(1, buffer), init=np.zeros((1, buffer)))

    def connect_var(self, var: Var) -> None:
        """Read ``var`` from now on (call before the first run)."""
        if not isinstance(var, Var):
            raise ParameterError(f"Read {self.name!r}: connect_var expects a Var, got {var!r}")
        self.state = RefPort(var.shape)
        self.state.connect_var(var)
        shape = var.shape + (self.buffer,)
        self.data = Var(shape=shape, init=np.zeros(shape))


class Reset(Process):
    """Writes ``reset_value`` into a Var every ``interval`` steps (after the step's spiking phase)."""

    def __init__(
        self,
        *,
        reset_value: float = 0,
        interval: int = 1,
        offset: int = 0,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        scalar("Reset", "reset_value", reset_value)
        interval, offset = _interval("Reset", interval, offset)
        super().__init__(reset_value=reset_value, interval=interval, offset=offset, name=name)
        self.reset_value = Var((1,), init=reset_value)
        self.interval = Var((1,), init=interval)
        self.offset = Var((1,), init=offset)
        self.state = RefPort((1,))

    def connect_var(self, var: Var) -> None:
        """Reset ``var`` (call before the first run)."""
        if not isinstance(var, Var):
            raise ParameterError(f"Reset {self.name!r}: connect_var expects a Var, got {var!r}")
        self.state = RefPort(var.shape)
        self.state.connect_var(var)


def _first_sample(proc: str, dataset: ty.Any) -> tuple[np.ndarray, ty.Any]:
    try:
        n = len(dataset)
        sample = dataset[0] if n > 0 else None
    except Exception as e:  # noqa: BLE001 - re-raised with what is expected
        raise ParameterError(
            f"{proc}: dataset must support len() and indexing, returning (data, ground_truth) pairs ({e})"
        ) from None
    if n < 1:
        raise ParameterError(f"{proc}: dataset is empty")
    try:
        data, gt = sample
    except (TypeError, ValueError):
        raise ParameterError(
            f"{proc}: dataset[0] must be a (data, ground_truth) pair, got {type(sample).__name__}"
        ) from None
    return np.asarray(data), gt


class _Dataloader(Process):
    def _setup(self, proc: str, dataset: ty.Any, interval: int, offset: int) -> tuple[np.ndarray, int, int]:
        data, gt = _first_sample(proc, dataset)
        interval, offset = _interval(proc, interval, offset)
        gt_shape = (1,) if np.isscalar(gt) else np.shape(gt)
        self.proc_params.update(
            gt_shape=gt_shape, interval=interval, offset=offset, saved_dataset=dataset, dataset=dataset
        )
        self.interval = Var((1,), init=interval)
        self.offset = Var((1,), init=offset)
        self.ground_truth = OutPort(shape=gt_shape)
        return data, interval, offset


class SpikeDataloader(_Dataloader):
    """Sends sample k's data (time on the last axis) during steps ``k*interval+1 .. (k+1)*interval`` (+offset).

    The first ``interval`` time bins of each sample are sent (a shorter sample
    is padded with zeros); ``ground_truth`` carries the sample's label.
    """

    def __init__(
        self, *, dataset: ty.Any, interval: int = 1, offset: int = 0, name: str | None = None, log_config: ty.Any = None
    ) -> None:
        super().__init__(name=name)
        data, interval, _ = self._setup("SpikeDataloader", dataset, interval, offset)
        if data.ndim < 2:
            raise ParameterError(
                f"SpikeDataloader: each sample's data must have a time axis last (shape (*neurons, T)), "
                f"got shape {data.shape}"
            )
        shape = data.shape[:-1] + (interval,)
        self.data = Var(shape=shape, init=np.zeros(shape))
        self.s_out = OutPort(shape=data.shape[:-1])


class StateDataloader(_Dataloader):
    """Writes sample k's data into a Var (``connect_var``) every ``interval`` steps; sends its label."""

    def __init__(
        self, *, dataset: ty.Any, interval: int = 1, offset: int = 0, name: str | None = None, log_config: ty.Any = None
    ) -> None:
        super().__init__(name=name)
        data, _, _ = self._setup("StateDataloader", dataset, interval, offset)
        self.state = RefPort(data.shape)

    def connect_var(self, var: Var) -> None:
        """Write the samples into ``var`` (same shape as a sample's data)."""
        if not isinstance(var, Var):
            raise ParameterError(f"StateDataloader {self.name!r}: connect_var expects a Var, got {var!r}")
        self.state = RefPort(var.shape)
        self.state.connect_var(var)


@unique
class Compression(Enum):
    """Message encodings of ``DeltaEncoder`` (Lava's names)."""

    DENSE = 0
    SPARSE = 1
    PACKED_4 = 2
    DELTA_SPARSE_8 = 3


class DeltaEncoder(Process):
    """Sigma-delta encoder: sends ``a_in << spike_exp`` minus what it sent before, once that reaches ``vth``.

    Changes below ``vth`` accumulate in ``residue``; with ``num_bits`` the
    messages are clipped to that signed width (the clipped part stays in the
    residue). ``compression`` picks the wire format of the ``sparse_out`` model;
    the ``dense_out`` model (default for fixed_pt) needs ``Compression.DENSE``.
    """

    def __init__(
        self,
        *,
        shape: ty.Any,
        vth: float,
        spike_exp: int = 0,
        num_bits: int | None = None,
        compression: Compression = Compression.DENSE,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        shape = shape_of("DeltaEncoder", shape)
        scalar("DeltaEncoder", "vth", vth)
        if float(vth) < 0:
            raise ParameterError(f"DeltaEncoder: vth must be >= 0, got {vth}")
        spike_exp = integer("DeltaEncoder", "spike_exp", spike_exp, lo=0, hi=16)
        if num_bits is not None:
            num_bits = integer("DeltaEncoder", "num_bits", num_bits, lo=1, hi=24)
        if not isinstance(compression, Compression):
            raise ParameterError(f"DeltaEncoder: compression must be a Compression, got {compression!r}")
        super().__init__(
            shape=shape,
            vth=vth,
            cum_error=False,
            spike_exp=spike_exp,
            state_exp=0,
            num_bits=num_bits,
            compression=compression,
            name=name,
        )
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.vth = Var(shape=(1,), init=vth * (1 << spike_exp))
        self.act = Var(shape=shape, init=0)
        self.residue = Var(shape=shape, init=0)
        self.spike_exp = Var(shape=(1,), init=spike_exp)
        if num_bits is not None:
            a_min = -(1 << (num_bits - 1)) << spike_exp
            a_max = ((1 << (num_bits - 1)) - 1) << spike_exp
        else:
            a_min = a_max = -1
        self.a_min = Var(shape=(1,), init=a_min)
        self.a_max = Var(shape=(1,), init=a_max)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.proc_params["shape"]


__all__ = ["Read", "Reset", "SpikeDataloader", "StateDataloader", "DeltaEncoder", "Compression"]
