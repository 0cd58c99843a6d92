"""The whole plugin contract of Caldera: the hooks a plugin may implement.

A plugin is a module (or object) with functions marked ``@caldera.hookimpl``,
advertised by its distribution under the entry-point group ``caldera``::

    [project.entry-points.caldera]
    cpu = "caldera_cpu.plugin"

The core calls ``pm.hook.<name>()`` and never imports a plugin.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("caldera")
hookimpl = pluggy.HookimplMarker("caldera")


@hookspec
def caldera_backends() -> list:
    """Return the backends this plugin provides, as ``caldera.backend.Backend`` objects.

    Called once when the plugin manager is created. A backend has a name, a
    priority (the default backend is the installed one with the highest), and
    knows which models it can execute and how to build an executor for them.
    """


@hookspec
def caldera_process_models(process_class, backend) -> list:
    """Return the process-model classes this plugin provides.

    Each class carries ``@implements``, ``@requires`` and ``@tag``. Models are
    found only this way (or next to their process in user code, or pinned in
    the run configuration); nothing scans folders.

    The core says what it is looking for: a model of ``process_class`` (a
    Process subclass) to run on the backend named ``backend``; both are None
    when it wants every model (``caldera plugins``). A plugin whose models
    cannot serve the request may return an empty list *without importing
    them*, which keeps the first compile of a session fast however many
    plugins are installed; otherwise it returns all of its models (the core
    keeps them). An implementation may name either argument, both or neither
    (pluggy passes only those it names).
    """


@hookspec
def caldera_cli(commands: dict) -> None:
    """Add subcommands to the ``caldera`` command line.

    ``commands`` maps a subcommand name to ``(help, configure, run)``:
    ``configure(parser)`` adds arguments to an ``argparse`` subparser and
    ``run(args) -> int`` executes it. Add entries in place.
    """


def defined_in(process_class: type, package: str) -> bool:
    """Whether ``process_class``, or a class it derives from, is defined in ``package``.

    How a library's plugin tells, without importing its models, that a
    ``caldera_process_models`` request is for one of its own processes (a user's
    subclass counts too).
    """
    prefix = package + "."
    return any(getattr(k, "__module__", "").startswith(prefix) for k in getattr(process_class, "__mro__", ()))
