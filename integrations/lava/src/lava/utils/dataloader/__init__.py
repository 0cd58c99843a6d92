"""Lava's ``lava.utils.dataloader``: ``mnist.MnistDataset``."""

from lava._compat import missing

__all__: list[str] = []
__getattr__ = missing(__name__)
