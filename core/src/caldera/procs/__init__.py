"""The standard processes, with Lava's class and parameter names.

Their models (``floating_pt`` and ``fixed_pt``) come from backend plugins
such as ``caldera-cpu``; these are the definitions only.
"""

from caldera.procs.atrlif import ATRLIF
from caldera.procs.clp import Allocator, IdBroadcast, NoveltyDetector, PrototypeLIF, Readout
from caldera.procs.conv import Conv
from caldera.procs.conv_in_time import ConvInTime
from caldera.procs.cuba import CubaLIF
from caldera.procs.dataio import Compression, DeltaEncoder, Read, Reset, SpikeDataloader, StateDataloader
from caldera.procs.dense import DelayDense, Dense
from caldera.procs.graded import GradedReluVec, GradedVec, ProdNeuron
from caldera.procs.io import Extractor, Injector, RingBuffer, RingBufferSink
from caldera.procs.learning import LearningDense, LearningLIF, LearningSparse
from caldera.procs.lif import LIF, AbstractLIF, LIFRefractory, LIFReset, TernaryLIF
from caldera.procs.monitor import Monitor
from caldera.procs.normalize import InvSqrt, NormVecDelay
from caldera.procs.resfire import RFZero
from caldera.procs.rf import RF
from caldera.procs.rf_iz import RF_IZ
from caldera.procs.s4d import S4d, SigmaS4dDelta, SigmaS4dDeltaLayer
from caldera.procs.sdn import ActivationMode, Sigma, SigmaDelta
from caldera.procs.sparse import DelaySparse, Sparse
from caldera.procs.spiker import Receiver, Spiker

__all__ = [
    "AbstractLIF",
    "LIF",
    "LIFReset",
    "LIFRefractory",
    "TernaryLIF",
    "Dense",
    "DelayDense",
    "Sparse",
    "DelaySparse",
    "Conv",
    "Sigma",
    "SigmaDelta",
    "ActivationMode",
    "RF",
    "RingBuffer",
    "RingBufferSink",
    "Injector",
    "Extractor",
    "Monitor",
    "CubaLIF",
    "LearningDense",
    "LearningSparse",
    "LearningLIF",
    "ATRLIF",
    "RF_IZ",
    "GradedVec",
    "GradedReluVec",
    "ProdNeuron",
    "Read",
    "Reset",
    "SpikeDataloader",
    "StateDataloader",
    "DeltaEncoder",
    "Compression",
    "IdBroadcast",
    "NoveltyDetector",
    "Readout",
    "Allocator",
    "PrototypeLIF",
    "S4d",
    "SigmaS4dDelta",
    "SigmaS4dDeltaLayer",
    "ConvInTime",
    "RFZero",
    "Spiker",
    "Receiver",
    "NormVecDelay",
    "InvSqrt",
]
