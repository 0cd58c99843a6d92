"""Field populations: LIF neurons with Loihi's fixed-point parameters, usable under either tag."""

from __future__ import annotations

import typing as ty

from caldera.errors import ParameterError
from caldera.procs import LIF

TAGS = ("fixed_pt", "floating_pt")


def lif_field(
    shape: ty.Any, *, tag: str = "fixed_pt", du: int = 409, dv: int = 2047, vth: int = 200, name: str | None = None
) -> LIF:
    """A LIF population for a field, from Loihi-style integer parameters (lava-dnf's tutorial defaults).

    ``du``/``dv`` are 12-bit decays (0..4095) and ``vth`` the threshold in weight units. For
    ``tag="fixed_pt"`` they are used as given. For ``"floating_pt"`` they become the equivalent float
    decays ``(du + 1) / 4096`` (Loihi adds 1 to du) and ``dv / 4096``; ``vth`` stays, because the
    fixed-point model shifts both inputs and threshold by 6 bits, so the same weights drive both alike.
    """
    if tag not in TAGS:
        raise ParameterError(f"lif_field: <tag> must be one of {TAGS}, got {tag!r}")
    for pname, val, hi in (("du", du, 4095), ("dv", dv, 4095)):
        if not isinstance(val, int) or not 0 <= val <= hi:
            raise ParameterError(f"lif_field: <{pname}> must be an int in 0..{hi} (12-bit decay), got {val!r}")
    if not isinstance(vth, int) or vth < 0:
        raise ParameterError(f"lif_field: <vth> must be an int >= 0, got {vth!r}")
    if tag == "fixed_pt":
        return LIF(shape=shape, du=du, dv=dv, vth=vth, name=name)
    return LIF(shape=shape, du=min(1.0, (du + 1) / 4096), dv=dv / 4096, vth=float(vth), name=name)


__all__ = ["lif_field", "TAGS"]
