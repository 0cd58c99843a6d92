"""Lava-style script: on-chip learning (Lava's in-depth tutorials on STDP, custom learning rules and three-factor
learning), through ``lava.*`` names only."""

from __future__ import annotations

import numpy as np
import pytest
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.learning.constants import GradedSpikeCfg
from lava.magma.core.learning.learning_rule import Loihi2FLearningRule, Loihi3FLearningRule
from lava.magma.core.learning.utils import float_to_literal
from lava.magma.core.model.py.neuron import LearningNeuronModelFixed, LearningNeuronModelFloat
from lava.magma.core.model.py.ports import PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi2SimCfg
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from lava.proc.dense.process import Dense, LearningDense
from lava.proc.io.source import RingBuffer
from lava.proc.learning_rules.r_stdp_learning_rule import RewardModulatedSTDP
from lava.proc.learning_rules.stdp_learning_rule import STDPLoihi
from lava.proc.lif.models import AbstractPyLifModelFixed, AbstractPyLifModelFloat
from lava.proc.lif.process import LIF, LearningLIF
from lava.proc.monitor.process import Monitor


def _spikes(n: int, steps: int, times: dict[int, list[int]]) -> np.ndarray:
    s = np.zeros((n, steps))
    for i, ts in times.items():
        s[i, ts] = 1
    return s


def _run_plastic(rule, pre_times, post_times, steps=40, w0=10.0, tag_="floating_pt"):
    """One plastic synapse from a spike source to a neuron driven to spike at ``post_times``."""
    pre = RingBuffer(data=_spikes(1, steps, {0: pre_times}))
    teacher = RingBuffer(data=_spikes(1, steps, {0: post_times}))
    syn = LearningDense(weights=np.array([[w0]]), learning_rule=rule, tag_1=np.zeros((1, 1)))
    drive = Dense(weights=np.array([[250.0]]))  # one teacher spike makes the neuron fire the next step
    fixed = tag_ == "fixed_pt"
    post = LIF(shape=(1,), du=4095 if fixed else 1.0, dv=4095 if fixed else 1.0, vth=200 if fixed else 100.0)
    pre.s_out.connect(syn.s_in)
    teacher.s_out.connect(drive.s_in)
    drive.a_out.connect(post.a_in)
    post.s_out.connect(syn.s_in_bap)
    mon = Monitor()
    mon.probe(syn.weights, steps)
    mon.probe(post.s_out, steps)
    pre.run(RunSteps(num_steps=steps), Loihi2SimCfg(select_tag=tag_))
    data = mon.get_data()
    pre.stop()
    return data[syn.name]["weights"][:, 0, 0], data[post.name]["s_out"][:, 0]


# -- custom learning rules: exact effects of simple rules ---------------------------------------------------
def test_rule_on_pre_spikes_adds_a_constant_per_spike() -> None:
    rule = Loihi2FLearningRule(dw="2^-2 * x0", t_epoch=1)
    w, post_spikes = _run_plastic(rule, pre_times=[2, 5, 9], post_times=[], steps=20)
    assert post_spikes.sum() == 0
    assert w[-1] == pytest.approx(10.0 + 3 * 0.25, abs=1e-12)
    assert np.all(np.diff(w) >= 0) and np.count_nonzero(np.diff(w)) == 3


def test_rule_on_post_spikes_subtracts_per_post_spike() -> None:
    rule = Loihi2FLearningRule(dw="-2^-1 * y0", t_epoch=1)
    w, post_spikes = _run_plastic(rule, pre_times=[], post_times=[3, 7, 11, 15], steps=25)
    assert post_spikes.sum() == 4
    assert w[-1] == pytest.approx(10.0 - 4 * 0.5, abs=1e-12)


