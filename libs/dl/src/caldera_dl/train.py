"""Training helpers: spike-rate and spike-time losses, a classifier with progress bars and curves, plots.

Outputs are spikes ``(batch, classes, time)``; the predicted class is the one
with the most spikes (ties: the lowest index).
"""

from __future__ import annotations

import math
import time
import typing as ty

import torch
from caldera.errors import ParameterError


def spike_rate_loss(
    spikes: torch.Tensor, labels: torch.Tensor, *, true_rate: float = 0.3, false_rate: float = 0.03
) -> torch.Tensor:
    """Mean squared error between each output's firing rate and its target (``true_rate`` for the label)."""
    if not 0 <= false_rate <= true_rate <= 1:
        raise ParameterError(f"spike_rate_loss: need 0 <= false_rate <= true_rate <= 1, got {false_rate}, {true_rate}")
    rate = spikes.mean(-1)
    target = torch.full_like(rate, float(false_rate))
    target.scatter_(1, labels.view(-1, 1).long(), float(true_rate))
    return torch.mean((rate - target) ** 2)


def rate_cross_entropy(spikes: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of the spike counts taken as logits (snnTorch's ``ce_count_loss``)."""
    return torch.nn.functional.cross_entropy(spikes.sum(-1), labels.long())


def spike_time_loss(spikes: torch.Tensor, target: torch.Tensor, *, tau: float = 5.0) -> torch.Tensor:
    """van Rossum distance: MSE between the output and target spike trains, both filtered by ``exp(-t/tau)``."""
    if spikes.shape != target.shape:
        raise ParameterError(f"spike_time_loss: spikes {tuple(spikes.shape)} and target {tuple(target.shape)} differ")
    if not tau > 0:
        raise ParameterError(f"spike_time_loss: tau must be > 0, got {tau}")
    k = math.exp(-1.0 / tau)
    acc_s = torch.zeros_like(spikes[..., 0])
    acc_t = torch.zeros_like(acc_s)
    total = spikes.new_zeros(())
    for t in range(spikes.shape[-1]):
        acc_s = acc_s * k + spikes[..., t]
        acc_t = acc_t * k + target[..., t]
        total = total + ((acc_s - acc_t) ** 2).mean()
    return total / spikes.shape[-1]


def predict(spikes: torch.Tensor) -> torch.Tensor:
    """The class with the most output spikes."""
    return spikes.sum(-1).argmax(1)


LOSSES: dict[str, ty.Callable] = {"rate": spike_rate_loss, "ce": rate_cross_entropy}


class Classifier:
    """Trains a spiking network on labelled spike trains and reports accuracy.

    ``loss``: ``"rate"`` (:func:`spike_rate_loss`), ``"ce"`` (:func:`rate_cross_entropy`)
    or a callable ``loss(spikes, labels)``. ``fit`` shows a tqdm bar per epoch
    (``progress=False`` to hide) and records ``history`` (loss, train and test
    accuracy per epoch, seconds, samples/s).
    """

    def __init__(
        self,
        model: torch.nn.Module,
        *,
        loss: str | ty.Callable = "ce",
        lr: float = 1e-2,
        optimizer: torch.optim.Optimizer | None = None,
    ) -> None:
        self.model = model
        if isinstance(loss, str):
            if loss not in LOSSES:
                raise ParameterError(f"Classifier: loss must be one of {', '.join(LOSSES)} or a callable, got {loss!r}")
            loss = LOSSES[loss]
        self.loss = loss
        self.optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
        self.history: list[dict] = []

    def fit(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        *,
        epochs: int = 10,
        batch_size: int = 64,
        x_test: torch.Tensor | None = None,
        y_test: torch.Tensor | None = None,
        progress: bool = True,
        seed: int = 0,
        cosine: bool = False,
    ) -> list[dict]:
        """Train ``epochs`` epochs of shuffled mini-batches (``cosine``: anneal the learning rate to 0 over them)."""
        if len(x) != len(y):
            raise ParameterError(f"Classifier.fit: {len(x)} samples but {len(y)} labels")
        from tqdm.auto import tqdm

        g = torch.Generator().manual_seed(seed)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, int(epochs)) if cosine else None
        for epoch in range(int(epochs)):
            self.model.train()
            order = torch.randperm(len(x), generator=g)
            batches = range(0, len(x), int(batch_size))
            bar = tqdm(batches, desc=f"epoch {epoch + 1}/{epochs}", disable=not progress, leave=False)
            t0 = time.perf_counter()
            total, correct, n = 0.0, 0, 0
            for start in bar:
                idx = order[start : start + int(batch_size)]
                xb, yb = x[idx], y[idx]
                out = self.model(xb)
                loss = self.loss(out, yb)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(idx)
                correct += int((predict(out.detach()) == yb).sum())
                n += len(idx)
                bar.set_postfix(loss=f"{total / n:.4f}", acc=f"{correct / n:.3f}")
            secs = time.perf_counter() - t0
            if sched is not None:
                sched.step()
            rec = {
                "epoch": epoch + 1,
                "loss": total / n,
                "train_accuracy": correct / n,
                "seconds": secs,
                "samples_per_s": n / secs,
            }
            if x_test is not None and y_test is not None:
                rec["test_accuracy"] = self.accuracy(x_test, y_test)
            self.history.append(rec)
        return self.history

    @torch.no_grad()
    def output(self, x: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
        self.model.eval()
        return torch.cat([self.model(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])

    def predict(self, x: torch.Tensor) -> torch.Tensor:
        return predict(self.output(x))

    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> float:
        return float((self.predict(x) == y).double().mean())

    def plot(self, path: str) -> None:
        """Training curve (loss and accuracies per epoch) to an image file."""
        plot_history(self.history, path)


def plot_history(history: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not history:
        raise ParameterError("plot_history: nothing recorded yet (call fit first)")
    ep = [h["epoch"] for h in history]
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.5))
    ax[0].plot(ep, [h["loss"] for h in history], "o-")
    ax[0].set(xlabel="epoch", ylabel="loss", title="training loss")
    ax[1].plot(ep, [h["train_accuracy"] for h in history], "o-", label="train")
    if "test_accuracy" in history[0]:
        ax[1].plot(ep, [h["test_accuracy"] for h in history], "s-", label="test")
    ax[1].set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_raster(spikes: ty.Any, path: str, *, title: str = "spikes") -> None:
    """Raster of a ``(neurons..., time)`` spike array (e.g. a deployed layer's output) to an image file."""
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = spikes.detach().cpu().numpy() if hasattr(spikes, "detach") else np.asarray(spikes)
    s = s.reshape(-1, s.shape[-1])
    n, t = np.nonzero(s)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(t, n, "|", markersize=4)
    ax.set(xlabel="time step", ylabel="neuron", title=title, xlim=(-0.5, s.shape[1] - 0.5))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


__all__ = [
    "spike_rate_loss",
    "rate_cross_entropy",
    "spike_time_loss",
    "predict",
    "Classifier",
    "plot_history",
    "plot_raster",
]
