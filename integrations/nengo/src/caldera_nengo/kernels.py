"""Vectorized step functions of Nengo's neuron types, synapses and learning rules.

Each function is written once over NumPy arrays (state updated in place) and
is what the process models call; the equations are those Nengo documents for
each type, so a model gives Nengo's numbers. A neuron type without a kernel
here (a user's own) runs through its own ``step`` method, host-side, as in
Nengo.
"""

from __future__ import annotations

import typing as ty

import nengo
import numpy as np

Kernel = ty.Callable[[], None]


# -- neurons -------------------------------------------------------------------------------
def lif_step(dt, J, out, voltage, ref, tau_rc, tau_ref, min_voltage, amplitude):
    """Nengo's LIF: exact exponential integration over the non-refractory part of the step,
    the spike time interpolated inside the step (it shortens the next refractory period)."""
    ref -= dt
    delta_t = np.clip(dt - ref, 0, dt)
    voltage -= (J - voltage) * np.expm1(-delta_t / tau_rc)
    spiked = voltage > 1
    out[:] = spiked * (amplitude / dt)
    t_spike = dt + tau_rc * np.log1p(-(voltage[spiked] - 1) / (J[spiked] - 1))
    voltage[voltage < min_voltage] = min_voltage
    voltage[spiked] = 0
    ref[spiked] = tau_ref + t_spike


def lif_rate_step(J, out, tau_rc, tau_ref, amplitude):
    j = J - 1
    out[:] = 0
    pos = j > 0  # raises under np.errstate(invalid="raise") when j is nan, like Nengo
    out[pos] = amplitude / (tau_ref + tau_rc * np.log1p(1.0 / j[pos]))


def _neuron_kernel(nt, dt, J, out, state) -> Kernel | None:
    """A kernel for a built-in Nengo neuron type (exact class match), else None."""
    cls = type(nt)
    if cls is nengo.LIF:
        v, r = state["voltage"], state["refractory_time"]
        args = (nt.tau_rc, nt.tau_ref, nt.min_voltage, nt.amplitude)
        return lambda: lif_step(dt, J, out, v, r, *args)
    if cls is nengo.LIFRate:
        args = (nt.tau_rc, nt.tau_ref, nt.amplitude)
        return lambda: lif_rate_step(J, out, *args)
    if cls is nengo.AdaptiveLIF:
        v, r, n = state["voltage"], state["refractory_time"], state["adaptation"]
        args = (nt.tau_rc, nt.tau_ref, nt.min_voltage, nt.amplitude)
        k, inc = dt / nt.tau_n, nt.inc_n

        def adaptive_lif():
            lif_step(dt, J - n, out, v, r, *args)
            n[...] += k * (inc * out - n)

        return adaptive_lif
    if cls is nengo.AdaptiveLIFRate:
        n = state["adaptation"]
        args = (nt.tau_rc, nt.tau_ref, nt.amplitude)
        k, inc = dt / nt.tau_n, nt.inc_n

        def adaptive_lif_rate():
            lif_rate_step(J - n, out, *args)
            n[...] += k * (inc * out - n)

        return adaptive_lif_rate
    if cls is nengo.RectifiedLinear:
        a = nt.amplitude

        def relu():
            out[...] = a * np.maximum(0.0, J)

        return relu
    if cls is nengo.SpikingRectifiedLinear:
        v = state["voltage"]
        a = nt.amplitude / dt

        def spiking_relu():
            v[...] += np.maximum(J, 0) * dt
            n_spikes = np.floor(v)
            out[:] = a * n_spikes
            v[...] -= n_spikes

        return spiking_relu
    if cls is nengo.Sigmoid:
        a = 1.0 / nt.tau_ref

        def sigmoid():
            out[...] = a / (1 + np.exp(-J))

        return sigmoid
    if cls is nengo.Tanh:
        a = 1.0 / nt.tau_ref

        def tanh():
            out[...] = a * np.tanh(J)

        return tanh
    if cls is nengo.Izhikevich:
        v, u = state["voltage"], state["recovery"]
        tau_rec, coupling = nt.tau_recovery, nt.coupling
        v_reset, u_reset = nt.reset_voltage, nt.reset_recovery

        def izhikevich():
            j = np.maximum(-30.0, J)
            v[:] += (0.04 * v**2 + 5 * v + 140 - u + j) * 1000 * dt
            out[:] = (v >= 30) / dt
            spiked = out > 0
            v[spiked] = v_reset
            u[:] += (tau_rec * (coupling * v - u)) * 1000 * dt
            u[spiked] = u[spiked] + u_reset

        return izhikevich
    if cls is nengo.RegularSpiking:
        v = state["voltage"]
        a = nt.amplitude / dt

        def regular_spiking():
            v[...] += dt * J
            n_spikes = np.floor(v)
            out[...] = a * n_spikes
            v[...] -= n_spikes

        return regular_spiking
    if cls is nengo.PoissonSpiking:
        rng = state["rng"]
        a = nt.amplitude / dt
        if nt.negative:
            return lambda: out.__setitem__(Ellipsis, a * rng.poisson(np.abs(J) * dt, out.size) * np.sign(J))
        return lambda: out.__setitem__(Ellipsis, a * rng.poisson(J * dt, out.size))
    if cls is nengo.StochasticSpiking:
        rng = state["rng"]
        a = nt.amplitude / dt
        neg = nt.negative

        def stochastic_spiking():
            frac, n_spikes = np.modf(dt * (np.abs(J) if neg else J))
            n_spikes += rng.random_sample(size=frac.shape) < frac
            out[...] = a * n_spikes * (np.sign(J) if neg else 1)

        return stochastic_spiking
    return None