def test_learning_epoch_sees_whether_a_spike_happened_in_it() -> None:
    """With t_epoch=4 the rule runs every 4th step and x0 is 1 if the pre neuron spiked in that epoch (as in Lava):
    the spikes at steps 1 and 2 fall into one epoch and count once."""
    every = Loihi2FLearningRule(dw="2^-2 * x0", t_epoch=1)
    epoch4 = Loihi2FLearningRule(dw="2^-2 * x0", t_epoch=4)
    w1, _ = _run_plastic(every, pre_times=[1, 2, 5], post_times=[], steps=16)
    w4, _ = _run_plastic(epoch4, pre_times=[1, 2, 5], post_times=[], steps=16)
    assert w1[-1] == pytest.approx(10.75) and w4[-1] == pytest.approx(10.5)
    assert np.count_nonzero(np.diff(w4)) == 2


def test_float_to_literal_rounds_to_a_power_of_two_multiple() -> None:
    assert float_to_literal(0.25) == "2^-2" or float(eval(float_to_literal(0.25).replace("^", "**"))) == 0.25
    assert GradedSpikeCfg.USE_REGULAR_IMPULSE == 0


# -- STDP -----------------------------------------------------------------------------------------------
def _stdp() -> STDPLoihi:
    return STDPLoihi(learning_rate=1, A_plus=1, A_minus=-1, tau_plus=10, tau_minus=10, t_epoch=1)


def test_stdp_pre_before_post_potentiates() -> None:
    w, post = _run_plastic(_stdp(), pre_times=[5, 15], post_times=[6, 16], steps=30)
    assert post.sum() == 2 and w[-1] > 10.0


def test_stdp_post_before_pre_depresses() -> None:
    w, post = _run_plastic(_stdp(), pre_times=[12, 22], post_times=[3, 13], steps=30)
    assert post.sum() == 2 and w[-1] < 10.0


def test_stdp_fixed_point_changes_integer_weights() -> None:
    rule = STDPLoihi(learning_rate=1, A_plus=2, A_minus=-2, tau_plus=10, tau_minus=10, t_epoch=1, rng_seed=7)
    w, post = _run_plastic(rule, pre_times=[5, 15, 25], post_times=[6, 16, 26], steps=40, w0=20, tag_="fixed_pt")
    assert post.sum() == 3
    assert np.all(w == np.round(w)) and w[-1] > 20


# -- three-factor learning: reward-modulated STDP ----------------------------------------------------------
class RSTDPLIF(LearningLIF):
    """A LearningLIF whose models (below) compute the post-synaptic trace and take the reward as third factor."""


