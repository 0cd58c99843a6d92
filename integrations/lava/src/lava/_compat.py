"""What every ``lava.*`` module of caldera-lava shares: the errors for Lava names caldera does not provide.

A Lava 0.10 name that caldera lacks never gets a silent stand-in. Each module ends with::

    __getattr__ = missing(__name__, {"Name": "caldera equivalent or why not"})

so that ``from lava.x import Name`` raises ``ImportError`` and ``lava.x.Name`` raises
``AttributeError``, both naming the Lava path and the caldera equivalent (or "not supported").
Whole Lava modules that caldera-lava does not provide are refused the same way by a finder
placed at the end of ``sys.meta_path`` (``install_finder``), with the reasons in ``MODULE_HINTS``.
"""

from __future__ import annotations

import dis
import importlib
import importlib.abc
import importlib.machinery
import sys
import typing as ty

from lava._lava_names import MODULES as LAVA_MODULES

_IMPORT_FROM = dis.opmap["IMPORT_FROM"]

#: Lava modules (and packages) that caldera-lava does not provide, with the caldera equivalent or the reason.
#: A module not listed here but inside a listed package inherits the package's entry.
MODULE_HINTS: dict[str, str] = {
    "lava.magma.compiler": "caldera compiles on the first run; lava.magma.compiler.compiler.Compiler is provided, "
    "the compiler's internals (builders, channels, subcompilers, mapper) have no counterpart",
    "lava.magma.runtime": "caldera.runtime.Runtime runs compiled networks; lava.magma.runtime.runtime.Runtime is "
    "provided, Lava's message infrastructure and runtime services have no counterpart (no OS process per model)",
    "lava.magma.core.callback_fx": "not supported: callback functions run on Loihi hardware (nxsdk) only",
    "lava.magma.core.model.spike_type": "not supported: Lava's internal spike type enum",
    "lava.magma.core.model.interfaces": "not supported: Lava's internal port interfaces",
    "lava.magma.core.model.py.connection": "not supported: write a model for caldera.procs.LearningDense's "
    "process instead (the learning engine is caldera_cpu.models.learning)",
    "lava.magma.core.learning.learning_rule_applier": "not supported: the learning engine is "
    "caldera_cpu.models.learning (rules are parsed by caldera.learning.grammar)",
    "lava.magma.core.learning.random": "not supported: stochastic rounding is seeded by the rule's rng_seed",
    "lava.magma.core.learning.symbolic_equation": "not supported: rules are parsed by caldera.learning.parse_rule",
    "lava.magma.core.learning.string_symbols": "not supported: rules are parsed by caldera.learning.parse_rule",
    "lava.magma.core.process.interfaces": "not supported: Lava's internal process member interfaces",
    "lava.magma.core.process.ports.connection_config": "not supported: connection configs apply to Loihi hardware only",
    "lava.magma.core.process.connection": "not supported: caldera.procs.LearningDense / LearningSparse are the "
    "learning connections",
    "lava.proc.io.utils": "not supported: channel policies are options of caldera.procs.Injector/Extractor",
    "lava.utils.slurm": "not supported: SLURM boards are for Loihi hardware",
    "lava.utils.sparse": "not supported: use scipy.sparse.find",
    "lava.lib.dl.slayer": "not supported: SLAYER training is caldera_dl's job (install caldera-dl), with an API of "
    "its own (no neuron_params dicts): caldera_dl.block (Dense, Conv, Pool, Flatten, RecurrentDense, Network), "
    "caldera_dl.neuron, caldera_dl.train; lava.lib.dl.netx maps its network reader",
    "lava.lib.dl.slayer.block": "not mapped: caldera_dl.block.Dense / Conv / Pool / Flatten / RecurrentDense pair a "
    "synapse with a caldera_dl.neuron neuron (CubaLIF for cuba, AdaptiveLIF for alif, Resonator for rf, SigmaDelta "
    "for sigma_delta; nothing for adrf, adrf_iz, rf_iz), chained by caldera_dl.block.Network and exported with "
    "caldera_dl.write_netx",
    "lava.lib.dl.slayer.neuron": "not mapped: caldera_dl.neuron.CubaLIF(threshold, current_decay, voltage_decay), "
    "AdaptiveLIF, SigmaDelta and Resonator are the trainable neurons (Loihi's arithmetic; quantize=True for fixed_pt)",
    "lava.lib.dl.slayer.loss": "not mapped: caldera_dl.train.spike_rate_loss(spikes, labels, true_rate=, "
    "false_rate=) and spike_time_loss are the losses",
    "lava.lib.dl.slayer.classifier": "not mapped: caldera_dl.train.predict(spikes) (the class with the most spikes)",
    "lava.lib.dl.slayer.utils": "not mapped: caldera_dl.train.Classifier trains and tests with progress and "
    "learning curves (what Assistant and LearningStats do); caldera_dl.block.quantized quantizes a network",
    "lava.lib.dl.slayer.axon": "not mapped: caldera_dl.block.Delay (learnable axonal delays: Dense(delay=True))",
    "lava.lib.dl.slayer.io": "not supported: lava-dl's event file readers; caldera_dl.data encodes arrays as spikes",
    "lava.lib.dl.bootstrap": "not supported: install caldera-dl for training",
    "lava.lib.optimization.apps": "not supported: the clustering/TSP/scheduler apps of lava-optimization",
    "lava.lib.optimization.utils.generators.clustering_tsp_vrp": "not supported: the clustering/TSP/VRP problem "
    "generators of lava-optimization's apps (lava.lib.optimization.utils.generators.mis is provided)",
    "lava.lib.optimization.utils.report_analyzer": "not supported",
    "lava.lib.optimization.utils.solver_tuner": "not supported",
    "lava.lib.optimization.utils.datatype_converter": "not supported",
    "lava.lib.optimization.problems.bayesian": "not supported: Bayesian optimization",
    "lava.lib.optimization.solvers.bayesian": "not supported: Bayesian optimization",
    "lava.lib.optimization.solvers.lca": "not mapped: caldera-optim's sparse coding is caldera_optim.LCA (one- and "
    "two-layer LCA networks) with an API of its own",
    "lava.lib.optimization.solvers.generic": "not supported: the processes and models inside lava-optimization's "
    "solver; lava.lib.optimization.solvers.generic.solver.OptimizationSolver and .qp.solver.QPSolver are provided",
    "lava.lib.optimization.problems": "not supported: lava-optimization's problem building blocks; "
    "lava.lib.optimization.problems.problems.QUBO and QP are provided",
    "lava.lib.dl.netx.blocks": "not supported: caldera-dl builds netx layers from caldera's standard processes "
    "(caldera_dl.netx.Block: synapse + neuron), not from lava-dl's block processes",
    "lava.lib.dl.netx.utils": "not supported: caldera_dl.netx.load_layers reads a .net file's layer dictionaries",
    "lava.lib.dl.netx.sequential_modules": "not supported: lava-dl's Quantize/Dequantize/FIFO modules",
    "lava.lib.dnf.operations.shape_handlers": "not supported: internal to lava-dnf's operations (caldera_dnf's "
    "operations check shapes themselves)",
    "lava.magma.core.process.neuron": "not supported: derive a learning neuron process from "
    "lava.proc.lif.process.LearningLIF, which has the learning ports and traces",
}