def neuron_kernel(nt, dt, J, out, state) -> tuple[Kernel, bool]:
    """The step of a neuron population: (kernel, whether it is one of ours rather than ``nt.step``)."""
    k = _neuron_kernel(nt, dt, J, out, state)
    if k is not None:
        return k, True
    step = nt.step
    return (lambda: step(dt, J, out, **state)), False


# -- linear filters (synapses) --------------------------------------------------------------
def lti_kernel(A, B, C, D, X, u, y, mode: str) -> Kernel:
    """A discrete LTI system ``x' = A x + B u, y = C x + D u`` on array ``u`` into ``y``.

    Without passthrough (D == 0) the input is advanced one step (``x[t] = A x[t-1] + B u[t]``,
    ``y[t] = C x[t]``), the form Nengo uses so that a synapse adds no delay of its own.
    ``mode`` is "set", "inc" or "update" (how ``y`` is written).
    """
    inc = mode == "inc"
    if A.size == 0:  # no state: a gain
        d = D.item()

        def gain():
            if inc:
                y[...] += d * u
            else:
                y[...] = d * u

        return gain
    nd = X.ndim
    Bb = B.reshape([B.shape[0]] + [1] * (nd - 1))
    Db = D.reshape([D.shape[0]] + [1] * (nd - 1))
    no_d = bool((D == 0).all())
    if len(A) == 1 and no_d:
        a, b = A.item(), C.item() * B.item()
        x0 = X[0]
        if X.size == 1:

            def one_x_scalar():
                X[:] = a * X.item() + b * u.item()
                if inc:
                    y[...] += X[0]
                else:
                    y[...] = X[0]

            one_x_scalar.scalar_filter = (a, b, X, u, y, inc)  # a compiled backend may step runs of these at once
            return one_x_scalar

        def one_x():
            X[...] *= a
            X[...] += b * u
            if inc:
                y[...] += x0
            else:
                y[...] = x0

        return one_x

    def dot(a, b):
        return np.dot(a, b) if b.ndim <= 2 else np.tensordot(a, b, axes=[[1], [0]])

    if no_d:

        def no_passthrough():
            X[:] = dot(A, X) + Bb * u
            r = dot(C, X).squeeze(axis=0)
            if inc:
                y[...] += r
            else:
                y[...] = r

        return no_passthrough

    def general():
        r = dot(C, X).squeeze(axis=0) + Db * u
        X[:] = dot(A, X) + Bb * u
        if inc:
            y[...] += r
        else:
            y[...] = r

    return general


