"""Step 3: model instances: Vars materialised in the model's dtypes, values checked, model-side ports made."""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.model import (
    CSR_MATRIX,
    AbstractPyProcessModel,
    PyInPort,
    PyOutPort,
    PyRefPort,
    PyVarPort,
    model_fields,
)
from caldera.process import Process
from caldera.validation import check_range
from caldera.variable import Var, is_sparse


def materialize_var(var: Var, lt: ty.Any) -> ty.Any:
    """The model-side value of a Var, as Lava's builder makes it."""
    init = var.init
    if lt is None:
        return init.copy() if is_sparse(init) else var.init_value()
    cls = lt.cls
    if isinstance(cls, type) and issubclass(cls, np.ndarray):
        arr = np.empty(var.shape, dtype=lt.d_type)
        arr[...] = init.toarray() if is_sparse(init) else np.broadcast_to(np.asarray(init), var.shape)
        return arr
    if cls in (int, float, str, bool):
        return init
    if (
        cls == CSR_MATRIX
        or isinstance(cls, type)
        and cls.__name__.endswith("_matrix")
        or getattr(cls, "format", None) == "csr"
    ):
        from scipy.sparse import csr_matrix

        m = csr_matrix(init) if not is_sparse(init) else init.tocsr(copy=True)
        return m.astype(lt.d_type)
    return init


def build_model(proc: Process, model_cls: type, strict: bool = True, state: bool = True) -> AbstractPyProcessModel:
    """An instance of ``model_cls`` for ``proc``, its Vars and ports in place, validated.

    ``strict=False`` (``RunConfig(value_checks="lava")``) skips the bit-width checks and tells the model
    (``model.strict``) to take its values as Lava does. ``state=False`` builds a *shell*: the ports (so
    that the network can be wired and ordered) but no Var values (each is ``None``) and no validation;
    an MPI rank builds shells for the processes that other ranks run (``model.shell`` is True).
    """
    model = model_cls(proc.proc_params)
    model.process_name = proc.name
    model.process = proc
    model.strict = strict
    model.shell = not state
    fields = model_fields(model_cls)
    for var in proc.vars:
        if not state:
            setattr(model, var.name, None)
            continue
        if strict:
            check_range(model_cls, proc, var.name, var.init)
        setattr(model, var.name, materialize_var(var, fields.get(var.name)))
    for port in proc.in_ports:
        lt = fields.get(port.name)
        cls = lt.cls if lt is not None and isinstance(lt.cls, type) and issubclass(lt.cls, PyInPort) else PyInPort
        setattr(model, port.name, cls(port.name, proc.name, port.shape, lt.d_type if lt else float))
    for port in proc.out_ports:
        lt = fields.get(port.name)
        cls = lt.cls if lt is not None and isinstance(lt.cls, type) and issubclass(lt.cls, PyOutPort) else PyOutPort
        setattr(model, port.name, cls(port.name, proc.name, port.shape, lt.d_type if lt else float))
    for port in proc.ref_ports:
        lt = fields.get(port.name)
        setattr(model, port.name, PyRefPort(port.name, proc.name, port.shape, lt.d_type if lt else float))
    for port in proc.var_ports:
        setattr(model, port.name, PyVarPort(port.name, proc.name, port.shape, float))
    if not state:
        return model
    try:
        model.validate()
    except ParameterError:
        raise
    except (ValueError, TypeError) as e:
        raise ParameterError(f"{type(proc).__name__} {proc.name!r}: {e}") from e
    return model


def build_models(
    leaves: list[Process], model_classes: dict[int, type], strict: bool = True, state: set[int] | None = None
) -> dict[int, AbstractPyProcessModel]:
    """One model per executing process, by process id; with ``state``, only the processes whose ids it holds
    get their Vars (the others are shells, see :func:`build_model`)."""
    return {p.id: build_model(p, model_classes[p.id], strict, state is None or p.id in state) for p in leaves}


__all__ = ["build_model", "build_models", "materialize_var"]
