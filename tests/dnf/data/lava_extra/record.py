"""Record extra lava-dnf 0.3 weight matrices for edge cases (test_golden_weights.py reads them).

Run with the Lava 0.10 interpreter that has lava-dnf 0.3:
    "$(python benchmarks/refenv.py lava | cut -d" " -f2)" tests/dnf/data/lava_extra/record.py
Each case is NAME.json (same format as ../*.json; a kernel may also be {"array": [...], "padding_value": x})
and NAME.npz (``weights``). Cases: even and oversized kernels (padded and circular), scalar widths, limit and
explicit kernel shapes, 3-D convolutions, 0-D populations, 3-D reorders that are their own inverse.
"""

import json
import pathlib

import numpy as np
from lava.lib.dnf.kernels.kernels import Kernel, MultiPeakKernel, SelectiveKernel
from lava.lib.dnf.operations.enums import BorderType, ReduceMethod
from lava.lib.dnf.operations.operations import Convolution, ExpandDims, Flip, ReduceDims, ReorderDims, Weights
from lava.lib.dnf.operations.shape_handlers import KeepShapeShapeHandler  # noqa: F401  (import check)

HERE = pathlib.Path(__file__).parent
rng = np.random.default_rng(2024)


def kern(spec):
    if "array" in spec:
        return Kernel(np.array(spec["array"]), padding_value=spec.get("padding_value", 0))
    cls = {"SelectiveKernel": SelectiveKernel, "MultiPeakKernel": MultiPeakKernel}[spec["kernel"]]
    params = {k: (tuple(v) if k == "shape" else v) for k, v in spec["params"].items()}
    return cls(**params)


def make(op):
    p = dict(op.get("params", {}))
    name = op["op"]
    if name == "Convolution":
        bts = p.get("border_types", "PADDED")
        bts = [BorderType[b] for b in bts] if isinstance(bts, list) else BorderType[bts]
        return Convolution(kern(p["kernel"]), border_types=bts)
    if name == "ReduceDims":
        rd = p["reduce_dims"]
        return ReduceDims(tuple(rd) if isinstance(rd, list) else rd, ReduceMethod[p.get("reduce_method", "SUM")])
    if name == "ExpandDims":
        nd = p["new_dims_shape"]
        return ExpandDims(tuple(nd) if isinstance(nd, list) else nd)
    if name == "ReorderDims":
        return ReorderDims(tuple(p["order"]))
    if name == "Flip":
        return Flip(tuple(p["dims"])) if "dims" in p else Flip()
    if name == "Weights":
        return Weights(p["weight"])
    raise ValueError(name)


def weights_of(src, ops):
    shape = tuple(src)
    w = None
    for spec in ops:
        op = make(spec)
        op.configure(shape)
        shape = op.output_shape
        m = op.compute_weights()
        w = m if w is None else m @ w
    return shape, w


def arr(*shape):
    return np.round(rng.normal(size=shape), 6).tolist()


CASES = {
    "even_kernel_padded": (
        (9,),
        [{"op": "Convolution", "params": {"kernel": {"array": arr(4), "padding_value": -0.5}}}],
    ),
    "even_kernel_circular": (
        (8,),
        [
            {
                "op": "Convolution",
                "params": {"kernel": {"array": arr(4), "padding_value": -0.5}, "border_types": "CIRCULAR"},
            }
        ],
    ),
    "big_kernel_padded": ((5,), [{"op": "Convolution", "params": {"kernel": {"array": arr(9), "padding_value": 1.5}}}]),
    "big_kernel_circular": (
        (5,),
        [{"op": "Convolution", "params": {"kernel": {"array": arr(9)}, "border_types": "CIRCULAR"}}],
    ),
    "big_even_kernel_circular_2d": (
        (4, 5),
        [
            {
                "op": "Convolution",
                "params": {
                    "kernel": {"array": arr(7, 8), "padding_value": 0.25},
                    "border_types": ["CIRCULAR", "CIRCULAR"],
                },
            }
        ],
    ),
    "odd_diff_even_kernel_2d": (
        (7, 6),
        [
            {
                "op": "Convolution",
                "params": {
                    "kernel": {"array": arr(2, 3), "padding_value": -1.0},
                    "border_types": ["PADDED", "CIRCULAR"],
                },
            }
        ],
    ),
    "scalar_width_selective": (
        (11,),
        [
            {
                "op": "Convolution",
                "params": {
                    "kernel": {
                        "kernel": "SelectiveKernel",
                        "params": {"amp_exc": 7.3, "width_exc": 2.3, "global_inh": -1.7},
                    }
                },
            }
        ],
    ),
    "scalar_width_multipeak_circular": (
        (13,),
        [
            {
                "op": "Convolution",
                "params": {
                    "kernel": {
                        "kernel": "MultiPeakKernel",
                        "params": {"amp_exc": 30.1, "width_exc": 1.7, "amp_inh": -12.9, "width_inh": 3.3},
                    },
                    "border_types": "CIRCULAR",
                },
            }
        ],
    ),
    "limit_and_shape_kernels": (
        (12, 7),
        [
            {
                "op": "Convolution",
                "params": {
                    "kernel": {
                        "kernel": "SelectiveKernel",
                        "params": {"amp_exc": 4.0, "width_exc": [1.3, 0.9], "global_inh": -0.5, "limit": 2.5},
                    }
                },
            },
            {
                "op": "Convolution",
                "params": {
                    "kernel": {
                        "kernel": "MultiPeakKernel",
                        "params": {
                            "amp_exc": 4.0,
                            "width_exc": [1.3, 0.9],
                            "amp_inh": -2.0,
                            "width_inh": [2.0, 2.5],
                            "shape": [5, 3],
                        },
                    },
                    "border_types": "CIRCULAR",
                },
            },
        ],
    ),
    "conv_3d_mixed": (
        (4, 5, 3),
        [
            {
                "op": "Convolution",
                "params": {
                    "kernel": {
                        "kernel": "SelectiveKernel",
                        "params": {"amp_exc": 3.0, "width_exc": [1.0, 2.0, 0.7], "global_inh": -0.3},
                    },
                    "border_types": ["CIRCULAR", "PADDED", "CIRCULAR"],
                },
            }
        ],
    ),
    "zero_d_expand": (
        (1,),
        [{"op": "ExpandDims", "params": {"new_dims_shape": [3, 4]}}, {"op": "Weights", "params": {"weight": 2.5}}],
    ),
    "zero_d_reduce_all": ((3, 4), [{"op": "ReduceDims", "params": {"reduce_dims": [0, 1], "reduce_method": "MEAN"}}]),
    "reorder_3d_involution": (
        (2, 3, 4),
        [{"op": "ReorderDims", "params": {"order": [2, 1, 0]}}, {"op": "Flip", "params": {"dims": [0, 2]}}],
    ),
    "expand_3d_reduce_chain": (
        (3,),
        [
            {"op": "ExpandDims", "params": {"new_dims_shape": [2, 4]}},
            {"op": "ReduceDims", "params": {"reduce_dims": [1]}},
            {"op": "Flip"},
        ],
    ),
}


if __name__ == "__main__":
    for name, (src, ops) in CASES.items():
        dst, w = weights_of(src, ops)
        spec = {"name": name, "src_shape": list(src), "dst_shape": [int(d) for d in dst], "ops": ops}
        (HERE / f"{name}.json").write_text(json.dumps(spec, indent=1))
        np.savez_compressed(HERE / f"{name}.npz", weights=np.asarray(w, dtype=float))
        print(name, src, "->", dst, np.shape(w))
