"""Spiking neurons for training with PyTorch (surrogate gradients), on lava-dl's ``(batch, features..., time)`` layout.

Each neuron's step is the arithmetic of the caldera process it deploys to, so a
trained network runs on caldera with the same numbers:

- :class:`CubaLIF` — Loihi's current-based LIF (caldera ``LIF``): ``u = u (1 - du) + x``,
  ``v = v (1 - dv) + u + bias``, spike when ``v > threshold``, ``v`` reset to 0; optional
  refractory period (``LIFRefractory``). With ``quantize=True`` it computes Lava's
  ``fixed_pt`` integers exactly (12-bit decays truncated toward zero, inputs and
  threshold shifted by 6, 24-bit voltage saturation), so the ``fixed_pt`` deployment
  reproduces it bit for bit (in float64; training in float32 uses the same rules).
- :class:`AdaptiveLIF` — LIF with an adaptive threshold and a refractory state (caldera
  ``ATRLIF``): the threshold rises by ``threshold_step`` at each spike and relaxes with
  ``threshold_decay``; ``quantize=True`` computes Lava's ``fixed_pt`` integers.
- :class:`SigmaDelta` — sigma-delta ReLU units (caldera ``SigmaDelta``): input messages
  are accumulated, ``act = relu(sigma + bias)``, changes are sent when they reach
  ``threshold``.
- :class:`Resonator` — resonate-and-fire (caldera ``RF``): a damped rotation of
  (real, imag) state driven by the input, spiking when the phase crosses zero with
  the real part at or above ``threshold``.

Gradients of the spike function use a fast-sigmoid surrogate
``k / (1 + k |v - th|)^2`` with ``k = scale_grad / th`` (in the state's own units, so
float and fixed-point neurons get the same gradients); truncations pass gradients
straight through.
"""

from __future__ import annotations

import typing as ty

import torch
from torch import nn

DECAY_UNITY = 4096
UNIT = 4096.0  # fixed-point state per unit of float state (weights x64 in the synapse, x64 again in the neuron)
MAX_V = float(2**23 - 1)


