"""Blocks: a synapse paired with a neuron, on lava-dl's ``(batch, features..., time)`` layout, and the network.

- :class:`Dense` — ``Linear`` over features (optionally learnable axonal delays per
  output neuron, deployed as ``DelayDense``), then a neuron.
- :class:`Conv` — 2-D convolution over ``(batch, C, H, W, time)`` (deployed as caldera ``Conv``
  in its (X, Y, C) = (W, H, C) layout).
- :class:`Pool` — sum pooling of each channel with one weight (a grouped ``Conv``), then a neuron.
- :class:`Flatten` — ``(batch, C, H, W, time)`` to ``(batch, C*H*W, time)``.
- :class:`RecurrentDense` — input and recurrent weights: ``x[t] = W in[t] + R s[t-1]``.

``quantize=True`` on a block stores its weights as Loihi does (8-bit, even
values in mixed sign mode, ``weight_exp`` 0: multiples of 1/32 up to ±4 in
float units, integers ``w * 64`` on the chip) and makes its neuron compute in
fixed point, so what is trained is what ``fixed_pt`` runs.

:class:`Network` chains blocks; ``to_processes`` (``caldera_dl.deploy``) turns it
into caldera processes.
"""

from __future__ import annotations

import typing as ty

import torch
from torch import nn

from caldera_dl.neuron import SD_MESSAGE, AdaptiveLIF, CubaLIF, Resonator, SigmaDelta, ste_round

MAX_DELAY = 62


def quantize_weight(w: torch.Tensor) -> torch.Tensor:
    """Loihi's 8-bit weight grid at ``weight_exp`` 0: ``clamp(2 round(32 w), -256, 254) / 64`` (straight-through)."""
    return (2 * ste_round(w * 32)).clamp(-256, 254) / 64


def _neuron(neuron: ty.Any, shape: tuple[int, ...], quantize: bool, bias: bool) -> nn.Module:
    if isinstance(neuron, nn.Module):
        if quantize and not getattr(neuron, "quantize", False):
            raise ValueError(f"quantize=True needs a neuron built with quantize=True, got {neuron!r}")
        return neuron
    params = dict(neuron or {})
    kind = params.pop("type", "cuba")
    if kind == "cuba":
        return CubaLIF(shape=shape, bias=bias, quantize=quantize, **params)
    if kind == "sdnn":
        return SigmaDelta(shape=shape, bias=bias, quantize=quantize, **params)
    if kind == "alif":
        return AdaptiveLIF(shape=shape, bias=bias, quantize=quantize, **params)
    if kind == "rf":
        if bias:
            raise ValueError("resonate-and-fire neurons take no bias")
        return Resonator(quantize=quantize, **params)
    raise ValueError(f"neuron type must be 'cuba', 'alif', 'sdnn' or 'rf' (or a neuron module), got {kind!r}")


