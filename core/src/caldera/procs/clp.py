"""Continual-learning prototypes, CLP (Lava 0.10's ``lava.proc.clp``): the processes of a network that
learns new classes from single examples.

A pattern enters a population of :class:`PrototypeLIF` neurons through a learning connection. When no
prototype answers within ``t_wait`` steps, the :class:`NoveltyDetector` says so, the :class:`Allocator`
sends the id (1-based) of the next free prototype, which an :class:`IdBroadcast` forwards to the
prototypes' third-factor input: that prototype fires a back-propagating action potential and gets the
learning rate 127 in its y1 trace, so its weights learn the pattern in one shot. The :class:`Readout`
turns a prototype's spike into a label (a pseudo-label ``-(id+1)`` until the user gives one on
``label_in``), reports whether a later label agrees (``feedback``: +1 / -1) and, when it does not,
triggers another allocation. The models (``caldera-cpu``) are ``fixed_pt`` as in Lava.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.learning import Loihi2FLearningRule, Loihi3FLearningRule
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, shape_of
from caldera.procs.learning import LearningLIF
from caldera.variable import Var


class IdBroadcast(Process):
    """Sends what it receives (a graded spike whose payload is ``a_in``) and keeps it in ``val``."""

    def __init__(self, *, shape: ty.Any = (1,), name: str | None = None, log_config: ty.Any = None) -> None:
        shape = shape_of("IdBroadcast", shape)
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.val = Var(shape=shape, init=0)


class NoveltyDetector(Process):
    """Signals a novel input: ``input_aval_in`` (an input is being processed) starts a clock; when
    ``output_aval_in`` (a prototype answered) stays silent for more than ``t_wait`` steps it sends 1 on
    ``novelty_detected_out``. An answer stops the clock."""

    def __init__(self, *, t_wait: int, name: str | None = None) -> None:
        t_wait = integer("NoveltyDetector", "t_wait", t_wait, lo=0, hi=2**31 - 1)
        super().__init__(name=name)
        self.input_aval_in = InPort(shape=(1,))
        self.output_aval_in = InPort(shape=(1,))
        self.novelty_detected_out = OutPort(shape=(1,))
        self.t_wait = Var(shape=(1,), init=t_wait)


class Readout(Process):
    """Turns the prototypes' spikes (``inference_in``) into labels (``user_output``), learns labels from
    ``label_in``, reports a prediction's correctness on ``feedback`` and asks for an allocation on
    ``trigger_alloc`` after a wrong one. ``proto_labels``: the prototypes' labels (0: none yet)."""

    def __init__(
        self, *, n_protos: int, proto_labels: ty.Any = None, name: str | None = None, log_config: ty.Any = None
    ) -> None:
        n_protos = integer("Readout", "n_protos", n_protos, lo=1)
        if proto_labels is None:
            proto_labels = np.zeros((n_protos,), dtype=int)
        # Lava writes the init into a (n_protos,) int32 array (``var[:] = value``): a row of shape
        # (1, n_protos) and integer-valued floats (Lava's own CLP tutorial passes np.zeros((1, n))) are taken.
        given = np.asarray(proto_labels)
        labels = np.zeros((n_protos,), dtype=np.int64)
        try:
            if given.dtype.kind not in "biuf" or given.size != n_protos:
                raise ValueError
            labels[:] = given
        except ValueError:
            labels = None
        if labels is None or not np.array_equal(labels, given.reshape(-1)):
            raise ParameterError(
                f"Readout: proto_labels must be {n_protos} integers (one label per prototype, 0: unlabelled), "
                f"got {proto_labels!r}"
            )
        super().__init__(proto_labels=proto_labels, n_protos=n_protos, name=name)
        self.inference_in = InPort(shape=(n_protos,))
        self.label_in = InPort(shape=(1,))
        self.user_output = OutPort(shape=(1,))
        self.feedback = OutPort(shape=(1,))
        self.trigger_alloc = OutPort(shape=(1,))
        self.proto_labels = Var(shape=(n_protos,), init=labels)
        self.last_winner_id = Var(shape=(1,), init=0)


class Allocator(Process):
    """On a trigger (``trigger_in``) sends the 1-based id of the next prototype to allocate
    (``next_alloc_id``, then incremented) on ``allocate_out``; otherwise 0."""

    def __init__(self, *, n_protos: int, next_alloc_id: int = 1, name: str | None = None) -> None:
        n_protos = integer("Allocator", "n_protos", n_protos, lo=1)
        next_alloc_id = integer("Allocator", "next_alloc_id", next_alloc_id, lo=1)
        super().__init__(name=name)
        self.trigger_in = InPort(shape=(1,))
        self.allocate_out = OutPort(shape=(1,))
        self.next_alloc_id = Var(shape=(1,), init=next_alloc_id)
        self.n_protos = Var(shape=(1,), init=n_protos)


class PrototypeLIF(LearningLIF):
    """A :class:`LearningLIF` population of prototypes: the id (1-based) received on ``a_third_factor_in``
    makes that neuron spike (on ``s_out`` and ``s_out_bap``) and sets its y1 trace to 127, the one-shot
    learning rate; a spike on ``reset_in`` clears a neuron's u and v. Keyword arguments a LearningLIF does
    not take are kept in ``proc_params`` (Lava passes them on)."""

    def __init__(
        self,
        *,
        shape: ty.Any,
        u: ty.Any = 0,
        v: ty.Any = 0,
        du: float = 0,
        dv: float = 0,
        bias_mant: ty.Any = 0,
        bias_exp: ty.Any = 0,
        vth: float = 10,
        name: str | None = None,
        log_config: ty.Any = None,
        learning_rule: Loihi2FLearningRule | Loihi3FLearningRule | None = None,
        **kwargs: ty.Any,
    ) -> None:
        super().__init__(
            shape=shape,
            u=u,
            v=v,
            du=du,
            dv=dv,
            bias_mant=bias_mant,
            bias_exp=bias_exp,
            vth=vth,
            name=name,
            log_config=log_config,
            learning_rule=learning_rule,
        )
        self.proc_params.update(kwargs)
        self.reset_in = InPort(shape=self.shape)


__all__ = ["IdBroadcast", "NoveltyDetector", "Readout", "Allocator", "PrototypeLIF"]
