"""Input and output processes: ring-buffer sources and sinks (Lava's ``lava.proc.io``)."""

from caldera.procs.io.host import Extractor, Injector
from caldera.procs.io.sink import RingBufferSink
from caldera.procs.io.source import RingBuffer

__all__ = ["RingBuffer", "RingBufferSink", "Injector", "Extractor"]
