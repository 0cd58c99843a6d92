"""The QUBO network on the ``loihi`` emulator's neuro-cores: the ``fixed_pt`` models, mapped and counted.

``LoihiAnnealingNeurons`` and ``LoihiReplicaCoupling`` are the ``fixed_pt``
models of ``caldera_optim.models.qubo`` (the same integer arithmetic, so a run
is bit for bit the cpu backend's) that also present themselves to the
emulator as a neuron and a synapse process, so that it places them on cores
under its limits and counts their activity for its report:

* neurons: one per variable and replica (``replicas * n``, replica-major);
  a neuron spikes when its variable flips; the neurons of the block
  (colour class) updated in a step are the step's active neurons;
* synapses: the couplings ``W = 2 offdiag(Q)`` once per replica (the
  block-diagonal ``kron(I, W)``), so a flip costs one synaptic operation per
  coupling of its variable; weights must fit the chip's weight bits.

Only ``caldera_optim.solve_qubo(..., backend="loihi")`` selects them (pinned in
its run configuration; the plugin does not register them), and importing this
module needs caldera-loihi (the optional extra ``caldera-optim[loihi]``; imported
by name, as optional distributions are). The cost tracker stays a host process, and the
restarts from the population's best are writes by the host between runs:
the report counts neither. Replica exchange (``exchange_interval``) is done by
the neuron model itself, in integers (``exchange_pairs`` with the ``L[u]``
table): on a chip it is management work (read the replicas' costs, rewrite
their temperatures) that the report does not count either.
"""

from __future__ import annotations

import importlib

import numpy as np
from caldera import arith
from caldera.errors import ParameterError
from caldera.lazy import lazy_module

from caldera_optim.models.qubo import PyAnnealingNeuronsFixed, PyReplicaCouplingFixed

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)


def _loihi_models():  # noqa: ANN202 - a module
    try:
        return importlib.import_module("caldera_loihi.models")
    except ImportError:
        raise ParameterError(
            "backend 'loihi' needs the Loihi emulator, distribution caldera-loihi (pip install ./plugins/loihi; "
            "caldera-optim's extra 'loihi')"
        ) from None


LoihiCoreModel = _loihi_models().LoihiCoreModel


class LoihiAnnealingNeurons(PyAnnealingNeuronsFixed, LoihiCoreModel):
    """``PyAnnealingNeuronsFixed`` as a neuron process of the emulator (see the module docstring)."""

    role = "neuron"

    @property
    def num_neurons(self) -> int:
        return int(np.prod(self.process.state.shape))

    def validate(self) -> None:
        super().validate()
        r, n = self._r, self._n
        self._spk = np.zeros((r, n), np.int8)
        self._active = []  # per block: its neurons in every replica, flattened
        for lo, hi in self._bounds:
            a = np.zeros((r, n), bool)
            a[:, lo:hi] = True
            self._active.append(a.reshape(-1))

    def run_spk(self) -> None:
        super().run_spk()
        c = (self.time_step - 1) % len(self._bounds)
        lo, hi = self._bounds[c]
        self._spk[...] = 0
        self._spk[:, lo:hi] = self._outs[c][:, : hi - lo]
        self.last_spikes = self._spk.reshape(-1)
        self.last_active = self._active[c]


class LoihiReplicaCoupling(PyReplicaCouplingFixed, LoihiCoreModel):
    """``PyReplicaCouplingFixed`` as a synapse process of the emulator (see the module docstring)."""

    role = "synapse"

    def synapse_matrix(self) -> sp.csr_matrix:
        """The synapses onto the neurons (rows) from the neurons (columns): ``W`` once per replica."""
        r = self.process.s_in.shape[0]
        return sp.kron(sp.identity(r, dtype=np.int64, format="csr"), self._w, format="csr")

    def delays_matrix(self) -> None:
        return None

    @property
    def num_weight_bits(self) -> int:
        """The magnitude bits the largest ``|W_ij|`` needs (the sign is the sign mode's)."""
        w = self._w.data
        return max(1, int(np.abs(w).max()).bit_length()) if w.size else 1

    @property
    def sign_mode(self) -> arith.SignMode:
        w = self._w.data
        if w.size and w.min() < 0 < w.max():
            return arith.SignMode.MIXED
        return arith.SignMode.INHIBITORY if w.size and w.max() < 0 else arith.SignMode.EXCITATORY

    def validate(self) -> None:
        super().validate()
        r = self._r
        self._in = np.zeros((r, self.field.shape[0]), np.int8)

    def recv_spk(self) -> None:
        super().recv_spk()
        lo, hi = self._bounds[self._block()]
        self._in[...] = 0
        self._in[:, lo:hi] = self._flips[:, : hi - lo]
        self.last_input = self._in.reshape(-1)


def pinned_models() -> dict:
    """``{process class: model class}`` for ``RunConfig(exception_proc_model_map=...)``."""
    from caldera_optim.processes import AnnealingBinaryNeurons, ReplicaCoupling

    return {AnnealingBinaryNeurons: LoihiAnnealingNeurons, ReplicaCoupling: LoihiReplicaCoupling}


__all__ = ["LoihiAnnealingNeurons", "LoihiReplicaCoupling", "pinned_models"]
