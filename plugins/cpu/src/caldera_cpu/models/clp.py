"""NumPy models of the continual-learning prototype (CLP) processes, ``fixed_pt`` as Lava 0.10 has them
(``IdBroadcast``'s model is untagged there, so it serves every tag)."""

from __future__ import annotations

import numpy as np
from caldera.model import LavaPyType, PyInPort, PyLoihiProcessModel, PyOutPort, implements, requires, tag
from caldera.procs.clp import Allocator, IdBroadcast, NoveltyDetector, PrototypeLIF, Readout
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU

from caldera_cpu.models.learning import PyLearningLifModelFixed


@implements(proc=IdBroadcast, protocol=LoihiProtocol)
@requires(CPU)
class IdBroadcastModel(PyLoihiProcessModel):
    """Sends ``a_in`` on ``s_out`` in the same step and keeps it in ``val``."""

    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, int)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, int)
    val: np.ndarray = LavaPyType(np.ndarray, np.int32)

    def run_spk(self) -> None:
        data = self.a_in.recv()
        self.val[...] = data
        self.s_out.send(data)


@implements(proc=NoveltyDetector, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt", "bit_accurate_loihi")
class PyNoveltyDetectorModel(PyLoihiProcessModel):
    """A clock that an input starts and an output stops; it rings (sends 1) once it has run past ``t_wait``."""

    schedule = "recv_first"
    input_aval_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    output_aval_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    novelty_detected_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)
    t_wait: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=32)

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.waiting = False  # an input is being processed and no output came yet
        self.t_passed = 0  # steps since the input arrived

    def run_spk(self) -> None:
        if np.any(self.input_aval_in.recv() != 0):
            self.waiting, self.t_passed = True, 0
        novel = False
        if np.any(self.output_aval_in.recv() != 0):  # a prototype answered: a known input
            self.waiting, self.t_passed = False, 0
        elif self.t_passed > int(self.t_wait.reshape(-1)[0]):  # waited long enough: novel
            novel, self.waiting, self.t_passed = True, False, 0
        if self.waiting:
            self.t_passed += 1
        self.novelty_detected_out.send(np.array([1 if novel else 0], dtype=np.int32))


@implements(proc=Readout, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyReadoutModel(PyLoihiProcessModel):
    """The winner's label (a pseudo-label ``-(id+1)`` for an unlabelled winner); a user label names the
    last winner's class (if it had a pseudo-label) or grades its prediction (+1/-1; -1 triggers allocation)."""

    schedule = "recv_first"
    inference_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    label_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    user_output: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)
    trigger_alloc: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)
    feedback: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)
    proto_labels: np.ndarray = LavaPyType(np.ndarray, np.int32)
    last_winner_id: np.ndarray = LavaPyType(np.ndarray, np.int32)

    def run_spk(self) -> None:
        spikes = self.inference_in.recv()
        user_label = int(self.label_in.recv().reshape(-1)[0])
        labels = self.proto_labels
        inferred, check, trigger = 0, 0, 0
        active = np.flatnonzero(spikes)
        if active.size:  # one winner expected; the first active prototype wins
            winner = int(active[0])
            self.last_winner_id[...] = winner
            if labels[winner] == 0:
                labels[winner] = -(winner + 1)
            inferred = int(labels[winner])
        if user_label != 0:
            last = int(self.last_winner_id.reshape(-1)[0])
            if labels[last] > 0:  # a labelled prototype made the prediction: grade it
                check = 1 if labels[last] == user_label else -1
                trigger = int(check < 0)
            elif labels[last] < 0:  # it had a pseudo-label: now it has the user's
                labels[last] = user_label
                inferred = user_label
        self.user_output.send(np.array([inferred], dtype=np.int32))
        self.feedback.send(np.array([check], dtype=np.int32))
        self.trigger_alloc.send(np.array([trigger], dtype=np.int32))


@implements(proc=Allocator, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyAllocatorModel(PyLoihiProcessModel):
    """On a trigger sends ``next_alloc_id`` (then increments it); otherwise 0."""

    schedule = "recv_first"
    trigger_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    allocate_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)
    next_alloc_id: np.ndarray = LavaPyType(np.ndarray, np.int32)
    n_protos: np.ndarray = LavaPyType(np.ndarray, np.int32)

    def run_spk(self) -> None:
        out = np.zeros((1,), dtype=np.int32)
        if self.trigger_in.recv().reshape(-1)[0]:
            out[0] = self.next_alloc_id.reshape(-1)[0]
            self.next_alloc_id += 1
        self.allocate_out.send(out)


@implements(proc=PrototypeLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PrototypeLIFBitAcc(PyLearningLifModelFixed):
    """Loihi's fixed-point LIF whose third-factor input is the id (1-based) of the neuron to allocate:
    that neuron spikes (``s_out`` and ``s_out_bap``) and its y1 trace, the learning rate, becomes 127
    (the others' 0) until the next allocation. ``reset_in`` clears u and v. y2 and y3 stay 0."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    reset_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=1)

    def run_spk(self) -> None:
        a_in = self.a_in.recv() if self.a_in.connected else None
        third = self.a_third_factor_in.recv()
        reset = self.reset_in.recv() > 0
        self.subthr_dynamics(a_in)
        if reset.any():
            self.v[reset] = 0
            self.u[reset] = 0
        bap = np.zeros(self.v.shape, dtype=bool)
        proto_id = int(third.reshape(-1)[0])
        if proto_id != 0:
            if not 1 <= proto_id <= bap.size:
                raise ValueError(
                    f"PrototypeLIF {self.process_name!r}: the third-factor input names prototype {proto_id}, "
                    f"but the ids of its {bap.size} prototypes are 1..{bap.size} (an Allocator with more "
                    "n_protos than prototypes?)"
                )
            bap.reshape(-1)[proto_id - 1] = True
        s = self.spiking_activation()
        if proto_id != 0:
            self.y1[...] = bap * 127
            s = bap.copy()
        self.s_out.send(s)
        self.s_out_bap.send(bap)
        self.s_out_y1.send(self.y1)
        self.s_out_y2.send(self.y2)
        self.s_out_y3.send(self.y3)
        self.reset_voltage(s)


MODELS = [IdBroadcastModel, PyNoveltyDetectorModel, PyReadoutModel, PyAllocatorModel, PrototypeLIFBitAcc]