@implements(proc=RSTDPLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class RSTDPLIFModelFloat(LearningNeuronModelFloat, AbstractPyLifModelFloat):
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    vth: float = LavaPyType(float, float)

    def spiking_activation(self):
        return self.v > self.vth

    def run_spk(self) -> None:
        rule = self._learning_rule
        # decay the post trace, then step the neuron (which stores its spikes in s_out_buff), then add them
        self.y1 = self.y1 * np.exp(-1 / rule.post_trace_decay_tau)
        super().run_spk()
        self.y1 = self.y1 + rule.post_trace_kernel_magnitude * self.s_out_buff
        self.y2 = self.a_third_factor_in.recv()
        self.s_out_bap.send(self.s_out_buff)
        self.s_out_y1.send(self.y1)
        self.s_out_y2.send(self.y2)
        self.s_out_y3.send(self.y3)


@implements(proc=RSTDPLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class RSTDPLIFModelFixed(LearningNeuronModelFixed, AbstractPyLifModelFixed):
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    vth: int = LavaPyType(int, np.int32, precision=17)

    def scale_threshold(self):
        self.effective_vth = np.left_shift(self.vth, self.vth_shift)

    def spiking_activation(self):
        return self.v > self.effective_vth

    def run_spk(self) -> None:
        rule = self._learning_rule
        self.y1 = np.floor(self.y1 * np.exp(-1 / rule.post_trace_decay_tau))
        super().run_spk()
        self.y1 = self.y1 + rule.post_trace_kernel_magnitude * self.s_out_buff
        self.y2 = self.a_third_factor_in.recv()
        self.s_out_bap.send(self.s_out_buff)
        self.s_out_y1.send(self.y1)
        self.s_out_y2.send(self.y2)
        self.s_out_y3.send(self.y3)


def _rstdp() -> RewardModulatedSTDP:
    return RewardModulatedSTDP(
        learning_rate=1,
        A_plus=2,
        A_minus=-2,
        pre_trace_decay_tau=10,
        post_trace_decay_tau=10,
        pre_trace_kernel_magnitude=16,
        post_trace_kernel_magnitude=16,
        eligibility_trace_decay_tau=0.5,
        t_epoch=1,
        rng_seed=3,
    )


def _run_rstdp(neuron_cls, reward_times, tag_="floating_pt", steps=40):
    pre_times, post_times = [5, 15, 25], [6, 16, 26]
    pre = RingBuffer(data=_spikes(1, steps, {0: pre_times}))
    teacher = RingBuffer(data=_spikes(1, steps, {0: post_times}))
    reward = RingBuffer(data=_spikes(1, steps, {0: reward_times}))
    syn = LearningDense(weights=np.array([[20.0]]), learning_rule=_rstdp(), tag_1=np.zeros((1, 1)))
    drive = Dense(weights=np.array([[250.0]]))
    reward_syn = Dense(weights=np.array([[8.0]]))
    post = neuron_cls(
        shape=(1,),
        du=4095 if tag_ == "fixed_pt" else 1.0,
        dv=4095 if tag_ == "fixed_pt" else 1.0,
        vth=200 if tag_ == "fixed_pt" else 100.0,
        learning_rule=_rstdp(),
    )
    pre.s_out.connect(syn.s_in)
    teacher.s_out.connect(drive.s_in)
    drive.a_out.connect(post.a_in)
    reward.s_out.connect(reward_syn.s_in)
    reward_syn.a_out.connect(post.a_third_factor_in)
    post.s_out_bap.connect(syn.s_in_bap)
    post.s_out_y1.connect(syn.s_in_y1)
    post.s_out_y2.connect(syn.s_in_y2)
    post.s_out_y3.connect(syn.s_in_y3)
    mon = Monitor()
    mon.probe(syn.weights, steps)
    mon.probe(syn.tag_1, steps)
    pre.run(RunSteps(num_steps=steps), Loihi2SimCfg(select_tag=tag_))
    d = mon.get_data()[syn.name]
    pre.stop()
    return d["weights"][:, 0, 0], d["tag_1"][:, 0, 0]


@pytest.mark.parametrize("neuron_cls", [LearningLIF, RSTDPLIF], ids=["LearningLIF", "custom-RSTDPLIF"])
def test_rstdp_changes_weights_only_when_rewarded(neuron_cls) -> None:
    w_none, tag_none = _run_rstdp(neuron_cls, reward_times=[])
    assert np.any(tag_none != 0), "pre-before-post pairs must leave an eligibility trace"
    np.testing.assert_array_equal(w_none, 20.0)  # no reward, no weight change
    w_rew, _ = _run_rstdp(neuron_cls, reward_times=[8, 18, 28])
    assert w_rew[-1] > 20.0


def test_rstdp_custom_neuron_fixed_point() -> None:
    w_none, tag_none = _run_rstdp(RSTDPLIF, reward_times=[], tag_="fixed_pt")
    np.testing.assert_array_equal(w_none, 20)
    assert np.any(tag_none != 0)
    w_rew, _ = _run_rstdp(RSTDPLIF, reward_times=[8, 18, 28], tag_="fixed_pt")
    assert w_rew[-1] != 20 and np.all(w_rew == np.round(w_rew))


def test_three_factor_rule_written_by_hand() -> None:
    rule = Loihi3FLearningRule(dw="y2 * x0", t_epoch=1)
    assert rule is not None
