"""Lava's ``lava.proc.bit_check.process``: ``BitCheck``, which watches a Var for values beyond ``bits`` bits.

``BitCheck(bits=24, debug=0, layerid=None)``; connect it with ``bc.connect_var(var)`` (or
``bc.state.connect_var(var)`` for a one-element Var). After every step it reads the Var; once a value does not
fit a signed ``bits``-bit integer, ``bc._overflowed`` becomes 1 (and with ``debug=1`` it prints the values, as
Lava does). caldera's own ``fixed_pt`` models refuse out-of-range parameters themselves; this process is for
the states a run produces. Its model lives in this module (caldera finds models next to their process).
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera.model import LavaPyType, PyLoihiProcessModel, PyRefPort, implements, requires
from caldera.ports import RefPort
from caldera.process import AbstractProcess
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU
from caldera.variable import Var

from lava._compat import missing


class BitCheck(AbstractProcess):
    def __init__(
        self,
        *,
        layerid: int | None = None,
        debug: int | None = 0,
        bits: int | None = 24,
        name: str | None = None,
        log_config: ty.Any = None,
        **kwargs: ty.Any,
    ) -> None:
        if not (isinstance(bits, (int, np.integer)) and 1 <= bits <= 31):
            raise ValueError(f"BitCheck: bits must be an integer in 1..31, got {bits!r}")
        super().__init__(name=name, **kwargs)
        self.state = RefPort((1,))
        self.layerid = Var(shape=(1,), init=-1 if layerid is None else layerid)
        self.debug = Var(shape=(1,), init=int(debug or 0))
        self.bits = Var(shape=(1,), init=int(bits))
        self._overflowed = Var(shape=(1,), init=0)

    def connect_var(self, var: Var) -> None:
        """Watch ``var`` (of any shape)."""
        self.state = RefPort(var.shape)
        self.state.connect_var(var)

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the watched Var."""
        return self.state.shape

    @property
    def overflowed(self) -> ty.Any:
        """1 once a value has overflowed ``bits`` bits, else 0."""
        return self._overflowed.get()


@implements(proc=BitCheck, protocol=LoihiProtocol)
@requires(CPU)
class PyBitCheckModel(PyLoihiProcessModel):
    """Reads the watched Var after each step and records whether it left the signed ``bits``-bit range."""

    state: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, np.int64)
    bits: int = LavaPyType(int, int)
    layerid: int = LavaPyType(int, int)
    debug: int = LavaPyType(int, int)
    _overflowed: int = LavaPyType(int, int)

    def post_guard(self) -> bool:
        return True

    def run_post_mgmt(self) -> None:
        value = np.asarray(self.state.read())
        bits = int(np.asarray(self.bits).reshape(-1)[0])
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        debug = int(np.asarray(self.debug).reshape(-1)[0]) == 1
        if debug:
            print(f"Value is: {value} at time step: {self.time_step}")
        if value.size and (value.min() < lo or value.max() > hi):
            self._overflowed = 1
            if debug:
                layer = int(np.asarray(self.layerid).reshape(-1)[0])
                if layer >= 0:
                    print(f"layer id number: {layer}")
                print(f"value.max {value.max()}, value.min {value.min()}: outside {lo}..{hi} ({bits} bits)")


__all__ = ["BitCheck"]
__getattr__ = missing(__name__)
