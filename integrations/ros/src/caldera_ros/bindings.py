"""Topic <-> port bindings: what the node adds around the user's network.

An ``Input`` subscribes to a topic and feeds a network InPort::

    message --(messages: to array / events)--> Injector --> encoder process --> port

An ``Output`` reads an OutPort (or a Var) and publishes::

    port --> decoder process --> Extractor --(messages: from array)--> message

Both check everything they can before the network is compiled and name the entry (``inputs[0]``, ...) and
the allowed values in their errors. Nothing here needs ROS.
"""

from __future__ import annotations

import typing as ty
from dataclasses import dataclass, field

import numpy as np
from caldera.errors import CalderaError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs import DeltaEncoder, Extractor, Injector
from caldera.variable import Var

from caldera_ros.events import EventBinner
from caldera_ros.messages import Events, MessageError, MessageType, message_type
from caldera_ros.procs import Argmax, LatencyEncoder, PopulationVector, RateEncoder, SpikeCounter, StateReader


class SpecError(CalderaError, ValueError):
    """A binding or node spec that cannot work; raised before the node starts, naming the entry."""


# the options each part accepts: conversion of the message, and the encoder/decoder process
_CONVERT_OPTIONS = {
    "sensor_msgs/LaserScan": {"invalid"},
    "sensor_msgs/JointState": {"field", "joints"},
    "dvs_msgs/EventArray": {"downsample", "polarity", "binary"},
}
_ENCODER_OPTIONS: dict[str, set[str]] = {
    "raw": set(),
    "rate": {"lo", "hi", "max_rate", "poisson", "seed"},
    "latency": {"window", "lo", "hi"},
    "delta": {"vth", "spike_exp", "num_bits"},
    "events": set(),
}
_DECODER_OPTIONS: dict[str, set[str]] = {
    "raw": set(),
    "count": {"window"},
    "rate": {"window"},
    "population": {"window", "vectors", "default"},
    "argmax": {"window", "values", "default"},
}
_OUT_OPTIONS = {"fields", "scale"}
ENCODERS = tuple(_ENCODER_OPTIONS)
DECODERS = tuple(_DECODER_OPTIONS)


def _split(where: str, options: dict, allowed_a: set[str], allowed_b: set[str]) -> tuple[dict, dict]:
    if not isinstance(options, dict):
        raise SpecError(f"{where}: options must be a mapping, got {options!r}")
    unknown = sorted(set(options) - allowed_a - allowed_b)
    if unknown:
        allowed = sorted(allowed_a | allowed_b)
        raise SpecError(f"{where}: unknown option(s) {unknown}; allowed here: {', '.join(allowed) or 'none'}")
    return ({k: v for k, v in options.items() if k in allowed_a}, {k: v for k, v in options.items() if k in allowed_b})


def resolve_member(network: dict[str, Process], ref: ty.Any, where: str, kinds: tuple[type, ...]) -> ty.Any:
    """``"process.member"`` (or the port/Var object itself) -> the member, checked against ``kinds``."""
    if isinstance(ref, kinds):
        return ref
    if not isinstance(ref, str) or "." not in ref:
        raise SpecError(f"{where}: port must be 'process.member', got {ref!r}")
    pname, _, member = ref.partition(".")
    proc = network.get(pname)
    if proc is None:
        raise SpecError(f"{where}: no process {pname!r} in the network; processes: {', '.join(sorted(network))}")
    obj = getattr(proc, member, None)
    if not isinstance(obj, kinds):
        names = [
            m.name for m in [*(proc.in_ports if InPort in kinds else []), *(proc.out_ports if OutPort in kinds else [])]
        ] + ([v.name for v in proc.vars] if Var in kinds else [])
        raise SpecError(f"{where}: {pname} has no {'/'.join(k.__name__ for k in kinds)} {member!r}; it has: {names}")
    return obj


