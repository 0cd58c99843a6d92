"""lava-dl 0.6's ``lava.lib.dl.netx`` (caldera-lava): lava-dl ``.net`` networks as caldera processes.

``netx.hdf5.Network(net_config="net.net")`` reads the file with caldera-dl's reader
(``caldera_dl.netx.read``). Install caldera-dl (``pip install torch==2.13.0`` first, then
``pip install caldera-lava[dl]``); without it importing this package raises an ImportError that says so.
"""

from lava._compat import missing, requires

requires("caldera-dl", "caldera_dl.netx", __name__)

from lava.lib.dl.netx import hdf5  # noqa: E402  (after the check, so that the error names caldera-dl)

__all__ = ["hdf5"]
__getattr__ = missing(
    __name__,
    {
        "blocks": "not supported: caldera-dl builds netx layers from caldera's standard processes "
        "(caldera_dl.netx.Block: synapse + neuron), not from lava-dl's block processes",
        "utils": "not supported name by name: caldera_dl.netx.load_layers reads the file's layer dictionaries",
        "modules": "not supported: lava-dl's sequential modules (Quantize, Dequantize, FIFO)",
    },
)
