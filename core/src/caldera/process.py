"""``Process``: the unit of a Caldera application — Vars and ports, no execution code.

A process declares its Vars and ports in ``__init__``; every keyword argument
it passes to ``super().__init__`` is kept in ``proc_params``. How it behaves is
a *process model*, chosen when the network is compiled.

``run``/``pause``/``wait``/``stop`` talk to a :class:`NetworkRuntime` (an
interface); the runtime that implements it registers its builder with
:func:`use_runtime` (``caldera/__init__.py`` does so), so this module never
imports the runtime or the compiler, which both import it.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import typing as ty

from caldera.errors import RuntimeStateError
from caldera.ports import AbstractPort, InPort, OutPort, RefPort, VarPort
from caldera.run_conditions import AbstractRunCondition, RunSteps
from caldera.run_config import RunConfig
from caldera.variable import Var

_counter = itertools.count()


class NetworkRuntime(ty.Protocol):
    """What a process needs from the runtime of its compiled network."""

    run_cfg: RunConfig

    def run(self, condition: AbstractRunCondition) -> None: ...

    def wait(self) -> None: ...

    def pause(self) -> None: ...

    def stop(self) -> None: ...


#: builds the runtime of the network a process belongs to; set by :func:`use_runtime`
_build_runtime: ty.Callable[[Process, RunConfig | None], NetworkRuntime] | None = None


def use_runtime(build: ty.Callable[[Process, RunConfig | None], NetworkRuntime]) -> None:
    """Register how ``Process.compile``/``run`` build a runtime: ``build(root, run_cfg)`` compiles the
    network ``root`` belongs to and returns its runtime (which sets ``_runtime`` on every process)."""
    global _build_runtime
    _build_runtime = build


#: decides whether unknown keyword arguments are kept; set by :func:`use_unknown_kwargs_policy`
_unknown_kwargs_policy: ty.Callable[[type, list[str]], bool] | None = None


def use_unknown_kwargs_policy(policy: ty.Callable[[type, list[str]], bool] | None) -> None:
    """Register ``policy(process_class, names) -> bool``: True keeps keyword arguments a process's ``__init__``
    does not take in its ``proc_params`` (Lava's behaviour) instead of a ``TypeError``. ``caldera/__init__.py``
    registers the plugin hook ``caldera_unknown_kwargs`` (this module imports no plugin machinery)."""
    global _unknown_kwargs_policy
    _unknown_kwargs_policy = policy


#: gives a process made without a name its default name, or None; set by :func:`use_default_name_policy`
_default_name_policy: ty.Callable[[Process], str | None] | None = None


def use_default_name_policy(policy: ty.Callable[[Process], str | None] | None) -> None:
    """Register ``policy(process) -> str | None``, asked for the name of a process made without one (its ``id``
    is set): a string is its name, None keeps caldera's ``<ClassName>_<id>``. caldera-lava registers Lava's
    ``Process_<id>`` for processes made by Lava code, whose scripts may read those names (e.g. as the keys of a
    Monitor's data); None removes the policy."""
    global _default_name_policy
    _default_name_policy = policy


class ProcessParameters(dict):
    """The keyword arguments a process was created with (read-only by convention).

    ``overwrite(key, value)`` and ``_parameters`` are Lava's names (its ``ProcessParameters`` wraps a dict
    that ``_parameters`` exposes and whose keys ``overwrite`` replaces); here the object is the dict itself.
    """

    def overwrite(self, key: str, value: ty.Any) -> None:
        """Set ``key`` whether or not it is present (Lava's name for ``self[key] = value``)."""
        self[key] = value

    @property
    def _parameters(self) -> ProcessParameters:
        return self


class Collection:
    """Named members of one kind (Vars, InPorts, ...) in declaration order, with attribute access."""

    def __init__(self) -> None:
        object.__setattr__(self, "_members", {})

    def _add(self, name: str, member: ty.Any) -> None:
        self._members[name] = member

    def _remove(self, name: str) -> None:
        self._members.pop(name, None)

    @property
    def members(self) -> list:
        return list(self._members.values())

    @property
    def member_names(self) -> list[str]:
        return list(self._members)

    def __getattr__(self, name: str) -> ty.Any:
        try:
            return self._members[name]
        except KeyError:
            raise AttributeError(f"no member {name!r}; members: {list(self._members)}") from None

    def __getitem__(self, name: str) -> ty.Any:
        return self._members[name]

    def __contains__(self, name: object) -> bool:
        return name in self._members

    def __iter__(self):
        return iter(self._members.values())

    def __len__(self) -> int:
        return len(self._members)

    def __repr__(self) -> str:
        return f"Collection({list(self._members)})"


def _keep_unknown_kwargs(process_class: type, names: list[str]) -> bool:
    """Whether keyword arguments that ``process_class`` does not take are kept in its ``proc_params``
    instead of the ``TypeError`` (asked only when such arguments are given; see :func:`use_unknown_kwargs_policy`)."""
    return _unknown_kwargs_policy is not None and bool(_unknown_kwargs_policy(process_class, names))


def _check_kwargs(cls: type, init: ty.Callable) -> ty.Callable:
    """Wrap ``__init__``: an unknown keyword argument names the process and the allowed ones, and the
    arguments of the most derived class are recorded (``_ctor_args``) so a network can be saved."""
    sig = inspect.signature(init)
    params = sig.parameters
    open_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    allowed = [n for n, p in params.items() if n != "self" and p.kind is not inspect.Parameter.VAR_POSITIONAL]

    @functools.wraps(init)
    def wrapper(self, *args, **kwargs):
        kept: dict[str, ty.Any] = {}
        if not open_kwargs:
            unknown = [k for k in kwargs if k not in params]
            if unknown and _keep_unknown_kwargs(type(self), unknown):
                kept = {k: kwargs.pop(k) for k in unknown}
            elif unknown and type(self) is cls:
                raise TypeError(
                    f"{cls.__name__}: unknown keyword argument(s) {', '.join(map(repr, unknown))}; "
                    f"allowed: {', '.join(allowed)}"
                )
        if type(self) is cls:
            try:
                bound = sig.bind(self, *args, **kwargs)
                rec = {k: v for k, v in bound.arguments.items() if k != "self"}
                for k, p in params.items():
                    if p.kind is inspect.Parameter.VAR_KEYWORD and k in rec:
                        rec.update(rec.pop(k))
                    elif p.kind is inspect.Parameter.VAR_POSITIONAL and k in rec:
                        rec.pop(k)
                object.__setattr__(self, "_ctor_args", rec)
            except TypeError:
                pass
        init(self, *args, **kwargs)
        for k, v in kept.items():  # Lava keeps them as process parameters (nothing else reads them)
            self.proc_params.setdefault(k, v)

    wrapper.__signature__ = sig  # type: ignore[attr-defined]
    return wrapper


class Process:
    """Base class of every process (Lava's ``AbstractProcess``)."""

    def __init_subclass__(cls, **kw: ty.Any) -> None:
        super().__init_subclass__(**kw)
        if "__init__" in cls.__dict__:
            cls.__init__ = _check_kwargs(cls, cls.__dict__["__init__"])  # type: ignore[method-assign]

    def __init__(self, **kwargs: ty.Any) -> None:
        object.__setattr__(self, "_initializing", True)
        name = kwargs.get("name")
        kwargs.pop("log_config", None)
        self.id = next(_counter)
        if name is None and _default_name_policy is not None:
            name = _default_name_policy(self)
        self.name: str = name if name is not None else f"{type(self).__name__}_{self.id}"
        self.proc_params = ProcessParameters(kwargs)
        self.vars = Collection()
        self.in_ports = Collection()
        self.out_ports = Collection()
        self.ref_ports = Collection()
        self.var_ports = Collection()
        self._runtime: NetworkRuntime | None = None
        self.parent: Process | None = None
        self.sub_procs: dict[str, Process] = {}

    # -- declaration ------------------------------------------------------------------------
    def __setattr__(self, key: str, value: ty.Any) -> None:
        if isinstance(value, Var):
            self._register(key, value, self.vars)
        elif isinstance(value, AbstractPort):
            coll = self._collection_for(value)
            if coll is not None:
                self._register(key, value, coll)
        object.__setattr__(self, key, value)

    def _collection_for(self, port: AbstractPort) -> Collection | None:
        if isinstance(port, InPort):
            return self.in_ports
        if isinstance(port, OutPort):
            return self.out_ports
        if isinstance(port, RefPort):
            return self.ref_ports
        if isinstance(port, VarPort):
            return self.var_ports
        return None

    def _register(self, key: str, member: Var | AbstractPort, coll: Collection) -> None:
        if "vars" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}: call super().__init__(...) before declaring Vars and ports")
        if self._runtime is not None:
            raise RuntimeStateError(f"{self.name}: cannot declare {key!r} after the network was compiled")
        for c in (self.vars, self.in_ports, self.out_ports, self.ref_ports, self.var_ports):
            c._remove(key)
        member.name = key
        member.process = self
        coll._add(key, member)

    def _post_init(self) -> None:
        """Lava compatibility: nothing to do, members are registered as they are assigned."""

    @property
    def ports(self) -> list[AbstractPort]:
        return [*self.in_ports, *self.out_ports, *self.ref_ports, *self.var_ports]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    # -- execution --------------------------------------------------------------------------
    @property
    def runtime(self) -> NetworkRuntime | None:
        return self._runtime

    @property
    def is_compiled(self) -> bool:
        return self._runtime is not None

    def compile(self, run_cfg: RunConfig | None = None) -> NetworkRuntime:
        """Compile the network this process belongs to (done by ``run`` when needed)."""
        if self._runtime is not None:
            return self._runtime
        if _build_runtime is None:  # only when caldera.process is used without the caldera package
            raise RuntimeStateError(f"{self.name}: no runtime is registered (import caldera first)")
        return _build_runtime(self, run_cfg)

    def create_runtime(
        self, run_cfg: RunConfig | None = None, executable: ty.Any = None, compile_config: ty.Any = None
    ):
        """Lava's name for :meth:`compile`: with an ``executable`` (anything with a ``run_cfg``, such as what
        ``lava.utils.serialization.load`` returns), its run configuration is used."""
        if compile_config:
            raise RuntimeStateError(f"{self.name}.create_runtime: compile_config is not supported; use the RunConfig")
        if executable is not None:
            if run_cfg is not None:
                raise RuntimeStateError(f"{self.name}.create_runtime: give run_cfg or executable, not both")
            run_cfg = getattr(executable, "run_cfg", None)
            if run_cfg is None:
                raise RuntimeStateError(f"{self.name}.create_runtime: {executable!r} carries no run configuration")
        return self.compile(run_cfg)

    def run(self, condition: AbstractRunCondition | None = None, run_cfg: RunConfig | None = None) -> None:
        """Run the whole network this process is connected to.

        The first call compiles it with ``run_cfg``; later calls continue from
        the current state (a different ``run_cfg`` then is an error).
        """
        if condition is None:
            condition = RunSteps(num_steps=1)
        rt = self._runtime
        if rt is None:
            rt = self.compile(run_cfg)
        elif run_cfg is not None and run_cfg is not rt.run_cfg and run_cfg != rt.run_cfg:
            import copy

            watched = copy.copy(rt.run_cfg)  # the same configuration, but for what is only watched?
            watched.profile, watched.progress = run_cfg.profile, run_cfg.progress
            if watched == run_cfg:
                rt.observe(profile=run_cfg.profile, progress=run_cfg.progress)  # only what is watched changes
                rt.run(condition)
                return
            raise RuntimeStateError(
                f"{self.name}: the network was compiled with {rt.run_cfg!r}; "
                "it cannot continue with another run configuration"
            )
        rt.run(condition)

    def wait(self) -> None:
        self._require_runtime("wait").wait()

    def pause(self) -> None:
        self._require_runtime("pause").pause()

    def stop(self) -> None:
        if self._runtime is not None:
            self._runtime.stop()

    def _require_runtime(self, what: str) -> NetworkRuntime:
        if self._runtime is None:
            raise RuntimeStateError(f"{self.name}.{what}(): the process has not been run")
        return self._runtime


# Lava's name for the base class.
AbstractProcess = Process

__all__ = [
    "Process",
    "AbstractProcess",
    "ProcessParameters",
    "Collection",
    "NetworkRuntime",
    "use_runtime",
    "use_default_name_policy",
    "use_unknown_kwargs_policy",
]
