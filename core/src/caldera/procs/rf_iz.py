"""Resonate-and-fire Izhikevich neurons (Lava's ``lava.proc.rf_iz``): RF whose spike resets the state.

A neuron spikes when its imaginary part reaches ``vth``; then the real part
is cleared and the imaginary part set just below ``vth`` (``vth - 1e-5`` in
floating point, ``vth - 1`` in fixed point).
"""

from __future__ import annotations

from caldera.procs.rf import RF


class RF_IZ(RF):  # noqa: N801 - Lava's name
    """Same parameters as :class:`RF` (``shape, period, alpha, state_exp, decay_bits, vth``)."""


__all__ = ["RF_IZ"]
