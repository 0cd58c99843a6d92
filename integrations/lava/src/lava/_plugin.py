"""caldera-lava's plugin: adds ``caldera lava check SCRIPT`` to the ``caldera`` command (hook ``caldera_cli``).

It provides no models or backends: the ``lava.*`` names are caldera's own classes.
"""

from __future__ import annotations

from caldera.hookspecs import hookimpl


@hookimpl
def caldera_cli(commands: dict) -> None:
    from lava import _check

    commands["lava"] = ("Lava compatibility: check a Lava script's imports", _check.configure, _check.run)