def lava_module_exists(modname: str) -> bool:
    """Whether ``modname`` is a module or package of Lava 0.10 (or of its libraries)."""
    if modname in LAVA_MODULES:
        return True
    prefix = modname + "."
    return any(m.startswith(prefix) for m in LAVA_MODULES)


def module_hint(modname: str) -> str | None:
    """The reason/equivalent recorded for ``modname`` or the nearest enclosing package."""
    parts = modname.split(".")
    for i in range(len(parts), 0, -1):
        hint = MODULE_HINTS.get(".".join(parts[:i]))
        if hint is not None:
            return hint
    return None


def module_message(modname: str) -> str:
    hint = module_hint(modname)
    if lava_module_exists(modname):
        return f"{modname} (Lava 0.10) is not provided by caldera-lava: {hint or 'not supported'}"
    return f"No module named {modname!r}: it is not a module of Lava 0.10 either" + (f" ({hint})" if hint else "")


def name_message(modname: str, name: str, hints: ty.Mapping[str, str] | None = None) -> str:
    """The message for ``modname.name`` that this module does not provide."""
    hint = (hints or {}).get(name)
    path = f"{modname}.{name}"
    if hint is None:
        hint = module_hint(modname)
    if name in LAVA_MODULES.get(modname, ()) or (hints and name in hints):
        return f"{path} (Lava 0.10) is not provided by caldera-lava: {hint or 'not supported'}"
    return f"{path} is not a name of Lava 0.10's {modname}" + (f" ({hint})" if hint else "")


