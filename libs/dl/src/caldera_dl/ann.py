"""ANN → SNN: convert a trained torch model of Linear/Conv2d/ReLU/AvgPool2d/Flatten layers into a spiking network.

Two codings:

- ``mode="sdnn"`` (sigma-delta): every Linear/Conv becomes a block of sigma-delta
  units with the layer's bias and its ReLU (or the identity for the last layer);
  the input is sent once as a message. With ``threshold=0`` the accumulated
  output equals the ANN's output after one step per layer; a threshold > 0 sends
  fewer messages at a small error. Read the output with :meth:`Converted.readout`.
- ``mode="rate"``: ReLUs become integrate-and-fire neurons (CUBA LIF with no current
  memory and no leak, threshold 1, reset to 0); weights and biases are normalized
  layer by layer with the ``percentile`` of the ANN's activations on calibration
  data (Diehl et al. 2015) times a ``headroom`` (lower rates: less overshoot lost at
  each reset to zero), the output layer by its largest activation (no class saturates);
  an AvgPool2d before a Linear is folded into its weights; the input is rate-coded;
  the output layer integrates its input without firing and its last voltage is the
  score (:meth:`Converted.output`; deployed: ``deploy.run(..., probe_v=True)``).

:func:`convert` returns a :class:`Converted` (the ``caldera_dl.block.Network`` in
``.snn``, deployable with ``to_processes``), and :func:`report` measures the ANN's,
the SNN's and (optionally) the deployed caldera network's accuracy.
"""

from __future__ import annotations

import typing as ty
from dataclasses import dataclass, field

import numpy as np
import torch
from caldera.errors import ParameterError
from torch import nn

from caldera_dl import block as B
from caldera_dl.neuron import CubaLIF, SigmaDelta

OUTPUT_VTH = 2.0**60  # the rate-coded output layer's threshold: it integrates and never fires


