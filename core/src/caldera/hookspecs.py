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


@hookspec(firstresult=True)
def caldera_unknown_kwargs(process_class, names) -> bool | None:
    """A process of class ``process_class`` is given keyword arguments its ``__init__`` does not take
    (``names``, a list). Return True to keep them in the process's ``proc_params`` and otherwise ignore
    them (Lava's behaviour; caldera-lava does so for processes made by Lava scripts), or None: the
    ``TypeError`` naming the allowed arguments. Asked only when such arguments are given.
    """


@hookspec
def caldera_user_models(process_class) -> list:
    """Return model classes of ``process_class`` (a user's Process subclass) found outside the module that
    defines it, or an empty list.

    Asked at every compile for each process whose model is being selected, after the plugins' own models
    (``caldera_process_models``) and the models defined next to the process. Caldera itself scans no
    folders; caldera-lava implements this for Lava code, where Lava's compiler finds the models kept
    in the other modules of the process's package (``process.py`` + ``models.py``). Keep it cheap for
    classes it does not serve.
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