def _in_import_from(depth: int = 2) -> bool:
    """Whether the frame ``depth`` levels up is executing ``from module import name``."""
    try:
        f = sys._getframe(depth)
        return f.f_lasti >= 0 and f.f_code.co_code[f.f_lasti] == _IMPORT_FROM
    except (ValueError, IndexError, AttributeError):  # pragma: no cover - interpreters without frames
        return False


def missing(
    modname: str,
    hints: ty.Mapping[str, str] | None = None,
    optional: ty.Mapping[str, tuple[str, str, str]] | None = None,
) -> ty.Callable[[str], ty.Any]:
    """A module-level ``__getattr__`` that refuses every name the module does not define.

    ``from module import name`` gets an ``ImportError`` carrying the message (Python would otherwise
    replace an ``AttributeError`` by a bare "cannot import name"); attribute access gets an
    ``AttributeError`` (so ``hasattr`` keeps working). ``optional`` maps a name to ``(distribution,
    module, attribute)``: the name is that attribute of an optional caldera distribution's module when it
    is installed, and refused with the distribution to install when not.
    """
    hints = dict(hints or {})
    optional = dict(optional or {})

    def __getattr__(name: str) -> ty.Any:
        if name.startswith("__"):
            raise AttributeError(f"module {modname!r} has no attribute {name!r}")
        if name in optional:
            dist, module, attr = optional[name]
            try:
                return getattr(importlib.import_module(module), attr)
            except ModuleNotFoundError as e:
                if e.name is None or not (e.name == module or module.startswith(e.name + ".")):
                    raise
                msg = (
                    f"{modname}.{name} (Lava 0.10) is not provided by caldera-lava without {dist}: "
                    f"pip install {dist} (its {module}.{attr} implements it)"
                )
        else:
            msg = name_message(modname, name, hints)
        if _in_import_from():
            raise ImportError(msg, name=modname)
        raise AttributeError(msg)

    __getattr__.hints = hints  # type: ignore[attr-defined]  # read by `caldera lava check`
    return __getattr__


def requires(distribution: str, module: str, lava_module: str) -> ty.Any:
    """Import ``module`` of an optional caldera distribution, or raise an ImportError saying what to install."""
    try:
        return __import__(module, fromlist=["_"])
    except ModuleNotFoundError as e:
        if e.name is not None and (e.name == module or module.startswith(e.name + ".")):
            raise ImportError(
                f"{lava_module} needs {distribution}, which is not installed: pip install {distribution} "
                f"(it provides {module.split('.')[0]}, the caldera implementation behind {lava_module})",
                name=lava_module,
            ) from None
        raise


class _UnsupportedLavaModules(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: a ``lava.*`` module no file provides gets an ImportError that says why."""

    def find_spec(self, fullname: str, path: ty.Any = None, target: ty.Any = None) -> None:
        if not fullname.startswith("lava.") or fullname.startswith("lava._"):
            return None
        # only once the regular finders have failed (this finder is the last one)
        raise ModuleNotFoundError(module_message(fullname), name=fullname)


def install_finder() -> None:
    if not any(isinstance(f, _UnsupportedLavaModules) for f in sys.meta_path):
        sys.meta_path.append(_UnsupportedLavaModules())


__all__ = ["LAVA_MODULES", "MODULE_HINTS", "missing", "requires", "install_finder", "name_message", "module_message"]
