"""lava-dl 0.6's ``lava.lib.dl.netx.hdf5``: ``Network``, a lava-dl ``.net`` file as caldera processes.

``Network(net_config, num_layers=None, skip_layers=0, input_message_bits=0, input_shape=None,
reset_interval=None, reset_offset=0, spike_exp=6, sparse_fc_layer=False)`` reads the file with
``caldera_dl.netx.read`` (``fixed_pt`` processes, lava-dl's numbers bit for bit). As in lava-dl the network
has ``inp`` (an InPort), ``out`` (an OutPort), ``layers`` (each with ``neuron`` and, past the input, ``synapse``),
``in_layer``, ``out_layer``, ``len()``, ``run()`` and ``stop()``. It is not a process itself: connect to
``net.inp`` / from ``net.out`` and run any process of the network. ``input_shape`` must be left None (the
first layer's shape is the input's).
"""

from __future__ import annotations

import os

from lava._compat import missing, requires

_netx = requires("caldera-dl", "caldera_dl.netx", __name__)


class Network(_netx.Network):
    def __init__(
        self,
        net_config: str | os.PathLike,
        num_layers: int | None = None,
        skip_layers: int = 0,
        input_message_bits: int | None = 0,
        input_shape: tuple[int, ...] | None = None,
        reset_interval: int | None = None,
        reset_offset: int = 0,
        spike_exp: int = 6,
        sparse_fc_layer: bool = False,
    ) -> None:
        if input_shape is not None:
            raise NotImplementedError(
                f"netx.hdf5.Network(input_shape={input_shape!r}): not supported; the first layer's shape is the "
                "network's input shape"
            )
        net = _netx.read(
            net_config,
            tag="fixed_pt",
            num_layers=num_layers,
            skip_layers=skip_layers or 0,
            input_message_bits=input_message_bits or 0,
            reset_interval=reset_interval,
            reset_offset=reset_offset,
            spike_exp=spike_exp,
            sparse_fc_layer=sparse_fc_layer,
        )
        super().__init__(net.layers, source=net.source, input_shape=net.input_shape)
        self.filename = os.fspath(net_config)
        self.num_layers, self.skip_layers = num_layers, skip_layers
        self.input_message_bits, self.spike_exp = input_message_bits, spike_exp
        self.reset_interval, self.reset_offset = reset_interval, reset_offset
        self.sparse_fc_layer = sparse_fc_layer
        self.output_message_bits = self.out_layer.output_message_bits

    def __str__(self) -> str:
        return repr(self)


__all__ = ["Network"]
__getattr__ = missing(
    __name__,
    {"PyNetworkModel": "not supported: a caldera netx network is its layers' processes, it needs no model of its own"},
)
