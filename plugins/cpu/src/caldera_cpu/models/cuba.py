"""NumPy models of :class:`caldera.procs.CubaLIF` (``floating_pt`` and ``fixed_pt``)."""

from __future__ import annotations

from caldera import declarations as decl
from caldera import kernels
from caldera.model import PyLoihiProcessModel, implements, requires, tag
from caldera.procs.cuba import CubaLIF
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU


@implements(proc=CubaLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyCubaLIFModelFloat(decl.CubaLifFloatFields, PyLoihiProcessModel):
    """Two decaying currents feed a leaky voltage; v is held for ``refractory_period`` steps after a spike."""

    schedule = "recv_first"

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.refractory_period = proc_params["refractory_period"]

    def run_spk(self) -> None:
        a_exc = self.a_in_exc.recv()
        a_inh = self.a_in_inh.recv()
        self.u_exc[:] = self.u_exc * (1 - self.du_exc) + a_exc
        self.u_inh[:] = self.u_inh * (1 - self.du_inh) + a_inh
        active = self.refractory_period_end < self.time_step
        self.v[active] = self.v[active] * (1 - self.dv) + (
            self.u_exc[active] + self.u_inh[active] + self.bias_mant[active]
        )
        s = self.v > self.vth
        self.refractory_period_end[s] = self.time_step + self.refractory_period
        self.v[s] = 0
        self.s_out.send(s)


@implements(proc=CubaLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyCubaLIFModelFixed(decl.CubaLifFixedFields, PyLoihiProcessModel):
    """Loihi's LIF arithmetic on both currents (see :mod:`caldera.procs.cuba`)."""

    schedule = "recv_first"

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.refractory_period = proc_params["refractory_period"]

    def validate(self) -> None:
        kernels.require_integers(self, ("du_exc", "du_inh", "dv", "bias_mant", "bias_exp", "vth"))
        self._prepare()

    def on_var_set(self, name: str) -> None:
        self._prepare()

    def _prepare(self) -> None:
        for name in ("du_exc", "du_inh", "dv", "vth"):
            setattr(self, name, kernels.scalar(getattr(self, name)))
        self.params = kernels.cuba_params(self.du_exc, self.du_inh, self.dv, self.bias_mant, self.bias_exp)
        self.effective_vth = kernels.threshold(self.vth)

    def run_spk(self) -> None:
        p = self.params
        (u_exc, u_inh), v = kernels.subthreshold(
            [self.u_exc, self.u_inh],
            self.v,
            [self.a_in_exc.recv(), self.a_in_inh.recv()],
            [p.m_exc, p.m_inh, p.mv],
            p.bias,
        )
        self.u_exc[:] = u_exc
        self.u_inh[:] = u_inh
        active = self.refractory_period_end < self.time_step
        self.v[active] = v[active]
        s = self.v > self.effective_vth
        self.refractory_period_end[s] = self.time_step + self.refractory_period
        self.v[s] = 0
        self.s_out.send(s)


MODELS = [PyCubaLIFModelFloat, PyCubaLIFModelFixed]
