"""Shared helpers for the caldera-loihi tests."""

from __future__ import annotations

import caldera
import numpy as np
import pytest
from caldera.procs.monitor import Monitor

LOIHI = caldera.RunConfig(backend="loihi", tag="fixed_pt")


def run_probe(root, ports, steps: int, run_cfg=LOIHI) -> list[np.ndarray]:
    """Run ``root``'s network for ``steps`` and return what each port in ``ports`` sent, per step."""
    mon = Monitor()
    for p in ports:
        mon.probe(p, steps)
    root.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=run_cfg)
    data = mon.get_data()
    out = [data[p.process.name][p.name] for p in ports]
    return out


@pytest.fixture(autouse=True)
def _default_system():
    """Every test starts (and ends) with the default limits and energy table."""
    from caldera_loihi import DAVIES2018, LOIHI2, configure

    configure(LOIHI2, DAVIES2018)
    yield
    configure(LOIHI2, DAVIES2018)