# -- learning rules ------------------------------------------------------------------------
def pes_kernel(pre, error, delta, learning_rate, dt) -> Kernel:
    alpha = -learning_rate * dt / pre.shape[0]
    return lambda: np.outer(alpha * error, pre, out=delta)


def bcm_kernel(pre, post, theta, delta, learning_rate, dt) -> Kernel:
    alpha = learning_rate * dt

    def bcm():
        delta[...] = np.outer(alpha * post * (post - theta), pre)

    return bcm


def oja_kernel(weights, pre, post, delta, learning_rate, beta, dt) -> Kernel:
    alpha = learning_rate * dt

    def oja():
        delta[...] = -beta * weights * (alpha * post * post)[:, None]
        delta[...] += np.outer(alpha * post, pre)

    return oja


def voja_kernel(pre_decoded, post, scaled_encoders, delta, learning_signal, scale, learning_rate, dt) -> Kernel:
    alpha = learning_rate * dt
    scale = scale[:, None]

    def voja():
        delta[...] = alpha * learning_signal * (scale * np.outer(post, pre_decoded) - post[:, None] * scaled_encoders)

    return voja


def rls_kernel(r, error, delta, P) -> Kernel:
    def rls():
        Pr = P.dot(r)
        rPr1 = 1 / (1 + r.dot(Pr))
        P[...] -= Pr[:, None] * (Pr[None, :] * rPr1)
        delta[...] = error[:, None] * (-rPr1 * Pr[None, :])

    return rls


# -- convolution ---------------------------------------------------------------------------
def _pad_amounts(size: int, k: int, stride: int, pad: str) -> tuple[int, int, int]:
    """(output size, pad before, pad after) as TensorFlow's 'VALID' / 'SAME' define them."""
    if pad == "VALID":
        return (size - k) // stride + 1, 0, 0
    n_out = -(-size // stride)
    total = max((n_out - 1) * stride + k - size, 0)
    return n_out, total // 2, total - total // 2


def conv2d(x: np.ndarray, w: np.ndarray, pad: str, stride: tuple[int, int], groups: int = 1) -> np.ndarray:
    """2-D convolution (correlation) of ``x`` (H, W, C) with ``w`` (kh, kw, C // groups, F), channels last."""
    H, W_, C = x.shape
    kh, kw, cg, F = w.shape
    oh, pt, pb = _pad_amounts(H, kh, stride[0], pad)
    ow, pl, pr = _pad_amounts(W_, kw, stride[1], pad)
    xp = np.pad(x, ((pt, pb), (pl, pr), (0, 0))) if pt or pb or pl or pr else x
    sh, sw = stride
    y = np.zeros((oh, ow, F), dtype=np.result_type(x, w))
    fg = F // groups
    for i in range(kh):
        for j in range(kw):
            patch = xp[i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw, :]
            if groups == 1:
                y += patch @ w[i, j]
            else:
                for g in range(groups):
                    y[..., g * fg : (g + 1) * fg] += (
                        patch[..., g * cg : (g + 1) * cg] @ w[i, j, :, g * fg : (g + 1) * fg]
                    )
    return y


def conv2d_transpose(x: np.ndarray, w: np.ndarray, out_hw: tuple[int, int], pad: str, stride) -> np.ndarray:
    """The transpose of ``conv2d``: ``x`` (oh, ow, K) -> (H, W, C) with ``w`` (kh, kw, K, C), Nengo's layout."""
    H, W_ = out_hw
    kh, kw, K, C = w.shape
    oh, pt, pb = _pad_amounts(H, kh, stride[0], pad)
    ow, pl, pr = _pad_amounts(W_, kw, stride[1], pad)
    sh, sw = stride
    yp = np.zeros((H + pt + pb, W_ + pl + pr, C), dtype=np.result_type(x, w))
    xs = x[:oh, :ow]
    for i in range(kh):
        for j in range(kw):
            yp[i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw, :] += xs @ w[i, j]
    return yp[pt : pt + H, pl : pl + W_]
