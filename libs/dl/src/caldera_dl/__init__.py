"""caldera-dl: train spiking networks with PyTorch, deploy them as caldera processes, read lava-dl and NIR networks.

``caldera_dl.netx`` (lava-dl's ``.net`` format) needs no torch; the training
modules (``neuron``, ``block``, ``train``), deployment (``to_processes``) and
NIR import/export import torch when first used.
"""

from __future__ import annotations

import importlib
import typing as ty

__version__ = "0.1.0"

_LAZY = {
    "netx": "caldera_dl.netx",
    "neuron": "caldera_dl.neuron",
    "block": "caldera_dl.block",
    "train": "caldera_dl.train",
    "data": "caldera_dl.data",
    "deploy": "caldera_dl.deploy",
    "nir_io": "caldera_dl.nir_io",
    "ann": "caldera_dl.ann",
    "procs": "caldera_dl.procs",
}
_FUNCS = {
    "to_processes": ("caldera_dl.deploy", "to_processes"),
    "Delta": ("caldera_dl.procs", "Delta"),
    "read_netx": ("caldera_dl.netx", "read"),
    "write_netx": ("caldera_dl.netx", "write"),
    "from_nir": ("caldera_dl.nir_io", "from_nir"),
    "to_nir": ("caldera_dl.nir_io", "to_nir"),
}


def __getattr__(name: str) -> ty.Any:
    if name in _LAZY:
        return importlib.import_module(_LAZY[name])
    if name in _FUNCS:
        mod, attr = _FUNCS[name]
        return getattr(importlib.import_module(mod), attr)
    raise AttributeError(f"module 'caldera_dl' has no attribute {name!r}")


__all__ = [*_LAZY, *_FUNCS]