@dataclass
class Input:
    """Subscribe to ``topic`` (of ROS type ``type``) and feed ``port`` through ``encoder``.

    ``encoder``: "raw" (the values as they are), "rate", "latency", "delta" (send-on-change, the core's
    DeltaEncoder) or "events" (``dvs_msgs/EventArray`` binned per step). ``options`` holds the message
    conversion's and the encoder's parameters. ``queue``: how many steps of input may wait (oldest dropped
    beyond): by default what arrives in 0.1 s (the most a wall clock lets the network lag behind before it
    skips ahead), at least 16 steps, and 50 for events. ``hold``: between messages, keep sending the last value (default) or zeros (default for events).
    """

    topic: str
    type: str
    port: ty.Any
    encoder: str = "raw"
    options: dict = field(default_factory=dict)
    queue: int | None = None
    hold: bool | None = None

    # filled by build()
    injector: Injector | None = field(default=None, repr=False)
    mtype: MessageType | None = field(default=None, repr=False)
    convert_options: dict = field(default_factory=dict, repr=False)
    binner: EventBinner | None = field(default=None, repr=False)
    malformed: int = 0

    def check(self, where: str) -> None:
        if not isinstance(self.topic, str) or not self.topic:
            raise SpecError(f"{where}: topic must be a non-empty string, got {self.topic!r}")
        try:
            self.mtype = message_type(self.type, "in", where)
        except MessageError as e:
            raise SpecError(str(e)) from None
        if self.encoder not in _ENCODER_OPTIONS:
            raise SpecError(f"{where}: unknown encoder {self.encoder!r}; encoders: {', '.join(ENCODERS)}")
        is_events = self.type == "dvs_msgs/EventArray"
        if is_events != (self.encoder == "events"):
            raise SpecError(f"{where}: encoder 'events' goes with dvs_msgs/EventArray and only with it")
        if self.queue is not None and not (isinstance(self.queue, int) and self.queue >= 1):
            raise SpecError(f"{where}: queue must be an integer >= 1, got {self.queue!r}")

    def build(self, network: dict[str, Process], dt: float, where: str) -> Injector:
        """Create the Injector (and encoder) and connect them to the port."""
        self.check(where)
        port = resolve_member(network, self.port, where, (InPort,))
        self.convert_options, enc_opts = _split(
            where, self.options, _CONVERT_OPTIONS.get(self.type, set()), _ENCODER_OPTIONS[self.encoder]
        )
        shape = port.shape
        events = self.encoder == "events"
        hold = (not events) if self.hold is None else bool(self.hold)
        queue = self.queue if self.queue is not None else (50 if events else max(16, round(0.1 / dt)))
        try:
            if events:
                self.binner = EventBinner(shape, dt, **self.convert_options)
                self.convert_options = {}
            inj = Injector(
                shape=shape,
                buffer_size=queue,
                when_full="drop_oldest",
                when_empty="repeat" if hold else "zeros",
                name=where.replace("[", "_").rstrip("]"),
            )
            if self.encoder == "rate":
                enc: Process | None = RateEncoder(shape=shape, **enc_opts)
            elif self.encoder == "latency":
                enc = LatencyEncoder(shape=shape, **enc_opts)
            elif self.encoder == "delta":
                enc = DeltaEncoder(shape=shape, **{"vth": 0.0, **enc_opts})
            else:
                enc = None
        except (CalderaError, TypeError) as e:
            raise SpecError(f"{where}: {e}") from None
        if enc is None:
            inj.out_port.connect(port)
        else:
            inj.out_port.connect(enc.a_in)
            enc.s_out.connect(port)
        self.injector = inj
        return inj

    def arrays(self, msg: ty.Any) -> list[np.ndarray]:
        """The arrays that ``msg`` sends into the network (one per step; raises MessageError if malformed)."""
        assert self.mtype is not None and self.injector is not None
        value = self.mtype.to_array(msg, **self.convert_options)
        if isinstance(value, Events):
            assert self.binner is not None
            return self.binner.frames(value)
        shape = self.injector.out_port.shape
        if value.size != int(np.prod(shape)):
            raise MessageError(f"{value.size} values, but {self.port} takes {int(np.prod(shape))} {shape}")
        return [value.reshape(shape)]

    def feed(self, msg: ty.Any) -> int:
        """Convert and queue ``msg``; returns the number of arrays queued."""
        arrays = self.arrays(msg)
        for a in arrays:
            self.injector.send(a)  # type: ignore[union-attr]
        return len(arrays)

    @property
    def dropped(self) -> int:
        return self.injector.buffer.dropped if self.injector is not None else 0


