"""Synchronisation protocols: how the phases of a time step are ordered."""

from __future__ import annotations


class AbstractSyncProtocol:
    """A protocol names the phases a model's step goes through."""

    phases: tuple[str, ...] = ()


class LoihiProtocol(AbstractSyncProtocol):
    """Loihi's time step: spk -> pre_mgmt -> lrn -> post_mgmt.

    ``spk`` always runs; the other three run when the model's guard
    (``pre_guard``, ``lrn_guard``, ``post_guard``) returns True for the step.
    RefPort reads and writes belong in the management phases.
    """

    phases = ("spk", "pre_mgmt", "lrn", "post_mgmt")


class AsyncProtocol(AbstractSyncProtocol):
    """Models that run free (``run_async``) and poll for pause/stop."""

    phases = ("async",)


__all__ = ["AbstractSyncProtocol", "LoihiProtocol", "AsyncProtocol"]