def _shift(x: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    T = x.shape[-1]
    idx = torch.arange(T, device=x.device) - k.unsqueeze(-1)
    valid = (idx >= 0).to(x.dtype)
    return torch.gather(x, -1, idx.clamp(min=0).expand_as(x)) * valid


def _shift_back(g: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    T = g.shape[-1]
    idx = torch.arange(T, device=g.device) + k.unsqueeze(-1)
    valid = (idx < T).to(g.dtype)
    return torch.gather(g, -1, idx.clamp(max=T - 1).expand_as(g)) * valid


class _IntDelay(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
        k = d.detach().round().clamp(0, MAX_DELAY).long()
        out = _shift(x, k)
        ctx.save_for_backward(out, k)
        return out

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        out, k = ctx.saved_tensors
        gx = _shift_back(grad, k)
        dout = torch.diff(out, dim=-1, prepend=torch.zeros_like(out[..., :1]))
        gd = -(grad * dout)
        gd = gd.sum(-1)
        while gd.dim() > k.dim():
            gd = gd.sum(0)
        return gx, gd


class Delay(nn.Module):
    """Learnable integer delays (0..62 steps), one per neuron of ``shape``: ``y[t] = x[t - d]``."""

    def __init__(self, shape: ty.Sequence[int], init: float = 0.0, max_delay: int = MAX_DELAY) -> None:
        super().__init__()
        self.max_delay = int(max_delay)
        self.delay = nn.Parameter(torch.full(tuple(shape), float(init)))

    def steps(self) -> torch.Tensor:
        return self.delay.detach().round().clamp(0, self.max_delay).long()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.delay.data.clamp_(0, self.max_delay)
        return _IntDelay.apply(x, self.delay)


class Dense(nn.Module):
    """Fully connected synapse then neuron: ``(batch, in, time) -> (batch, out, time)``."""

    kind = "dense"

    def __init__(
        self,
        in_features: int,
        out_features: int,
        neuron: ty.Any = None,
        *,
        bias: bool = False,
        delay: bool = False,
        quantize: bool = False,
        weight_scale: float = 1.0,
    ) -> None:
        super().__init__()
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.synapse = nn.Linear(self.in_features, self.out_features, bias=False)
        if weight_scale != 1.0:
            with torch.no_grad():
                self.synapse.weight.mul_(weight_scale)
        self.quantize = bool(quantize)
        self.neuron = _neuron(neuron, (self.out_features,), self.quantize, bias)
        self.delay = Delay((self.out_features,)) if delay else None

    def weight(self) -> torch.Tensor:
        w = self.synapse.weight
        return quantize_weight(w) if self.quantize else w

    def current(self, x: torch.Tensor) -> torch.Tensor:
        z = torch.einsum("oi,bit->bot", self.weight().to(x.dtype), x)
        return self.delay(z) if self.delay is not None else z

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.neuron(self.current(x))


class RecurrentDense(Dense):
    """Dense block with recurrent weights: the neuron's input is ``W x[t] + R s[t-1]``."""

    kind = "dense_rec"

    def __init__(self, in_features: int, out_features: int, neuron: ty.Any = None, **kw: ty.Any) -> None:
        if kw.get("delay"):
            raise ValueError("RecurrentDense does not take axonal delays")
        super().__init__(in_features, out_features, neuron, **kw)
        self.recurrent = nn.Linear(self.out_features, self.out_features, bias=False)
        with torch.no_grad():
            self.recurrent.weight.mul_(0.5)

    def rec_weight(self) -> torch.Tensor:
        w = self.recurrent.weight
        return quantize_weight(w) if self.quantize else w

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = torch.einsum("oi,bit->bot", self.weight().to(x.dtype), x)
        r = self.rec_weight().to(x.dtype)
        # step the neuron one step at a time, feeding back the previous step's spikes
        n = self.neuron
        s_prev = torch.zeros_like(z[..., 0])
        outs = []
        state = None
        for t in range(z.shape[-1]):
            zt = z[..., t] + s_prev @ r.T
            s_prev, state = _step(n, zt, state)
            outs.append(s_prev)
        return torch.stack(outs, -1)


def _step(neuron: CubaLIF, x: torch.Tensor, state: ty.Any):
    """One step of a CubaLIF (for recurrent blocks): the neuron's arithmetic on one time slice."""
    from caldera_dl.neuron import MAX_V, UNIT, spike, ste_trunc

    if not isinstance(neuron, CubaLIF) or type(neuron) is not CubaLIF or neuron.refractory:
        raise ValueError("RecurrentDense takes a CubaLIF neuron without refractory period")
    cd, vd = neuron.decays()
    if state is None:
        state = (torch.zeros_like(x), torch.zeros_like(x))
    u, v = state
    if neuron.quantize:
        vth = float(round(neuron.threshold * 64)) * 64
        qb = neuron.quantized_bias()
        u = ste_trunc(u * (1 - cd)) + x * UNIT
        v = ste_trunc(v * (1 - vd)) + u + (0 if qb is None else qb * UNIT)
        v = v.clamp(-MAX_V, MAX_V)
        s = spike(v - vth, neuron.scale_grad / vth)
    else:
        u = u * (1 - cd) + x
        v = v * (1 - vd) + u + (0 if neuron.bias is None else neuron.bias)
        s = spike(v - neuron.threshold, neuron.scale_grad / neuron.threshold)
    v = v * (1 - s.detach())
    return s, (u, v)


def _pair(v: ty.Any) -> tuple[int, int]:
    if isinstance(v, int):
        return v, v
    v = tuple(int(x) for x in v)
    if len(v) != 2:
        raise ValueError(f"expected an int or a pair of ints, got {v!r}")
    return v


class Conv(nn.Module):
    """2-D convolution then neuron: ``(batch, C_in, H, W, time) -> (batch, C_out, H', W', time)``."""

    kind = "conv"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: ty.Any,
        neuron: ty.Any = None,
        *,
        stride: ty.Any = 1,
        padding: ty.Any = 0,
        dilation: ty.Any = 1,
        groups: int = 1,
        bias: bool = False,
        quantize: bool = False,
        input_hw: tuple[int, int] | None = None,
        weight_scale: float = 1.0,
    ) -> None:
        super().__init__()
        self.synapse = nn.Conv2d(
            in_channels,
            out_channels,
            _pair(kernel_size),
            stride=_pair(stride),
            padding=_pair(padding),
            dilation=_pair(dilation),
            groups=groups,
            bias=False,
        )
        if weight_scale != 1.0:
            with torch.no_grad():
                self.synapse.weight.mul_(weight_scale)
        self.quantize = bool(quantize)
        if input_hw is None and bias:
            raise ValueError("a conv block with bias needs input_hw=(H, W) to know its neuron shape")
        self.input_hw = tuple(input_hw) if input_hw is not None else None
        shape = (out_channels, *self.output_hw()) if self.input_hw else None
        self.neuron = (
            _neuron(neuron, shape, self.quantize, False) if not bias else _neuron(neuron, shape, self.quantize, True)
        )

    def output_hw(self, hw: tuple[int, int] | None = None) -> tuple[int, int]:
        h, w = hw or self.input_hw
        c = self.synapse
        out = []
        for n, k, s, p, d in zip((h, w), c.kernel_size, c.stride, c.padding, c.dilation):
            out.append((n + 2 * p - d * (k - 1) - 1) // s + 1)
        return out[0], out[1]

    def weight(self) -> torch.Tensor:
        w = self.synapse.weight
        return quantize_weight(w) if self.quantize else w

    def current(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w, t = x.shape
        xf = x.permute(0, 4, 1, 2, 3).reshape(b * t, c, h, w)
        c_ = self.synapse
        z = torch.nn.functional.conv2d(
            xf, self.weight().to(x.dtype), None, c_.stride, c_.padding, c_.dilation, c_.groups
        )
        return z.reshape(b, t, *z.shape[1:]).permute(0, 2, 3, 4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.neuron(self.current(x))


class Pool(nn.Module):
    """Sum pooling of each channel with one weight ``weight`` (deployed as a grouped Conv), then a neuron."""

    kind = "pool"

    def __init__(
        self,
        kernel_size: ty.Any,
        neuron: ty.Any = None,
        *,
        stride: ty.Any = None,
        weight: float = 1.0,
        quantize: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride) if stride is not None else self.kernel_size
        self.pool_weight = float(weight)
        self.quantize = bool(quantize)
        self.neuron = _neuron(neuron, None, self.quantize, False)

    def weight_value(self) -> float:
        if self.quantize:
            return float(quantize_weight(torch.tensor(self.pool_weight)))
        return self.pool_weight

    def current(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w, t = x.shape
        xf = x.permute(0, 4, 1, 2, 3).reshape(b * t, c, h, w)
        z = torch.nn.functional.avg_pool2d(xf, self.kernel_size, self.stride) * (
            self.kernel_size[0] * self.kernel_size[1] * self.weight_value()
        )
        return z.reshape(b, t, *z.shape[1:]).permute(0, 2, 3, 4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.neuron(self.current(x))


class Flatten(nn.Module):
    """``(batch, C, H, W, time) -> (batch, C*H*W, time)`` (C-order, as lava-dl)."""

    kind = "flatten"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], -1, x.shape[-1])


class Network(nn.Module):
    """Blocks applied in order. ``input_shape`` (without batch and time) lets deployment size every layer."""

    def __init__(self, *blocks: nn.Module, input_shape: ty.Sequence[int] | None = None) -> None:
        super().__init__()
        if len(blocks) == 1 and isinstance(blocks[0], (list, tuple)):
            blocks = tuple(blocks[0])
        for i, b in enumerate(blocks):
            if not hasattr(b, "kind"):
                raise TypeError(f"block {i} is a {type(b).__name__}; expected a caldera_dl.block block")
        self.blocks = nn.ModuleList(blocks)
        self.input_shape = tuple(int(s) for s in input_shape) if input_shape is not None else None

    def preroll(self) -> int:
        """Zero-input steps run before the input: one per block when sigma-delta neurons are present.

        On caldera, block k runs k steps before the input reaches it; a sigma-delta
        unit with a bias sends ``relu(bias)`` then, and every later layer integrates
        it. Running the same zero-input steps first (and dropping their outputs)
        gives the torch pass exactly the deployed network's messages.
        """
        if any(isinstance(getattr(b, "neuron", None), SigmaDelta) for b in self.blocks):
            return sum(1 for b in self.blocks if not isinstance(b, Flatten))
        return 0

    def forward(self, x: torch.Tensor, return_all: bool = False):
        first = next((b for b in self.blocks if not isinstance(b, Flatten)), None)
        nrn = getattr(first, "neuron", None)
        if isinstance(nrn, SigmaDelta) and nrn.quantize:
            # fixed_pt messages into the first layer are integers: 4096 per float unit
            x = ste_round(x * SD_MESSAGE) / SD_MESSAGE
        pad = self.preroll()
        if pad:
            x = torch.cat([torch.zeros(*x.shape[:-1], pad, dtype=x.dtype, device=x.device), x], -1)
        outs = []
        for b in self.blocks:
            x = b(x)
            outs.append(x[..., pad:] if pad else x)
        return outs if return_all else outs[-1]

    def netx_layers(self) -> list[dict]:
        from caldera_dl.deploy import netx_layers

        return netx_layers(self)


def quantized(model: nn.Module) -> nn.Module:
    """A copy of ``model`` whose blocks store Loihi's 8-bit weights and whose neurons compute in fixed point.

    Use it to deploy a float-trained network in ``fixed_pt`` (optionally after a
    few epochs of quantization-aware fine-tuning of the copy).
    """
    import copy

    q = copy.deepcopy(model)
    for m in q.modules():
        if isinstance(m, (Dense, Conv, Pool)):
            m.quantize = True
        if isinstance(m, CubaLIF):
            if m.refractory or type(m) is not CubaLIF:
                raise ValueError(f"quantized: {type(m).__name__} neurons have no fixed-point form")
            m.quantize = True
        if isinstance(m, (SigmaDelta, Resonator, AdaptiveLIF)):
            m.quantize = True
    return q


__all__ = ["quantized", "Dense", "RecurrentDense", "Conv", "Pool", "Flatten", "Network", "Delay", "quantize_weight"]
