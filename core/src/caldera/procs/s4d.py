"""S4D neurons (Lava 0.10's ``lava.proc.s4d``): a diagonal linear state-space model per neuron
(Gu et al., 2022, "On the parameterization and initialization of diagonal state space models").

Each step::

    s4_state = a * s4_state + b * input
    output   = real(2 * c * s4_state)

:class:`S4d` takes its input as it comes (complex ``a``, ``b``, ``c`` allowed); :class:`SigmaS4dDelta`
is a sigma-delta neuron (:class:`caldera.procs.SigmaDelta`) with this model as its activation (real
coefficients), and :class:`SigmaS4dDeltaLayer` puts ``d_states`` such neurons behind each channel
(Sparse expansion -> SigmaS4dDelta -> Sparse reduction). The models (``caldera-cpu``) are ``floating_pt``,
as in Lava 0.10 (its fixed-point S4D runs on Loihi hardware only). ``s4_exp``, ``inp_exp`` and
``state_exp`` are kept for Loihi's fixed-point form, as in Lava.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.model import AbstractSubProcessModel, implements
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, shape_of
from caldera.procs.sdn import ActivationMode, SigmaDelta
from caldera.procs.sparse import Sparse
from caldera.protocols import LoihiProtocol
from caldera.variable import Var


def coefficients(proc: str, name: str, value: ty.Any, shape: tuple[int, ...], complex_ok: bool) -> np.ndarray:
    """An S4D coefficient: a number or one per neuron (``shape``), finite; complex only where ``complex_ok``."""
    arr = np.asarray(value)
    kinds = "biufc" if complex_ok else "biuf"
    if arr.dtype.kind not in kinds or arr.size == 0:
        what = "real or complex numbers" if complex_ok else "real numbers"
        hint = "" if complex_ok else " (complex coefficients: use S4d, whose state is complex)"
        raise ParameterError(f"{proc}: {name} must be {what}, got {value!r}{hint}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{proc}: {name} must be finite, got {value!r}")
    if arr.size != 1 and arr.shape != shape:
        raise ParameterError(
            f"{proc}: {name} must be one number or {shape} numbers (one per neuron), got shape {arr.shape}"
        )
    return value


class S4d(Process):
    """S4D neurons: ``s4_state = a * s4_state + b * a_in``; ``s_out`` sends ``real(2 * c * s4_state)``."""

    def __init__(
        self,
        shape: ty.Any,
        a: ty.Any,
        b: ty.Any,
        c: ty.Any,
        s4_state: ty.Any = 0,
        s4_exp: int = 0,
        inp_exp: int = 0,
        *,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        shape = shape_of("S4d", shape)
        for key, value in (("a", a), ("b", b), ("c", c), ("s4_state", s4_state)):
            coefficients("S4d", key, value, shape, complex_ok=True)
        s4_exp = integer("S4d", "s4_exp", s4_exp)
        inp_exp = integer("S4d", "inp_exp", inp_exp)
        super().__init__(shape=shape, a=a, b=b, c=c, s4_state=s4_state, s4_exp=s4_exp, inp_exp=inp_exp, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        # complex Vars (the model's types), so that complex values can be set before the first run too
        self.a = Var(shape=shape, init=np.asarray(a, dtype=complex))
        self.b = Var(shape=shape, init=np.asarray(b, dtype=complex))
        self.c = Var(shape=shape, init=np.asarray(c, dtype=complex))
        self.s4_state = Var(shape=shape, init=np.asarray(s4_state, dtype=complex))
        self.s4_exp = Var(shape=(1,), init=s4_exp)
        self.inp_exp = Var(shape=(1,), init=inp_exp)


class SigmaS4dDelta(SigmaDelta):
    """A sigma-delta neuron whose activation is the S4D model of the decoded input ``sigma``:
    ``s4_state = a * s4_state + b * sigma``, ``act = 2 * c * s4_state`` (real coefficients); changes of
    ``act`` of at least ``vth`` are sent (``residue`` keeps the rest)."""

    def __init__(
        self,
        shape: ty.Any,
        vth: float,
        a: ty.Any,
        b: ty.Any,
        c: ty.Any,
        state_exp: int = 0,
        s4_exp: int = 0,
        *,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        shape = shape_of("SigmaS4dDelta", shape)
        for key, value in (("a", a), ("b", b), ("c", c)):
            coefficients("SigmaS4dDelta", key, value, shape, complex_ok=False)
        s4_exp = integer("SigmaS4dDelta", "s4_exp", s4_exp)
        super().__init__(shape=shape, vth=vth, state_exp=state_exp, name=name)
        # Lava passes these on to SigmaDelta's proc_params (its act_mode, RELU by default, is not used)
        self.proc_params.update(a=a, b=b, c=c, s4_state=0, s4_exp=s4_exp)
        self.a = Var(shape=shape, init=a)
        self.b = Var(shape=shape, init=b)
        self.c = Var(shape=shape, init=c)
        self.s4_state = Var(shape=shape, init=0)
        self.s4_exp = Var(shape=(1,), init=s4_exp)


class SigmaS4dDeltaLayer(Process):
    """``d_states`` :class:`SigmaS4dDelta` neurons per channel of ``shape = (n,)``: ``s_in`` is expanded to
    ``n * d_states`` neurons by a Sparse connection and their outputs are summed back to ``n`` channels on
    ``a_out`` by another (weights ``conn_weights = kron(eye(n), ones(d_states))``). ``a``, ``b``, ``c`` and
    ``s4_state`` (``n * d_states`` values) are the neurons' Vars."""

    def __init__(
        self,
        shape: ty.Any,
        vth: float,
        a: ty.Any,
        b: ty.Any,
        c: ty.Any,
        d_states: int = 1,
        s4_exp: int = 0,
        num_message_bits: int = 24,
        state_exp: int = 0,
        *,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        shape = shape_of("SigmaS4dDeltaLayer", shape)
        if len(shape) != 1:
            raise ParameterError(f"SigmaS4dDeltaLayer: shape must be one-dimensional (channels,), got {shape}")
        d_states = integer("SigmaS4dDeltaLayer", "d_states", d_states, lo=1)
        n = shape[0] * d_states
        for key, value in (("a", a), ("b", b), ("c", c)):
            coefficients("SigmaS4dDeltaLayer", key, value, (n,), complex_ok=False)
        s4_exp = integer("SigmaS4dDeltaLayer", "s4_exp", s4_exp)
        num_message_bits = integer("SigmaS4dDeltaLayer", "num_message_bits", num_message_bits, lo=0, hi=32)
        state_exp = integer("SigmaS4dDeltaLayer", "state_exp", state_exp, lo=0, hi=7)
        conn_weights = np.kron(np.eye(shape[0]), np.ones(d_states))
        super().__init__(
            shape=shape,
            vth=vth,
            a=a,
            b=b,
            c=c,
            s4_exp=s4_exp,
            s4_state=0,
            conn_weights=conn_weights,
            num_message_bits=num_message_bits,
            d_states=d_states,
            state_exp=state_exp,
            act_mode=ActivationMode.UNIT,
            name=name,
        )
        self.s_in = InPort(shape=shape)
        self.a_out = OutPort(shape=shape)
        self.state_exp = Var(shape=(1,), init=state_exp)
        self.a = Var(shape=(n,), init=a)
        self.b = Var(shape=(n,), init=b)
        self.c = Var(shape=(n,), init=c)
        self.s4_state = Var(shape=(n,), init=0)
        self.S4_exp = Var(shape=(1,), init=s4_exp)  # Lava's spelling
        # Lava declares this Var with the layer's shape; it holds the (n, n * d_states) matrix
        self.conn_weights = Var(shape=conn_weights.shape, init=conn_weights)
        self.num_message_bits = Var(shape=(1,), init=num_message_bits)


@implements(proc=SigmaS4dDeltaLayer, protocol=LoihiProtocol)
class SubDenseLayerModel(AbstractSubProcessModel):
    """SigmaS4dDeltaLayer as Sparse (expansion) -> SigmaS4dDelta -> Sparse (reduction), the weights'
    exponent ``state_exp``; the layer's ``a``, ``b``, ``c`` and ``s4_state`` are the neurons' Vars.
    Backend-independent, so it lives next to its process."""

    def __init__(self, proc: SigmaS4dDeltaLayer) -> None:
        super().__init__(proc)
        p = proc.proc_params
        w, exp, bits = p["conn_weights"], p["state_exp"], p["num_message_bits"]
        self.sparse1 = Sparse(weights=w.T, weight_exp=exp, num_message_bits=bits)
        self.sigma_S4d_delta = SigmaS4dDelta(  # noqa: N815 - Lava's name
            shape=(w.shape[1],), vth=p["vth"], state_exp=exp, s4_exp=p["s4_exp"], a=p["a"], b=p["b"], c=p["c"]
        )
        self.sparse2 = Sparse(weights=w, weight_exp=exp, num_message_bits=bits)
        proc.s_in.connect(self.sparse1.s_in)
        self.sparse1.a_out.connect(self.sigma_S4d_delta.a_in)
        self.sigma_S4d_delta.s_out.connect(self.sparse2.s_in)
        self.sparse2.a_out.connect(proc.a_out)
        for name in ("a", "b", "c", "s4_state"):
            getattr(proc, name).alias(getattr(self.sigma_S4d_delta, name))


__all__ = ["S4d", "SigmaS4dDelta", "SigmaS4dDeltaLayer", "SubDenseLayerModel", "coefficients"]
