"""NumPy models of caldera-optim's processes, one module per network.

* ``qubo``: the QUBO network (couplings, annealing neurons, cost tracker), ``floating_pt`` and ``fixed_pt``;
* ``qp``: the PIPG QP network, ``floating_pt``;
* ``lca``: the LCA sparse-coding network, ``floating_pt`` and ``fixed_pt``;
* ``_scipy_kernel``: the private SciPy product kernel the QUBO couplings use where it checks out.

``MODELS`` is what the plugin registers. The models are plain host (CPU) Python
models: every backend that runs CPU models runs these same classes.
"""

from __future__ import annotations

from caldera_optim.models import lca, qp, qubo

MODELS = [*qubo.MODELS, *qp.MODELS, *lca.MODELS]

__all__ = ["MODELS", "lca", "qp", "qubo"]
