"""2-D convolution connections (Lava's ``lava.proc.conv.process``), in Lava's XYC layout.

``weight`` has shape ``(C_out, W, H, C_in)``; input and output are ``(X, Y, C)``.
It is a true convolution (the kernel is flipped), as Lava computes it.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, numeric
from caldera.variable import Var


def make_tuple(value: ty.Any, name: str = "value") -> tuple[int, int]:
    if np.isscalar(value):
        return int(value), int(value)
    value = tuple(value)
    if len(value) == 1:
        return int(value[0]), int(value[0])
    if len(value) == 2:
        return int(value[0]), int(value[1])
    raise ParameterError(f"Conv: {name} must be an int or a pair of ints, got {value!r}")


def output_shape(input_shape, out_channels, kernel_size, stride, padding, dilation) -> tuple[int, int, int]:
    out = []
    for d in range(2):
        n = (input_shape[d] + 2 * padding[d] - dilation[d] * (kernel_size[d] - 1) - 1) // stride[d] + 1
        if n < 1:
            raise ParameterError(
                f"Conv: output size along axis {d} would be {n} (input {input_shape}, kernel {kernel_size}, "
                f"stride {stride}, padding {padding}, dilation {dilation})"
            )
        out.append(int(n))
    return out[0], out[1], int(out_channels)


def conv_matrix(input_shape, weight, stride, padding, dilation, groups) -> ty.Any:
    """The convolution as a sparse ``(out_size, in_size)`` matrix over C-order flattened XYC arrays."""
    from scipy import sparse as sp  # imported on use: keeps ``import caldera`` light

    weight = np.asarray(weight)
    c_out, kx, ky, c_in_g = weight.shape
    xin, yin, cin = input_shape
    xo, yo, co = output_shape(input_shape, c_out, (kx, ky), stride, padding, dilation)
    k_grp, c_grp = co // groups, cin // groups
    rows, cols, vals = [], [], []
    ox, oy = np.meshgrid(np.arange(xo), np.arange(yo), indexing="ij")
    ox, oy = ox.ravel(), oy.ravel()
    for i in range(kx):
        for j in range(ky):
            # true convolution: output (x, y) sees input x*s - p + (kx-1-i)*dil for kernel tap i
            ix = ox * stride[0] - padding[0] + (kx - 1 - i) * dilation[0]
            iy = oy * stride[1] - padding[1] + (ky - 1 - j) * dilation[1]
            ok = (ix >= 0) & (ix < xin) & (iy >= 0) & (iy < yin)
            oxv, oyv, ixv, iyv = ox[ok], oy[ok], ix[ok], iy[ok]
            for g in range(groups):
                for k in range(k_grp):
                    kk = k + g * k_grp
                    for c in range(c_grp):
                        w = weight[kk, i, j, c]
                        if w == 0:
                            continue
                        cc = c + g * c_grp
                        rows.append((oxv * yo + oyv) * co + kk)
                        cols.append((ixv * yin + iyv) * cin + cc)
                        vals.append(np.full(oxv.size, w, dtype=weight.dtype))
    n_out, n_in = xo * yo * co, xin * yin * cin
    if not rows:
        return sp.csr_matrix((n_out, n_in), dtype=weight.dtype)
    m = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_out, n_in))
    return m.tocsr()


class Conv(Process):
    """Convolution connection between XYC-shaped populations (send-first, like Dense)."""

    def __init__(
        self,
        *,
        weight: ty.Any,
        weight_exp: int = 0,
        input_shape: ty.Any = (1, 1, 1),
        padding: ty.Any = 0,
        stride: ty.Any = 1,
        dilation: ty.Any = 1,
        groups: int = 1,
        num_weight_bits: int = 8,
        num_message_bits: int = 0,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        weight = np.asarray(numeric("Conv", "weight", weight))
        if weight.ndim != 4:
            raise ParameterError(f"Conv: weight must have 4 dimensions (C_out, W, H, C_in), got shape {weight.shape}")
        input_shape = tuple(int(s) for s in input_shape)
        if len(input_shape) != 3:
            raise ParameterError(f"Conv: input_shape must be (X, Y, C), got {input_shape}")
        groups = integer("Conv", "groups", groups, lo=1)
        in_channels, out_channels = input_shape[-1], weight.shape[0]
        if in_channels % groups or out_channels % groups:
            raise ParameterError(
                f"Conv: in_channels={in_channels} and out_channels={out_channels} must be divisible by groups={groups}"
            )
        if weight.shape[-1] != in_channels // groups:
            raise ParameterError(
                f"Conv: weight has {weight.shape[-1]} input channels, expected {in_channels // groups} "
                f"(input_shape {input_shape}, groups {groups})"
            )
        padding_t, stride_t, dilation_t = (
            make_tuple(padding, "padding"),
            make_tuple(stride, "stride"),
            make_tuple(dilation, "dilation"),
        )
        if min(stride_t) < 1 or min(dilation_t) < 1 or min(padding_t) < 0:
            raise ParameterError("Conv: stride and dilation must be >= 1 and padding >= 0")
        kernel_size = weight.shape[1:3]
        out_shape = output_shape(input_shape, out_channels, kernel_size, stride_t, padding_t, dilation_t)
        super().__init__(
            weight=weight,
            weight_exp=integer("Conv", "weight_exp", weight_exp),
            input_shape=input_shape,
            padding=padding,
            stride=stride,
            dilation=dilation,
            groups=groups,
            num_weight_bits=integer("Conv", "num_weight_bits", num_weight_bits, 1, 8),
            num_message_bits=integer("Conv", "num_message_bits", num_message_bits, 0, 32),
            name=name,
        )
        self.input_shape = input_shape
        self.output_shape = out_shape
        self.s_in = InPort(shape=input_shape)
        self.a_out = OutPort(shape=out_shape)
        self.weight = Var(shape=weight.shape, init=weight)
        self.weight_exp = Var(shape=(1,), init=weight_exp)
        self.num_weight_bits = Var(shape=(1,), init=num_weight_bits)
        self.kernel_size = Var(shape=(2,), init=kernel_size)
        self.padding = Var(shape=(2,), init=padding_t)
        self.stride = Var(shape=(2,), init=stride_t)
        self.dilation = Var(shape=(2,), init=dilation_t)
        self.groups = Var(shape=(1,), init=groups)
        self.a_buf = Var(shape=out_shape, init=0)
        self.num_message_bits = Var(shape=(1,), init=num_message_bits)


__all__ = ["Conv", "conv_matrix", "output_shape", "make_tuple"]