@dataclass
class Converted:
    """A converted network: ``snn`` (blocks), its ``mode``, ``num_steps`` and how to read its output."""

    snn: B.Network
    mode: str
    num_steps: int
    baseline: torch.Tensor | None = None  # sdnn: the output for a zero input (what the pre-roll already sent)
    scales: list[float] = field(default_factory=list)  # rate: the activation scale of each layer
    integrate_output: bool = False  # rate: the output layer integrates (never fires); its last v is the score

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Inputs ``(batch, features...)`` as the SNN's input ``(batch, features..., num_steps)``."""
        if self.mode == "sdnn":
            out = torch.zeros(*x.shape, self.num_steps, dtype=x.dtype)
            out[..., 0] = x
            return out
        from caldera_dl.data import rate_encode

        if float(x.min()) < 0 or float(x.max()) > 1:
            raise ParameterError("rate coding needs inputs in 0..1; scale the data (and the first layer) first")
        return rate_encode(x, self.num_steps).to(x.dtype)

    def readout(self, out: ty.Any) -> torch.Tensor:
        """The ANN-like output from the SNN's output ``(batch, classes, time)``: accumulated messages, spike counts
        or (``integrate_output``) the output layer's last voltage (pass :meth:`output` or a deployed ``output_v``)."""
        out = torch.as_tensor(np.asarray(out)) if not isinstance(out, torch.Tensor) else out
        if self.integrate_output:
            return out[..., -1]
        total = out.sum(-1)
        if self.mode == "sdnn" and self.baseline is not None:
            total = total + self.baseline.to(total.dtype)
        return total

    @torch.no_grad()
    def output(self, inp: torch.Tensor, return_all: bool = False) -> ty.Any:
        """The SNN's output for encoded input: spikes / messages, or the integrating output layer's voltage."""
        outs = self.snn(inp, return_all=True)
        if self.integrate_output:
            last = self.snn.blocks[-1]
            _, _, v = last.neuron(last.current(outs[-2]), return_state=True)
            outs[-1] = v
        return outs if return_all else outs[-1]

    @torch.no_grad()
    def predict(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(self.output(self.encode(x))).argmax(1)


def _layers(ann: nn.Module) -> list[nn.Module]:
    mods = list(ann.children()) if isinstance(ann, nn.Sequential) else [ann]
    flat: list[nn.Module] = []
    for m in mods:
        flat += _layers(m) if isinstance(m, nn.Sequential) else [m]
    return flat


def _plan(ann: nn.Module) -> list[tuple[nn.Module, bool]]:
    """(layer, followed by ReLU) pairs; refuses anything else, listing every unsupported layer."""
    layers = _layers(ann)
    bad = [
        f"{i}: {type(m).__name__}"
        for i, m in enumerate(layers)
        if not isinstance(m, (nn.Linear, nn.Conv2d, nn.ReLU, nn.AvgPool2d, nn.Flatten, nn.Dropout, nn.Identity))
    ]
    if bad:
        raise ParameterError(
            f"convert: unsupported layers ({'; '.join(bad)}); supported: Linear, Conv2d, ReLU, AvgPool2d, Flatten"
        )
    plan: list[tuple[nn.Module, bool]] = []
    for i, m in enumerate(layers):
        if isinstance(m, (nn.Dropout, nn.Identity)):
            continue
        if isinstance(m, nn.ReLU):
            if not plan or plan[-1][1] or isinstance(plan[-1][0], nn.Flatten):
                raise ParameterError(f"convert: layer {i} (ReLU) must follow a Linear, Conv2d or AvgPool2d layer")
            plan[-1] = (plan[-1][0], True)
        else:
            plan.append((m, False))
    if not any(isinstance(m, (nn.Linear, nn.Conv2d)) for m, _ in plan):
        raise ParameterError("convert: the model has no Linear or Conv2d layer")
    return plan


@torch.no_grad()
def _merge_pools(plan: list, input_shape: tuple[int, ...]) -> list:
    """Rate coding: an AvgPool2d followed (through a Flatten) by a Linear becomes part of that Linear's weights.

    Both are linear, so the ANN computes the same; the SNN saves a spiking layer and the rate error it would add.
    """
    out: list = []
    h = torch.zeros(1, *input_shape)
    i = 0
    while i < len(plan):
        m, relu = plan[i]
        nxt = plan[i + 1 : i + 3]
        if (
            isinstance(m, nn.AvgPool2d)
            and not relu
            and len(nxt) == 2
            and isinstance(nxt[0][0], nn.Flatten)
            and isinstance(nxt[1][0], nn.Linear)
        ):
            n_pre = int(np.prod(h.shape[1:]))
            basis = torch.eye(n_pre).reshape(n_pre, *h.shape[1:])
            pool = m(basis).reshape(n_pre, -1).T  # (pooled, pre-pool) in torch's flatten order
            lin = nxt[1][0]
            merged = nn.Linear(n_pre, lin.out_features, bias=lin.bias is not None)
            merged.weight.copy_(lin.weight @ pool)
            if lin.bias is not None:
                merged.bias.copy_(lin.bias)
            out += [(nxt[0][0], False), (merged, nxt[1][1])]
            h = merged(h.reshape(1, -1))
            i += 3
            continue
        out.append((m, relu))
        h = m(h)
        i += 1
    return out


@torch.no_grad()
def _activations(plan: list, x: torch.Tensor, percentile: float) -> list[float]:
    scales = []
    h = x
    for m, relu in plan:
        h = m(h)
        if relu:
            h = torch.relu(h)
        if isinstance(m, nn.Flatten):
            scales.append(scales[-1] if scales else 1.0)
            continue
        vals = h.reshape(-1)
        vals = vals[vals > 0] if relu else vals.abs()
        scales.append(float(torch.quantile(vals[:1_000_000].double(), percentile / 100)) if vals.numel() else 1.0)
    return scales


def convert(
    ann: nn.Module,
    *,
    input_shape: ty.Sequence[int],
    mode: str = "sdnn",
    threshold: float = 0.0,
    num_steps: int | None = None,
    calibration: torch.Tensor | None = None,
    percentile: float = 99.9,
    headroom: float = 1.0,
    merge_pools: bool = True,
) -> Converted:
    """Convert ``ann`` (see the module docstring). ``input_shape``: ``(N,)`` or ``(C, H, W)`` without batch.

    Rate coding: ``headroom`` divides every hidden layer's rates by that factor beyond the ``percentile``
    normalization (reset-to-zero IF neurons lose the overshoot above the threshold at each spike, a share that
    grows with the rate); ``merge_pools`` folds an AvgPool2d → Flatten → Linear into one Linear.
    """
    if mode not in ("sdnn", "rate"):
        raise ParameterError(f"convert: mode must be 'sdnn' or 'rate', got {mode!r}")
    plan = _plan(ann)
    shape = tuple(int(s) for s in input_shape)
    blocks: list[nn.Module] = []
    if mode == "rate":
        if calibration is None:
            raise ParameterError("convert: mode='rate' needs calibration data (a batch of inputs) to normalize layers")
        if merge_pools:
            plan = _merge_pools(plan, shape)
        scales = _activations(plan, calibration.to(torch.float32), percentile)
        scales = [s_ * headroom for s_ in scales[:-1]] + scales[-1:]
        scales[-1] = 1.0  # the output layer integrates: no rate to keep below one spike per step
    else:
        scales = []
    prev_scale = 1.0
    depth = 0
    for idx, (m, relu) in enumerate(plan):
        last = idx == len(plan) - 1
        if isinstance(m, nn.Flatten):
            blocks.append(B.Flatten())
            shape = (int(np.prod(shape)),)
            continue
        lam = scales[idx] if mode == "rate" else 1.0
        if mode == "sdnn":
            nrn = SigmaDelta(threshold, shape=None, relu=relu)
        else:
            if not relu and not last and not isinstance(m, nn.AvgPool2d):
                raise ParameterError(f"convert: rate coding needs a ReLU after every layer but the last (layer {idx})")
            # the output layer integrates without firing (a count of spikes would saturate and tie)
            nrn = CubaLIF(OUTPUT_VTH if last else 1.0, current_decay=1.0, voltage_decay=0.0)
        if isinstance(m, nn.Linear):
            blk = B.Dense(m.in_features, m.out_features, nrn)
            w = m.weight.detach().clone() * (prev_scale / lam)
            blk.synapse.weight.data.copy_(w)
            nshape = (m.out_features,)
            bias = None if m.bias is None else m.bias.detach() / lam
        elif isinstance(m, nn.Conv2d):
            if len(shape) != 3:
                raise ParameterError(f"convert: layer {idx} (Conv2d) needs a (C, H, W) input, gets {shape}")
            blk = B.Conv(
                m.in_channels,
                m.out_channels,
                m.kernel_size,
                nrn,
                stride=m.stride,
                padding=m.padding,
                dilation=m.dilation,
                groups=m.groups,
                input_hw=shape[1:],
            )
            if isinstance(m.padding, str):
                raise ParameterError(f"convert: layer {idx} (Conv2d) uses padding={m.padding!r}; give numbers")
            blk.synapse.weight.data.copy_(m.weight.detach() * (prev_scale / lam))
            nshape = (m.out_channels, *blk.output_hw(shape[1:]))
            bias = None if m.bias is None else (m.bias.detach() / lam).view(-1, 1, 1).expand(nshape).clone()
        else:  # AvgPool2d
            k = B._pair(m.kernel_size)
            s = B._pair(m.stride if m.stride is not None else m.kernel_size)
            if B._pair(m.padding) != (0, 0):
                raise ParameterError(f"convert: layer {idx} (AvgPool2d) with padding is not supported")
            blk = B.Pool(k, nrn, stride=s, weight=(prev_scale / lam) / (k[0] * k[1]))
            nshape = (shape[0], (shape[1] - k[0]) // s[0] + 1, (shape[2] - k[1]) // s[1] + 1)
            bias = None
        if bias is not None and bool(torch.any(bias != 0)):
            nrn.shape = tuple(nshape)
            nrn.bias = nn.Parameter(bias.reshape(nshape).to(torch.float32).clone())
        blocks.append(blk)
        shape = nshape
        prev_scale = lam
        depth += 1
    snn = B.Network(*blocks, input_shape=input_shape)
    if mode == "sdnn":
        steps = num_steps or 1
        with torch.no_grad():
            base = ann(torch.zeros(1, *input_shape)).reshape(1, -1)
        return Converted(snn, mode, steps, baseline=base[0])
    return Converted(snn, mode, num_steps or 64, scales=scales, integrate_output=True)


@dataclass
class ConversionReport:
    ann_accuracy: float
    snn_accuracy: float
    deployed_accuracy: float | None
    backend: str | None
    num_steps: int
    activity_per_sample: float  # spikes (rate) or non-zero messages (sdnn) of all layers

    def __str__(self) -> str:
        dep = (
            f", deployed on {self.backend}: {self.deployed_accuracy:.4f}" if self.deployed_accuracy is not None else ""
        )
        return (
            f"ANN accuracy {self.ann_accuracy:.4f}, SNN ({self.num_steps} steps) {self.snn_accuracy:.4f}{dep}; "
            f"{self.activity_per_sample:.0f} spikes/messages per sample"
        )


@torch.no_grad()
def report(
    ann: nn.Module,
    conv: Converted,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    backend: str | None = None,
    deploy_samples: int | None = None,
) -> ConversionReport:
    """Accuracy of the ANN, of the converted SNN in torch and (with ``backend``) deployed in caldera (floating_pt)."""
    from caldera_dl import deploy

    ann.eval()
    acc_ann = float((ann(x).argmax(1) == y).double().mean())
    inp = conv.encode(x)
    outs = conv.output(inp, return_all=True)
    acc_snn = float((conv.readout(outs[-1]).argmax(1) == y).double().mean())
    counted = outs[:-1] if conv.integrate_output else outs  # the integrating output layer sends nothing
    activity = float(sum((o != 0).sum() for o in counted)) / len(x)
    acc_dep = None
    if backend is not None:
        n = len(x) if deploy_samples is None else min(len(x), int(deploy_samples))
        if conv.mode == "sdnn":  # sigma-delta units cannot be reset between samples: one run per sample
            preds = []
            for j in range(n):
                r = deploy.run(conv.snn, inp[j : j + 1].double(), tag="floating_pt", backend=backend)
                preds.append(int(conv.readout(r["output"]).argmax(1)[0]))
            pred = torch.tensor(preds)
        else:
            r = deploy.run(conv.snn, inp[:n], tag="floating_pt", backend=backend, probe_v=conv.integrate_output)
            pred = conv.readout(r["output_v"] if conv.integrate_output else r["output"]).argmax(1)
        acc_dep = float((pred == y[:n]).double().mean())
    return ConversionReport(acc_ann, acc_snn, acc_dep, backend, conv.num_steps, activity)


__all__ = ["convert", "report", "Converted", "ConversionReport"]
