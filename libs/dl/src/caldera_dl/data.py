"""Offline data as spike trains: encoders (torch and as caldera processes) and scikit-learn's bundled digits.

Nothing here downloads anything: the digits (8x8, 1797 samples) ship with
scikit-learn. Encoders map intensities in [0, 1] to spikes on the
``(batch, features..., time)`` layout:

- ``rate_encode(x, T, mode="regular")`` — deterministic: an accumulator gains ``x`` per
  step and spikes (losing 1) when it reaches 1, so a feature fires ``~x T`` times,
  evenly spaced; ``mode="poisson"`` draws Bernoulli(x) spikes instead.
- ``latency_encode(x, T)`` — one spike per feature, earlier for larger ``x``:
  at step ``round((1 - x) (T - 1))``; features below ``threshold`` stay silent.

:class:`RateEncoder` is the regular rate encoder as a caldera process (graded input
on ``a_in``, spikes on ``s_out``, same arithmetic), and :class:`SpikeDataset` hands
encoded samples to caldera's ``SpikeDataloader`` as ``(data, label)`` pairs.
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import shape_of
from caldera.variable import Var


def _unit(x: ty.Any, name: str = "x"):
    import torch

    t = torch.as_tensor(x, dtype=torch.float32) if not isinstance(x, torch.Tensor) else x
    if t.numel() and (float(t.min()) < 0 or float(t.max()) > 1):
        raise ParameterError(f"{name} must hold intensities in 0..1, got values in {float(t.min())}..{float(t.max())}")
    return t


def rate_encode(x: ty.Any, num_steps: int, *, mode: str = "regular", seed: int | None = 0):
    """Spike trains ``(*x.shape, num_steps)`` firing at rate ``x`` (see the module docstring)."""
    import torch

    if int(num_steps) < 1:
        raise ParameterError(f"rate_encode: num_steps must be >= 1, got {num_steps}")
    t = _unit(x)
    if mode == "poisson":
        g = torch.Generator().manual_seed(seed) if seed is not None else None
        return (torch.rand(*t.shape, int(num_steps), generator=g) < t.unsqueeze(-1)).to(torch.float32)
    if mode != "regular":
        raise ParameterError(f"rate_encode: mode must be 'regular' or 'poisson', got {mode!r}")
    acc = torch.zeros_like(t, dtype=torch.float64)
    xd = t.to(torch.float64)
    out = []
    for _ in range(int(num_steps)):
        acc = acc + xd
        s = acc >= 1.0
        acc = acc - s.to(torch.float64)
        out.append(s)
    return torch.stack(out, -1).to(torch.float32)


def latency_encode(x: ty.Any, num_steps: int, *, threshold: float = 0.01):
    """One spike per feature at step ``round((1 - x) (num_steps - 1))``; none where ``x < threshold``."""
    import torch

    if int(num_steps) < 1:
        raise ParameterError(f"latency_encode: num_steps must be >= 1, got {num_steps}")
    t = _unit(x)
    when = torch.round((1 - t) * (int(num_steps) - 1)).long()
    out = torch.zeros(*t.shape, int(num_steps))
    out.scatter_(-1, when.unsqueeze(-1), 1.0)
    return out * (t >= threshold).unsqueeze(-1).to(out.dtype)


def digits(
    *, num_steps: int = 20, encoding: str = "rate", test_fraction: float = 0.2, seed: int = 0, limit: int | None = None
) -> tuple:
    """scikit-learn's 8x8 digits as spike trains: ``(x_train, y_train, x_test, y_test)``.

    ``x`` is ``(n, 64, num_steps)`` (float32 spikes), ``y`` the labels (int64).
    The split is stratified-free but seeded; ``limit`` keeps the first samples
    after shuffling (small tests).
    """
    import torch

    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ParameterError("digits: scikit-learn is needed (pip install scikit-learn)") from None
    d = load_digits()
    x = d.data.astype(np.float32) / 16.0
    y = d.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    if limit is not None:
        order = order[: int(limit)]
    x, y = x[order], y[order]
    n_test = int(round(len(y) * float(test_fraction)))
    enc = {"rate": rate_encode, "latency": latency_encode}.get(encoding)
    if enc is None:
        raise ParameterError(f"digits: encoding must be 'rate' or 'latency', got {encoding!r}")
    xs = enc(torch.from_numpy(x), num_steps)
    ys = torch.from_numpy(y)
    return xs[n_test:], ys[n_test:], xs[:n_test], ys[:n_test]


class SpikeDataset:
    """Encoded samples as ``(data, label)`` pairs for caldera's ``SpikeDataloader`` (caldera layout, time last)."""

    def __init__(self, x: ty.Any, y: ty.Any) -> None:
        self.x = x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)
        self.y = y.detach().cpu().numpy() if hasattr(y, "detach") else np.asarray(y)
        if len(self.x) != len(self.y):
            raise ParameterError(f"SpikeDataset: {len(self.x)} samples but {len(self.y)} labels")

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> tuple[np.ndarray, ty.Any]:
        x = self.x[i]
        if x.ndim == 4:  # (C, H, W, T) -> caldera's (W, H, C, T)
            x = x.transpose(2, 1, 0, 3)
        return x, self.y[i]


class RateEncoder(Process):
    """Regular rate coding as a process: ``acc += a_in``; spike and ``acc -= 1`` when ``acc >= 1``."""

    def __init__(self, *, shape: ty.Any, name: str | None = None, log_config: ty.Any = None) -> None:
        shape = shape_of("RateEncoder", shape)
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.acc = Var(shape=shape, init=0.0)


__all__ = ["rate_encode", "latency_encode", "digits", "SpikeDataset", "RateEncoder"]
