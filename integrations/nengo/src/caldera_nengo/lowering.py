"""Lowering: Nengo's built operators -> the kernels a caldera process model runs each step.

Nengo's builder turns every object into operators on signals (``sets``,
``incs``, ``reads``, ``updates``); their order within a step is the
topological order of Nengo's dependency graph, which is the whole of Nengo's
time-step semantics (a synapse *updates* its output, so readers see last
step's value: the one-step delay of a filtered connection). We keep that order
and give each operator a kernel of our own (``kernels``); operators of user
code (Node functions, Processes, custom neuron types) call that code, as Nengo
does.
"""

from __future__ import annotations

import typing as ty

import numpy as np
from nengo.builder.learning_rules import SimBCM, SimOja, SimPES, SimRLS, SimVoja
from nengo.builder.neurons import SimNeurons
from nengo.builder.operator import (
    BsrDotInc,
    Copy,
    DotInc,
    ElementwiseInc,
    Reset,
    SimPyFunc,
    SparseDotInc,
    TimeUpdate,
)
from nengo.builder.processes import SimProcess
from nengo.builder.transforms import GeneralConvInc
from nengo.exceptions import BuildError, SimulationError
from nengo.neurons import LIF
from nengo.synapses import LinearFilter
from nengo.utils.numpy import is_array_like

from caldera_nengo import kernels

Kernel = ty.Callable[[], None]


class NodeFunctionError(SimulationError):
    """A Node's function raised: names the node (its label) and chains the original exception."""


def _fn_name(fn) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def _lower_copy(op: Copy, signals) -> Kernel:
    src, dst = signals[op.src], signals[op.dst]
    ss = op.src_slice if op.src_slice is not None else Ellipsis
    ds = op.dst_slice if op.dst_slice is not None else Ellipsis
    repeats = False
    if is_array_like(ds):
        ds = np.array(ds)
        if ds.dtype.kind != "b":
            ds[ds < 0] += len(dst)
            repeats = len(np.unique(ds)) < len(ds)
    if op.inc and repeats:
        return lambda: np.add.at(dst, ds, src[ss])
    if repeats:
        raise BuildError(f"{op}: cannot have repeated indices in dst_slice when the copy is not an increment")
    if op.inc:

        def copy_inc():
            dst[ds] += src[ss]

        return copy_inc

    def copy_set():
        dst[ds] = src[ss]

    return copy_set


def _lower_pyfunc(op: SimPyFunc, signals, label_of: dict) -> Kernel:
    fn = op.fn
    out = signals[op.output] if op.output is not None else None
    t = signals[op.t] if op.t is not None else None
    x = signals[op.x] if op.x is not None else None
    who = label_of.get(id(fn)) or f"function {_fn_name(fn)!r}"

    def call():
        args = (np.copy(x),) if x is not None else ()
        try:
            y = fn(t.item(), *args) if t is not None else fn(*args)
        except SimulationError:
            raise
        except Exception as e:
            raise NodeFunctionError(f"{who}: its function raised {type(e).__name__}: {e}") from e
        if out is None:
            return
        try:
            if y is None or not np.all(np.isfinite(y)):
                raise SimulationError(f"Function '{_fn_name(fn)}' returned non-finite value")
            out[...] = y
        except (TypeError, ValueError) as e:
            raise SimulationError(
                f"Function '{_fn_name(fn)}' returned a value {y!r} of invalid type {type(y)!r}"
            ) from e

    return call


def _lower_process(op: SimProcess, signals, dt, rng) -> Kernel:
    t = signals[op.t]
    u = signals[op.input] if op.input is not None else None
    y = signals[op.output]
    proc = op.process
    state = {name: signals[sig] for name, sig in op.state.items()}
    if type(proc).make_step is LinearFilter.make_step and u is not None and "X" in state:
        A, B, C, D = proc._get_ss(dt)  # Nengo's own discretization of the filter
        return kernels.lti_kernel(A, B, C, D, state["X"], u, y, op.mode)
    shape_in = u.shape if u is not None else (0,)
    step = proc.make_step(shape_in, y.shape, dt, proc.get_rng(rng), state)
    if op.mode == "inc":
        if u is None:

            def inc_no_input():
                y[...] += step(t.item())

            return inc_no_input

        def inc():
            y[...] += step(t.item(), np.copy(u))

        return inc
    if u is None:

        def set_no_input():
            y[...] = step(t.item())

        return set_no_input

    def set_():
        y[...] = step(t.item(), np.copy(u))

    return set_


def _lower_conv(op: GeneralConvInc, signals) -> Kernel:
    conv = op.conv
    if conv.dimensions > 2:
        raise BuildError(f"{conv}: convolutions of more than 2 dimensions are not supported")
    W, X, Y = signals[op.W], signals[op.X], signals[op.Y]
    pad = conv.padding.upper()
    stride = tuple(conv.strides)
    X = X.reshape(conv.input_shape.shape)
    Y = Y.reshape(conv.output_shape.shape)
    if not conv.channels_last:
        X = np.moveaxis(X, 0, -1)
        Y = np.moveaxis(Y, 0, -1)
    out_hw = tuple(conv.output_shape.spatial_shape) if op.is_transpose else None
    if conv.dimensions == 1:
        X, Y, W = X[None], Y[None], W[None]
        stride = (1, *stride)
        out_hw = (1, *out_hw) if out_hw is not None else None
    if op.is_transpose:

        def conv_transpose():
            Y[...] += kernels.conv2d_transpose(X, W, out_hw, pad, stride)

        return conv_transpose
    groups = getattr(conv, "groups", 1)

    def conv_fwd():
        Y[...] += kernels.conv2d(X, W, pad, stride, groups)

    return conv_fwd