class _Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, scale: float, inclusive: bool) -> torch.Tensor:
        ctx.save_for_backward(x)
        ctx.scale = scale
        return (x >= 0 if inclusive else x > 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (x,) = ctx.saved_tensors
        return grad * ctx.scale / (1.0 + ctx.scale * x.abs()) ** 2, None, None


def spike(x: torch.Tensor, scale: float = 5.0, inclusive: bool = False) -> torch.Tensor:
    """Heaviside step of ``x`` (``x > 0``, or ``x >= 0`` if ``inclusive``) with a fast-sigmoid surrogate gradient."""
    return _Spike.apply(x, scale, inclusive)


def ste_trunc(x: torch.Tensor) -> torch.Tensor:
    """``trunc(x)`` forward, identity backward."""
    return x + (torch.trunc(x) - x).detach()


def ste_round(x: torch.Tensor) -> torch.Tensor:
    """``round(x)`` forward, identity backward."""
    return x + (torch.round(x) - x).detach()


def _check_decay(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be within 0..1 (a fraction of the state lost per step), got {value}")
    return value


class CubaLIF(nn.Module):
    """Current-based LIF with Loihi's dynamics (see the module docstring).

    threshold:
        Spiking threshold (float units; ``fixed_pt``: ``vth = round(64 threshold)``).
    current_decay, voltage_decay:
        Fractions of u and v lost per step (caldera ``du``, ``dv``; ``fixed_pt``:
        ``iDecay = round(4096 current_decay)`` (1..4096, Lava's ``du = iDecay - 1``),
        ``vDecay = round(4096 voltage_decay)`` (0..4095)).
    shape:
        Neuron shape without batch and time, needed for a learnable ``bias`` (added
        to v every step, like caldera LIF's ``bias_mant``).
    refractory:
        Steps after a spike during which v is held (caldera ``LIFRefractory``; float only).
    quantize:
        Compute Lava's fixed-point arithmetic (what ``fixed_pt`` runs).
    learn_decay:
        Make the decays trainable (clamped to 0..1).
    """

    def __init__(
        self,
        threshold: float = 1.0,
        current_decay: float = 0.25,
        voltage_decay: float = 0.03,
        *,
        shape: ty.Sequence[int] | None = None,
        bias: bool = False,
        refractory: int = 0,
        quantize: bool = False,
        learn_decay: bool = False,
        scale_grad: float = 5.0,
    ) -> None:
        super().__init__()
        if not threshold > 0:
            raise ValueError(f"threshold must be > 0, got {threshold}")
        if int(refractory) < 0:
            raise ValueError(f"refractory must be >= 0 steps, got {refractory}")
        if refractory and quantize:
            raise ValueError("refractory periods have no fixed_pt model (Lava's LIFRefractory is float only)")
        self.threshold = float(threshold)
        cd = torch.tensor(_check_decay("current_decay", current_decay))
        vd = torch.tensor(_check_decay("voltage_decay", voltage_decay))
        if learn_decay:
            self.current_decay = nn.Parameter(cd)
            self.voltage_decay = nn.Parameter(vd)
        else:
            self.register_buffer("current_decay", cd)
            self.register_buffer("voltage_decay", vd)
        self.shape = tuple(int(s) for s in shape) if shape is not None else None
        if bias:
            if self.shape is None:
                raise ValueError("a learnable bias needs the neuron shape (shape=...)")
            self.bias = nn.Parameter(torch.zeros(self.shape))
        else:
            self.bias = None
        self.refractory = int(refractory)
        self.quantize = bool(quantize)
        self.scale_grad = float(scale_grad)

    # -- the parameters as deployed -----------------------------------------------------------------------
    def decays(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(current, voltage) decay as used in the forward pass (quantized to 12 bits in fixed mode)."""
        cd = self.current_decay.clamp(0.0, 1.0)
        vd = self.voltage_decay.clamp(0.0, 1.0)
        if self.quantize:
            cd = ste_round(cd * DECAY_UNITY).clamp(1, DECAY_UNITY) / DECAY_UNITY
            vd = ste_round(vd * DECAY_UNITY).clamp(0, DECAY_UNITY - 1) / DECAY_UNITY
        return cd, vd

    def device_params(self) -> dict:
        """Loihi's integers: ``iDecay``, ``vDecay``, ``vThMant`` (and per-neuron ``bias`` mantissas, x64)."""
        cd, vd = self.decays()
        out = {
            "iDecay": int(round(float(cd) * DECAY_UNITY)),
            "vDecay": int(round(float(vd) * DECAY_UNITY)),
            "vThMant": int(round(self.threshold * 64)),
        }
        out["iDecay"] = min(max(out["iDecay"], 1), DECAY_UNITY)
        out["vDecay"] = min(out["vDecay"], DECAY_UNITY - 1)
        return out

    def quantized_bias(self) -> torch.Tensor | None:
        if self.bias is None:
            return None
        return ste_round(self.bias * 64).clamp(-4096, 4095) / 64

    # -- dynamics -----------------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor, return_state: bool = False):
        """Spikes for input currents ``x`` of shape ``(batch, *shape, time)`` (same shape out)."""
        if self.quantize:
            return self._forward_fixed(x, return_state)
        cd, vd = self.decays()
        ku, kv = 1 - cd, 1 - vd
        th = self.threshold
        bias = None if self.bias is None else self.bias.to(x.dtype)
        u = torch.zeros_like(x[..., 0])
        v = torch.zeros_like(u)
        ref = torch.zeros_like(u) if self.refractory else None
        spikes, us, vs = [], [], []
        scale = self.scale_grad / th
        for t in range(x.shape[-1]):
            u = u * ku + x[..., t]
            if ref is None:
                v = v * kv + u if bias is None else v * kv + u + bias
            else:
                active = (ref <= 0).to(x.dtype)
                vn = v * kv + u if bias is None else v * kv + u + bias
                v = active * vn + (1 - active) * v
            s = spike(v - th, scale)
            v = v * (1 - s.detach())
            if ref is not None:
                ref = torch.where(s > 0, torch.full_like(ref, self.refractory), ref - 1)
            spikes.append(s)
            if return_state:
                us.append(u)
                vs.append(v)
        out = torch.stack(spikes, -1)
        if return_state:
            return out, torch.stack(us, -1), torch.stack(vs, -1)
        return out

    def _forward_fixed(self, x: torch.Tensor, return_state: bool):
        # integer units: state = 4096 x float state; an input of w/64 per spike adds w << 6
        cd, vd = self.decays()
        ku = 1 - cd  # (4096 - iDecay) / 4096, exact in binary
        kv = 1 - vd
        vth = float(round(self.threshold * 64)) * 64
        qb = self.quantized_bias()
        bias = None if qb is None else (qb * UNIT).to(x.dtype)
        xi = x * UNIT
        u = torch.zeros_like(x[..., 0])
        v = torch.zeros_like(u)
        spikes, us, vs = [], [], []
        scale = self.scale_grad / vth
        for t in range(x.shape[-1]):
            u = ste_trunc(u * ku) + xi[..., t]
            v = ste_trunc(v * kv) + u
            if bias is not None:
                v = v + bias
            v = v.clamp(-MAX_V, MAX_V)
            s = spike(v - vth, scale)
            v = v * (1 - s.detach())
            spikes.append(s)
            if return_state:
                us.append(u / UNIT)
                vs.append(v / UNIT)
        out = torch.stack(spikes, -1)
        if return_state:
            return out, torch.stack(us, -1), torch.stack(vs, -1)
        return out


class AdaptiveLIF(nn.Module):
    """LIF with an adaptive threshold and a refractory state (caldera ``ATRLIF``, Lava's ``atrlif``).

    Per step::

        i = (1 - current_decay) i + x
        v = (1 - voltage_decay) v + i + bias
        theta = (1 - threshold_decay) (theta - threshold) + threshold
        r = (1 - refractory_decay) r
        s = (v - r) >= theta;  where s: r += 2 theta, theta += threshold_step

    ``v`` is not reset: the refractory state ``r`` (twice the threshold at the
    spike, decaying) holds the neuron off instead. ``quantize=True`` computes
    Lava's ``fixed_pt`` integers (decays as 12-bit fractions truncated toward zero,
    ``+1`` on the current's decay, inputs, ``threshold`` and ``threshold_step``
    scaled by 64 on top of the weights' 64, 24-bit voltage saturation).
    """

    def __init__(
        self,
        threshold: float = 1.0,
        current_decay: float = 0.25,
        voltage_decay: float = 0.03,
        *,
        threshold_step: float = 0.5,
        threshold_decay: float = 0.05,
        refractory_decay: float = 0.5,
        shape: ty.Sequence[int] | None = None,
        bias: bool = False,
        quantize: bool = False,
        scale_grad: float = 5.0,
    ) -> None:
        super().__init__()
        if not threshold > 0:
            raise ValueError(f"threshold must be > 0, got {threshold}")
        if threshold_step < 0:
            raise ValueError(f"threshold_step must be >= 0, got {threshold_step}")
        self.threshold = float(threshold)
        self.threshold_step = float(threshold_step)
        self.current_decay = _check_decay("current_decay", current_decay)
        self.voltage_decay = _check_decay("voltage_decay", voltage_decay)
        self.threshold_decay = _check_decay("threshold_decay", threshold_decay)
        self.refractory_decay = _check_decay("refractory_decay", refractory_decay)
        self.shape = tuple(int(s) for s in shape) if shape is not None else None
        if bias:
            if self.shape is None:
                raise ValueError("a learnable bias needs the neuron shape (shape=...)")
            self.bias = nn.Parameter(torch.zeros(self.shape))
        else:
            self.bias = None
        self.quantize = bool(quantize)
        self.scale_grad = float(scale_grad)

    def decays(self) -> dict:
        """The four decays as used (in fixed mode on the 12-bit grid; the current's decay at least 1/4096)."""
        d = {
            "delta_i": self.current_decay,
            "delta_v": self.voltage_decay,
            "delta_theta": self.threshold_decay,
            "delta_r": self.refractory_decay,
        }
        if self.quantize:
            d = {k: round(v * DECAY_UNITY) / DECAY_UNITY for k, v in d.items()}
            d["delta_i"] = min(d["delta_i"], (DECAY_UNITY - 1) / DECAY_UNITY)
        return d

    def device_params(self) -> dict:
        """``ATRLIF`` parameters for ``fixed_pt``: decays on the 12-bit grid, ``theta_0``/``theta_step`` x64."""
        d = self.decays()
        th0, step = round(self.threshold * 64), round(self.threshold_step * 64)
        for name, val in (("threshold", th0), ("threshold_step", step)):
            if not 0 <= val < 4096:
                raise ValueError(f"{name} x64 = {val} does not fit ATRLIF's 12-bit fixed_pt field (0..4095)")
        return {**d, "theta_0": th0, "theta_step": step}

    def quantized_bias(self) -> torch.Tensor | None:
        if self.bias is None:
            return None
        return ste_round(self.bias * 64).clamp(-4096, 4095) / 64

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Spikes for input currents ``x`` of shape ``(batch, *shape, time)``."""
        d = self.decays()
        ki, kv = 1 - d["delta_i"], 1 - d["delta_v"]
        kt, kr = 1 - d["delta_theta"], 1 - d["delta_r"]
        if self.quantize:
            return self._forward_fixed(x, d)
        th0, step = self.threshold, self.threshold_step
        bias = None if self.bias is None else self.bias.to(x.dtype)
        i = torch.zeros_like(x[..., 0])
        v = torch.zeros_like(i)
        r = torch.zeros_like(i)
        theta = torch.full_like(i, th0)
        spikes = []
        scale = self.scale_grad / th0
        for t in range(x.shape[-1]):
            i = ki * i + x[..., t]
            v = kv * v + i if bias is None else kv * v + i + bias
            theta = kt * (theta - th0) + th0
            r = kr * r
            s = spike(v - r - theta, scale, inclusive=True)
            sd = s.detach()
            r = r + 2 * theta * sd
            theta = theta + step * sd
            spikes.append(s)
        return torch.stack(spikes, -1)

    def _forward_fixed(self, x: torch.Tensor, d: dict) -> torch.Tensor:
        # integer units: 4096 per float unit (weights x64, inputs x64 again in the neuron)
        p = self.device_params()
        th0, step = float(p["theta_0"] * 64), float(p["theta_step"] * 64)
        ki = float(DECAY_UNITY - (round(d["delta_i"] * DECAY_UNITY) + 1)) / DECAY_UNITY
        kv, kt, kr = (
            float(DECAY_UNITY - round(d[k] * DECAY_UNITY)) / DECAY_UNITY for k in ("delta_v", "delta_theta", "delta_r")
        )
        qb = self.quantized_bias()
        bias = None if qb is None else (qb * UNIT).to(x.dtype)
        xi = x * UNIT
        i = torch.zeros_like(x[..., 0])
        v = torch.zeros_like(i)
        r = torch.zeros_like(i)
        theta = torch.full_like(i, th0)
        spikes = []
        scale = self.scale_grad / th0
        for t in range(x.shape[-1]):
            i = ste_trunc(i * ki) + xi[..., t]
            v = ste_trunc(v * kv) + i
            if bias is not None:
                v = v + bias
            v = v.clamp(-MAX_V, MAX_V)
            theta = ste_trunc((theta - th0) * kt) + th0
            r = ste_trunc(r * kr)
            s = spike(v - r - theta, scale, inclusive=True)
            sd = s.detach()
            r = r + 2 * theta * sd
            theta = theta + step * sd
            spikes.append(s)
        return torch.stack(spikes, -1)


SD_STATE = float(2**18)  # fixed_pt sigma-delta state per float unit (weights x64, messages x4096)
SD_MESSAGE = 4096.0  # fixed_pt sigma-delta message per float unit (the state >> 6)


class SigmaDelta(nn.Module):
    """Sigma-delta ReLU units: ``sigma += x``; ``act = relu(sigma + bias)``; send ``act``'s change once ``|change| >= threshold``.

    The input ``x`` holds messages (changes); the output too. ``relu=False`` is
    the UNIT activation. Gradients pass through the delta encoder unchanged.

    ``quantize=True`` computes the integers of caldera's ``fixed_pt`` SigmaDelta as
    lava-dl's netx builds it (``spike_exp = state_exp = 6``): the state holds
    ``2**18`` per float unit (8-bit weights ``x64`` times messages ``x4096``),
    ``vth = round(64 threshold) << 12``, ``bias = round(64 bias) << 12``, and each
    message is the state's change ``>> 6`` (floor), the low bits dropped as on the
    chip (the residue keeps only what fell below the threshold).
    """

    def __init__(
        self,
        threshold: float = 0.1,
        *,
        shape: ty.Sequence[int] | None = None,
        bias: bool = False,
        relu: bool = True,
        quantize: bool = False,
    ) -> None:
        super().__init__()
        if threshold < 0:
            raise ValueError(f"threshold must be >= 0, got {threshold}")
        self.threshold = float(threshold)
        self.relu = bool(relu)
        self.shape = tuple(int(s) for s in shape) if shape is not None else None
        if bias:
            if self.shape is None:
                raise ValueError("a learnable bias needs the neuron shape (shape=...)")
            self.bias = nn.Parameter(torch.zeros(self.shape))
        else:
            self.bias = None
        self.quantize = bool(quantize)

    def device_params(self) -> dict:
        """``vThMant``: the threshold x64 (caldera ``SigmaDelta(vth=...)`` with ``spike_exp = state_exp = 6``)."""
        vth = int(round(self.threshold * 64))
        if vth >= 2**11:
            raise ValueError(f"threshold {self.threshold} x64 does not fit the fixed_pt 24-bit threshold (< 32)")
        return {"vThMant": vth}

    def quantized_bias(self) -> torch.Tensor | None:
        if self.bias is None:
            return None
        return ste_round(self.bias * 64).clamp(-2048, 2047) / 64

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.quantize:
            return self._forward_fixed(x)
        sigma = torch.cumsum(x, dim=-1)
        if self.bias is not None:
            sigma = sigma + self.bias.unsqueeze(-1)
        act = torch.relu(sigma) if self.relu else sigma
        if self.threshold == 0:
            return torch.diff(act, dim=-1, prepend=torch.zeros_like(act[..., :1]))
        # delta encoding with a residue, step by step (exactly caldera's SigmaDelta); the gradient is act's change
        prev = torch.zeros_like(act[..., 0])
        residue = torch.zeros_like(prev)
        out = []
        a = act.detach()
        for t in range(act.shape[-1]):
            delta = a[..., t] - prev + residue
            s = torch.where(delta.abs() >= self.threshold, delta, torch.zeros_like(delta))
            residue = delta - s
            prev = a[..., t]
            out.append(s)
        msgs = torch.stack(out, -1)
        smooth = torch.diff(act, dim=-1, prepend=torch.zeros_like(act[..., :1]))
        return smooth + (msgs - smooth).detach()

    def _forward_fixed(self, x: torch.Tensor) -> torch.Tensor:
        sigma = torch.cumsum(ste_round(x * SD_STATE), dim=-1)
        qb = self.quantized_bias()
        if qb is not None:
            sigma = sigma + (qb * SD_STATE).to(x.dtype).unsqueeze(-1)
        act = torch.relu(sigma) if self.relu else sigma
        vth = float(self.device_params()["vThMant"]) * SD_MESSAGE
        prev = torch.zeros_like(act[..., 0])
        residue = torch.zeros_like(prev)
        out = []
        a = act.detach()
        for t in range(act.shape[-1]):
            delta = a[..., t] - prev + residue
            s = torch.where(delta.abs() >= vth, delta, torch.zeros_like(delta))
            residue = delta - s
            prev = a[..., t]
            out.append(torch.floor(s / 64))
        msgs = torch.stack(out, -1) / SD_MESSAGE
        smooth = torch.diff(act, dim=-1, prepend=torch.zeros_like(act[..., :1])) / SD_STATE
        return smooth + (msgs - smooth).detach()


def rf_decays(period: float, decay: float, bits: int = 12) -> tuple[float, float]:
    """(cos, sin) decays of a resonator as caldera's ``RF`` computes them (``fixed_pt``: ``x 2**bits``, truncated)."""
    import numpy as np

    cos_d = (1 - decay) * np.cos(np.pi * 2 * 1 / period)
    sin_d = (1 - decay) * np.sin(np.pi * 2 * 1 / period)
    if bits:
        return float(np.int32(cos_d * (1 << bits))), float(np.int32(sin_d * (1 << bits)))
    return float(cos_d), float(sin_d)


class Resonator(nn.Module):
    """Resonate-and-fire neurons (caldera ``RF``, ``alpha = decay``): a damped rotation of (real, imag).

    ``real, imag = (1 - decay) R(2 pi / period) (real, imag) + (x, 0)``; a spike when
    ``real >= threshold`` and ``imag`` crosses from negative to non-negative (the
    phase passes zero). ``quantize=True`` computes caldera's ``fixed_pt`` RF with
    ``state_exp = 6``, ``decay_bits = 12`` (as lava-dl's netx builds it): the state
    holds 4096 per float unit, the decays are 12-bit integers and each product is
    truncated toward zero, the state clipped to 24 bits; ``vth = round(64 threshold)``.
    """

    def __init__(
        self,
        threshold: float = 1.0,
        period: float = 10.0,
        decay: float = 0.1,
        *,
        scale_grad: float = 5.0,
        quantize: bool = False,
    ) -> None:
        super().__init__()
        if not period > 0:
            raise ValueError(f"period must be > 0, got {period}")
        self.threshold = float(threshold)
        self.period = float(period)
        self.decay = _check_decay("decay", decay)
        self.scale_grad = float(scale_grad)
        self.quantize = bool(quantize)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.quantize:
            return self._forward_fixed(x)
        c, s_ = rf_decays(self.period, self.decay, 0)
        re = torch.zeros_like(x[..., 0])
        im = torch.zeros_like(re)
        out = []
        scale = self.scale_grad / self.threshold
        for t in range(x.shape[-1]):
            re_new = c * re - s_ * im + x[..., t]
            im_new = s_ * re + c * im
            crossing = ((im < 0) & (im_new >= 0)).to(x.dtype)
            s = spike(re_new - self.threshold, scale, inclusive=True) * crossing
            re, im = re_new, im_new
            out.append(s)
        return torch.stack(out, -1)

    def _forward_fixed(self, x: torch.Tensor) -> torch.Tensor:
        c, s_ = rf_decays(self.period, self.decay, 12)
        vth = float(round(self.threshold * 64) * 64)
        xi = x * UNIT
        re = torch.zeros_like(x[..., 0])
        im = torch.zeros_like(re)
        out = []
        scale = self.scale_grad / max(vth, 1.0)
        for t in range(x.shape[-1]):
            re_new = (ste_trunc(c * re / DECAY_UNITY) - ste_trunc(s_ * im / DECAY_UNITY) + xi[..., t]).clamp(
                -MAX_V, MAX_V
            )
            im_new = (ste_trunc(s_ * re / DECAY_UNITY) + ste_trunc(c * im / DECAY_UNITY)).clamp(-MAX_V, MAX_V)
            crossing = ((im < 0) & (im_new >= 0)).to(x.dtype)
            s = spike(re_new - vth, scale, inclusive=True) * crossing
            re, im = re_new, im_new
            out.append(s)
        return torch.stack(out, -1)


__all__ = ["CubaLIF", "AdaptiveLIF", "SigmaDelta", "Resonator", "spike", "ste_trunc", "ste_round"]
