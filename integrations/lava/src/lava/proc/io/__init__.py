"""Lava's ``lava.proc.io`` package: sources, sinks, host I/O, data loaders, encoders and resets.

As in Lava, importing the package imports its modules, so ``from lava.proc import io`` then
``io.sink.RingBuffer`` works.
"""

from lava.proc.io import dataloader, encoder, extractor, injector, reset, sink, source

__all__ = ["reset", "source", "sink", "dataloader", "encoder", "injector", "extractor"]