def _check_broadcast(op, A, X, Y) -> None:
    def as2(shape):
        return (1,) * (2 - len(shape)) + tuple(shape)

    for da, dx, dy in zip(as2(A.shape), as2(X.shape), as2(Y.shape)):
        if not (da in (1, dy) and dx in (1, dy) and max(da, dx) == dy):
            raise BuildError(f"{op}: incompatible shapes: {Y.shape} += {A.shape} * {X.shape}")


def _f64_vectors(*arrays) -> bool:
    return all(a.dtype == np.float64 and a.ndim == 1 for a in arrays)


def lower(op, signals, dt: float, rng: np.random.RandomState, label_of: dict, compiled=None) -> tuple[Kernel, bool]:
    """The kernel of one operator, and whether it is one of ours (False: the object's own step code).

    ``compiled``: the module of compiled kernels (``caldera_nengo._ckernels``) to use where one applies.
    """
    t = type(op)
    if t is TimeUpdate:
        step, time = signals[op.step], signals[op.time]

        def time_update():
            step[...] += 1
            time[...] = step * dt

        return time_update, True
    if t is Reset:
        dst, value = signals[op.dst], op.value

        def reset():
            dst[...] = value

        return reset, True
    if t is Copy:
        return _lower_copy(op, signals), True
    if t is ElementwiseInc:
        A, X, Y = signals[op.A], signals[op.X], signals[op.Y]
        _check_broadcast(op, A, X, Y)

        def elementwise_inc():
            Y[...] += A * X

        return elementwise_inc, True
    if t in (DotInc, SparseDotInc):
        A, X, Y = signals[op.A], signals[op.X], signals[op.Y]
        if op.reshape:
            shape = Y.shape

            def dot_inc_reshape():
                Y[...] += A.dot(X).reshape(shape)

            return dot_inc_reshape, True

        def dot_inc():
            Y[...] += A.dot(X)

        return dot_inc, True
    if t is BsrDotInc:
        from scipy.sparse import bsr_matrix

        A, X, Y = signals[op.A], signals[op.X], signals[op.Y]
        if compiled is not None and A.dtype == np.float64 and A.ndim == 3 and _f64_vectors(X, Y):
            ind = np.ascontiguousarray(op.indices, dtype=np.intp)
            ptr = np.ascontiguousarray(op.indptr, dtype=np.intp)
            if len(ptr) - 1 == Y.shape[0] // A.shape[1] and X.shape[0] % A.shape[2] == 0:
                f = compiled.bsr_dot_inc
                return (lambda: f(A, ind, ptr, X, Y)), True
        mat = bsr_matrix((A, op.indices, op.indptr))
        reshape = op.reshape

        def bsr_dot_inc():
            r = mat.dot(X)
            Y[...] += r.reshape(Y.shape) if reshape else r

        return bsr_dot_inc, True
    if t is SimPyFunc:
        return _lower_pyfunc(op, signals, label_of), False
    if t is SimNeurons:
        J, out = signals[op.J], signals[op.output]
        state = {name: signals[sig] for name, sig in op.state.items()}
        state.update(op.state_extra)
        nt = op.neurons
        if compiled is not None and type(nt) is LIF:
            v, r = state["voltage"], state["refractory_time"]
            if _f64_vectors(J, out, v, r):
                f, args = compiled.lif_step, (nt.tau_rc, nt.tau_ref, nt.min_voltage, nt.amplitude)
                return (lambda: f(dt, J, out, v, r, *args)), True
        return kernels.neuron_kernel(nt, dt, J, out, state)
    if t is SimProcess:
        k = _lower_process(op, signals, dt, rng)
        return k, k.__module__ == kernels.__name__
    if t is SimPES:
        return kernels.pes_kernel(
            signals[op.pre_filtered], signals[op.error], signals[op.delta], op.learning_rate, dt
        ), True
    if t is SimBCM:
        return kernels.bcm_kernel(
            signals[op.pre_filtered],
            signals[op.post_filtered],
            signals[op.theta],
            signals[op.delta],
            op.learning_rate,
            dt,
        ), True
    if t is SimOja:
        return kernels.oja_kernel(
            signals[op.weights],
            signals[op.pre_filtered],
            signals[op.post_filtered],
            signals[op.delta],
            op.learning_rate,
            op.beta,
            dt,
        ), True
    if t is SimVoja:
        return kernels.voja_kernel(
            signals[op.pre_decoded],
            signals[op.post_filtered],
            signals[op.scaled_encoders],
            signals[op.delta],
            signals[op.learning_signal],
            op.scale,
            op.learning_rate,
            dt,
        ), True
    if t is SimRLS:
        return kernels.rls_kernel(
            signals[op.pre_filtered], signals[op.error], signals[op.delta], signals[op.inv_gamma]
        ), True
    if isinstance(op, GeneralConvInc):
        return _lower_conv(op, signals), True
    # An operator type from a user's own builder function: its own step code, host-side.
    return op.make_step(signals, dt, rng), False
