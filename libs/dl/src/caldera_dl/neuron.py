"""Spiking neurons for training with PyTorch (surrogate gradients), on lava-dl's ``(batch, features..., time)`` layout.

Each neuron's step is the arithmetic of the caldera process it deploys to, so a
trained network runs on caldera with the same numbers:

- :class:`CubaLIF` — Loihi's current-based LIF (caldera ``LIF``): ``u = u (1 - du) + x``,
  ``v = v (1 - dv) + u + bias``, spike when ``v > threshold``, ``v`` reset to 0; optional
  refractory period (``LIFRefractory``). With ``quantize=True`` it computes Lava's
  ``fixed_pt`` integers exactly (12-bit decays truncated toward zero, inputs and
  threshold shifted by 6, 24-bit voltage saturation), so the ``fixed_pt`` deployment
  reproduces it bit for bit (in float64; training in float32 uses the same rules).
- :class:`AdaptiveLIF` — LIF whose threshold rises by ``threshold_step`` at each spike
  and relaxes with ``threshold_decay`` (training only: no caldera process yet).
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

import math
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


class AdaptiveLIF(CubaLIF):
    """CUBA LIF with an adaptive threshold: ``th += threshold_step`` per spike, relaxing by ``threshold_decay``."""

    def __init__(
        self,
        threshold: float = 1.0,
        current_decay: float = 0.25,
        voltage_decay: float = 0.03,
        *,
        threshold_step: float = 0.5,
        threshold_decay: float = 0.05,
        **kw: ty.Any,
    ) -> None:
        if kw.get("quantize"):
            raise ValueError("AdaptiveLIF has no fixed_pt model; train it with quantize=False")
        super().__init__(threshold, current_decay, voltage_decay, **kw)
        self.threshold_step = float(threshold_step)
        self.threshold_decay = _check_decay("threshold_decay", threshold_decay)

    def forward(self, x: torch.Tensor, return_state: bool = False):
        cd, vd = self.decays()
        ku, kv = 1 - cd, 1 - vd
        u = torch.zeros_like(x[..., 0])
        v = torch.zeros_like(u)
        extra = torch.zeros_like(u)
        bias = self.bias
        spikes = []
        scale = self.scale_grad / self.threshold
        for t in range(x.shape[-1]):
            u = u * ku + x[..., t]
            v = v * kv + u if bias is None else v * kv + u + bias
            th = self.threshold + extra
            s = spike(v - th, scale)
            v = v * (1 - s.detach())
            extra = extra * (1 - self.threshold_decay) + self.threshold_step * s.detach()
            spikes.append(s)
        return torch.stack(spikes, -1)


class SigmaDelta(nn.Module):
    """Sigma-delta ReLU units: ``sigma += x``; ``act = relu(sigma + bias)``; send ``act``'s change once ``|change| >= threshold``.

    The input ``x`` holds messages (changes); the output too. ``relu=False`` is
    the UNIT activation. Gradients pass through the delta encoder unchanged.
    """

    def __init__(
        self, threshold: float = 0.1, *, shape: ty.Sequence[int] | None = None, bias: bool = False, relu: bool = True
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
        self.quantize = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
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


class Resonator(nn.Module):
    """Resonate-and-fire neurons (caldera ``RF``, ``alpha = decay``): a damped rotation of (real, imag).

    ``real, imag = (1 - decay) R(2 pi / period) (real, imag) + (x, 0)``; a spike when
    ``real >= threshold`` and ``imag`` crosses from negative to non-negative (the
    phase passes zero).
    """

    def __init__(
        self, threshold: float = 1.0, period: float = 10.0, decay: float = 0.1, *, scale_grad: float = 5.0
    ) -> None:
        super().__init__()
        if not period > 0:
            raise ValueError(f"period must be > 0, got {period}")
        self.threshold = float(threshold)
        self.period = float(period)
        self.decay = _check_decay("decay", decay)
        self.scale_grad = float(scale_grad)
        self.quantize = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = (1 - self.decay) * math.cos(2 * math.pi / self.period)
        s_ = (1 - self.decay) * math.sin(2 * math.pi / self.period)
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


__all__ = ["CubaLIF", "AdaptiveLIF", "SigmaDelta", "Resonator", "spike", "ste_trunc", "ste_round"]