@dataclass
class Output:
    """Decode ``port`` (an OutPort, or a Var for its raw state) with ``decoder`` and publish on ``topic``.

    ``decoder``: "raw", "count" / "rate" (spikes over ``window`` steps), "population", "argmax".
    ``every``: publish every n-th step (the latest value); ``on_change``: publish only when the value changed.
    ``options``: the decoder's parameters, and for field messages (Twist, Point, ...) ``fields`` (dotted
    field names filled in order) and ``scale``.
    """

    topic: str
    type: str
    port: ty.Any
    decoder: str = "raw"
    options: dict = field(default_factory=dict)
    every: int = 1
    on_change: bool = False
    queue: int = 256

    extractor: Extractor | None = field(default=None, repr=False)
    mtype: MessageType | None = field(default=None, repr=False)
    msg_options: dict = field(default_factory=dict, repr=False)

    def check(self, where: str) -> None:
        if not isinstance(self.topic, str) or not self.topic:
            raise SpecError(f"{where}: topic must be a non-empty string, got {self.topic!r}")
        try:
            self.mtype = message_type(self.type, "out", where)
        except MessageError as e:
            raise SpecError(str(e)) from None
        if self.decoder not in _DECODER_OPTIONS:
            raise SpecError(f"{where}: unknown decoder {self.decoder!r}; decoders: {', '.join(DECODERS)}")
        if not (isinstance(self.every, int) and self.every >= 1):
            raise SpecError(f"{where}: every must be an integer >= 1, got {self.every!r}")
        if not (isinstance(self.queue, int) and self.queue >= 1):
            raise SpecError(f"{where}: queue must be an integer >= 1, got {self.queue!r}")

    def build(self, network: dict[str, Process], where: str) -> Extractor:
        self.check(where)
        src = resolve_member(network, self.port, where, (OutPort, Var))
        dec_opts, self.msg_options = _split(where, self.options, _DECODER_OPTIONS[self.decoder], _OUT_OPTIONS)
        try:
            if isinstance(src, Var):
                reader = StateReader(var=src)
                src = reader.a_out
            shape = src.shape
            if self.decoder in ("count", "rate"):
                dec: Process | None = SpikeCounter(shape=shape, rate=self.decoder == "rate", **dec_opts)
            elif self.decoder == "population":
                opts = dict(dec_opts)
                if opts.get("vectors") is None:
                    opts["vectors"] = PopulationVector.grid(shape)
                dec = PopulationVector(shape=shape, **opts)
            elif self.decoder == "argmax":
                dec = Argmax(shape=shape, **dec_opts)
            else:
                dec = None
            if dec is not None:
                src.connect(dec.a_in)
                src = dec.a_out
            ext = Extractor(
                shape=src.shape,
                buffer_size=self.queue,
                when_full="drop_oldest",
                name=where.replace("[", "_").rstrip("]"),
            )
        except (CalderaError, TypeError) as e:
            raise SpecError(f"{where}: {e}") from None
        src.connect(ext.in_port)
        n = int(np.prod(src.shape))
        fields = self.msg_options.get("fields")
        if self.mtype.fields is not None:  # type: ignore[union-attr]
            allowed = self.mtype.fields  # type: ignore[union-attr]
            fields = list(fields) if fields is not None else list(allowed[:n])
            bad = [f for f in fields if f not in allowed]
            if bad or len(fields) != n:
                raise SpecError(
                    f"{where}: {self.type} takes the decoder's {n} value(s) into as many of the fields "
                    f"{', '.join(allowed)}; got fields {fields}"
                )
            self.msg_options["fields"] = fields
        elif fields is not None:
            raise SpecError(f"{where}: option 'fields' applies to field messages (Twist, Point, ...), not {self.type}")
        self.extractor = ext
        return ext

    def message(self, cls: type, arr: np.ndarray, stamp: ty.Any = None) -> ty.Any:
        assert self.mtype is not None and self.mtype.from_array is not None
        if self.mtype.fields is not None:
            return self.mtype.from_array(cls, arr, stamp=stamp if self.mtype.stamped else None, **self.msg_options)
        return self.mtype.from_array(cls, arr)


def as_network(network: ty.Any) -> dict[str, Process]:
    """A network given as ``caldera.load``'s dict, a saved file's path, or any of its processes -> by name."""
    import pathlib

    from caldera.compiler import collect_processes

    if isinstance(network, (str, pathlib.Path)):
        import caldera

        return caldera.load(network)
    if isinstance(network, dict) and all(isinstance(p, Process) for p in network.values()):
        return dict(network)
    if isinstance(network, Process):
        return {p.name: p for p in collect_processes(network) if p.parent is None}
    if isinstance(network, (list, tuple)) and network and all(isinstance(p, Process) for p in network):
        out: dict[str, Process] = {}
        for root in network:
            out.update({p.name: p for p in collect_processes(root) if p.parent is None})
        return out
    raise SpecError(
        f"network must be a caldera.save file, caldera.load's dict, or a process of the network; got {network!r}"
    )


__all__ = ["Input", "Output", "SpecError", "ENCODERS", "DECODERS", "as_network", "resolve_member"]
