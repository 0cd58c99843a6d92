"""NumPy models of the ring-buffer source and sink and of the Monitor."""

from __future__ import annotations

import numpy as np
from caldera import declarations as decl
from caldera.model import LavaPyType, PyInPort, PyLoihiProcessModel, PyOutPort, implements, requires, tag
from caldera.procs.io.host import Extractor, Injector
from caldera.procs.io.sink import RingBufferSink
from caldera.procs.io.source import RingBuffer
from caldera.procs.monitor import Monitor
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU


class _SourceBase(PyLoihiProcessModel):
    schedule = "recv_first"

    def run_spk(self) -> None:
        self.s_out.send(self.data[..., (self.time_step - 1) % self.data.shape[-1]])


@implements(proc=RingBuffer, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySendModelFloat(decl.RingBufferFloatFields, _SourceBase):
    pass


@implements(proc=RingBuffer, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySendModelFixed(decl.RingBufferFixedFields, _SourceBase):
    pass


class _SinkBase(PyLoihiProcessModel):
    schedule = "recv_first"

    def run_spk(self) -> None:
        self.data[..., (self.time_step - 1) % self.data.shape[-1]] = self.a_in.recv()


@implements(proc=RingBufferSink, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyReceiveModelFloat(decl.RingBufferSinkFloatFields, _SinkBase):
    pass


@implements(proc=RingBufferSink, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyReceiveModelFixed(decl.RingBufferSinkFixedFields, _SinkBase):
    pass


class _MonitorBase(PyLoihiProcessModel):
    """OutPort probes record in the spiking phase; Var probes after the step's last phase."""

    schedule = "recv_first"
    mgmt_order = 1000  # read Vars after every other model's management phases

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self._port_probes: list = []
        self._var_probes: list = []

    def validate(self) -> None:
        for kind, port, data, _p, _m in self.proc_params["probes"]:
            target = (getattr(self, port), getattr(self, data))
            (self._port_probes if kind == "port" else self._var_probes).append(target)

    def run_spk(self) -> None:
        i = self.time_step - 1
        for port, data in self._port_probes:
            value = port.recv()
            if i < data.shape[0]:
                data[i] = value

    def post_guard(self) -> bool:
        return bool(self._var_probes)

    def run_post_mgmt(self) -> None:
        i = self.time_step - 1
        for ref, data in self._var_probes:
            if i < data.shape[0]:
                data[i] = ref.read()


@implements(proc=Monitor, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyMonitorModelFloat(_MonitorBase):
    pass


@implements(proc=Monitor, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyMonitorModelFixed(_MonitorBase):
    pass


class _HostModel(PyLoihiProcessModel):
    """Runs in the user's OS process; ``interrupt()`` wakes a step blocked on the user's buffer."""

    schedule = "recv_first"
    host_only = True

    def interrupt(self) -> None:
        self.process.buffer.release()

    def resume(self) -> None:
        self.process.buffer.resume()


class _InjectorBase(_HostModel):
    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self._last = None

    def run_spk(self) -> None:
        when_empty = self.proc_params["when_empty"]
        item = self.process.buffer.get(block=when_empty == "block")
        if item is None:
            item = self._last if (when_empty == "repeat" and self._last is not None) else 0
        else:
            self._last = item
        self.out_port.send(np.broadcast_to(item, self.out_port.shape))


@implements(proc=Injector, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyInjectorModelFloat(_InjectorBase):
    out_port: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)


@implements(proc=Injector, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyInjectorModelFixed(_InjectorBase):
    out_port: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)


class _ExtractorBase(_HostModel):
    def run_spk(self) -> None:
        self.process.buffer.put(self.in_port.recv(), self.proc_params["when_full"])


@implements(proc=Extractor, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyExtractorModelFloat(_ExtractorBase):
    in_port: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)


@implements(proc=Extractor, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyExtractorModelFixed(_ExtractorBase):
    in_port: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)


MODELS = [
    PyInjectorModelFloat,
    PyInjectorModelFixed,
    PyExtractorModelFloat,
    PyExtractorModelFixed,
    PySendModelFloat,
    PySendModelFixed,
    PyReceiveModelFloat,
    PyReceiveModelFixed,
    PyMonitorModelFloat,
    PyMonitorModelFixed,
]
