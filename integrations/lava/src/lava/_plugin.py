"""caldera-lava's plugin: adds ``caldera lava check SCRIPT`` to the ``caldera`` command (hook ``caldera_cli``),
and, for Lava code only (``lava._lavacode``), Lava's handling of unknown keyword arguments of processes
(``caldera_unknown_kwargs``) and Lava's discovery of process models in the other modules of a process's
package (``caldera_user_models``).

It provides no models or backends: the ``lava.*`` names are caldera's own classes.
"""

from __future__ import annotations

from caldera.hookspecs import hookimpl


@hookimpl
def caldera_cli(commands: dict) -> None:
    from lava import _check

    commands["lava"] = ("Lava compatibility: check a Lava script's imports", _check.configure, _check.run)


@hookimpl
def caldera_unknown_kwargs(process_class: type, names: list) -> bool | None:
    from lava._lavacode import keeps_unknown_kwargs

    return True if keeps_unknown_kwargs(process_class, names) else None


@hookimpl
def caldera_user_models(process_class: type) -> list:
    from lava._lavacode import models_beside

    return models_beside(process_class)
