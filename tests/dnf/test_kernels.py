"""Kernels: lava-dnf's Gaussian conventions (widths are variances, linspace domain), validation, integers."""

from __future__ import annotations

import caldera_dnf as dnf
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def reference(amp, var, n):
    """exp(-x^2 / (2 var)) on linspace(-n/2, n/2, n), scaled to a maximum of amp (1-D)."""
    x = np.linspace(-n / 2, n / 2, n)
    g = np.exp(-(x**2) / (2 * var))
    return amp * g / g.max()


@settings(max_examples=40, deadline=None)
@given(amp=st.floats(0.1, 100), width=st.floats(0.3, 8), inh=st.floats(-50, 0))
def test_selective_kernel_1d(amp, width, inh):
    k = dnf.SelectiveKernel(amp, [width], inh)
    n = int(np.ceil(2 * width))
    n += 1 - n % 2
    assert k.weights.shape == (n,) and k.padding_value == inh
    np.testing.assert_allclose(k.weights, reference(amp, width, n) + inh, rtol=1e-12, atol=1e-12)
    assert np.argmax(k.weights) == n // 2


@settings(max_examples=30, deadline=None)
@given(ae=st.floats(1, 100), we=st.floats(0.5, 4), ai=st.floats(-100, -1), wi=st.floats(0.5, 8))
def test_multipeak_kernel_extent_follows_inhibition(ae, we, ai, wi):
    k = dnf.MultiPeakKernel(ae, [we], ai, [wi])
    n = int(np.ceil(2 * wi))
    n += 1 - n % 2
    assert k.weights.shape == (n,) and k.padding_value == 0
    np.testing.assert_allclose(k.weights, reference(ae, we, n) + reference(ai, wi, n), rtol=1e-12, atol=1e-12)


def test_two_dimensional_kernel_is_separable_product():
    k = dnf.SelectiveKernel(10, [2.0, 4.5], 0)
    assert k.weights.shape == (5, 9)
    np.testing.assert_allclose(k.weights, np.outer(reference(1, 2.0, 5), reference(1, 4.5, 9)) * 10, rtol=1e-12)


def test_scalar_width_is_float32_as_in_lava_dnf():
    w = 2.3
    k = dnf.SelectiveKernel(1, w, 0)
    assert k.width_exc.dtype == np.float32
    np.testing.assert_allclose(k.weights, reference(1, float(np.float32(w)), 5), rtol=1e-12)


def test_limit_and_explicit_shape():
    assert dnf.SelectiveKernel(1, [3.0], -1, limit=2).weights.shape == (13,)
    assert dnf.MultiPeakKernel(1, [1.0, 1.0], -1, [2.0, 2.0], shape=(7, 3)).weights.shape == (7, 3)
    with pytest.warns(UserWarning, match="even"):
        dnf.SelectiveKernel(1, [1.0], -1, shape=(4,))


def test_to_integer_truncates_toward_zero_with_scale():
    k = dnf.SelectiveKernel(20, 2.25, -15.5)
    ki = k.to_integer()
    assert ki.weights.dtype.kind == "i"
    np.testing.assert_array_equal(ki.weights, np.trunc(k.weights))
    assert ki.padding_value == -15
    np.testing.assert_array_equal(k.to_integer(4).weights, np.trunc(4 * k.weights))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: dnf.SelectiveKernel(-1, 2.0, -1), "amp_exc"),
        (lambda: dnf.SelectiveKernel(1, 2.0, 1), "global_inh"),
        (lambda: dnf.SelectiveKernel(1, 0.0, -1), "width_exc"),
        (lambda: dnf.SelectiveKernel(1, "2", -1), "width_exc"),
        (lambda: dnf.MultiPeakKernel(1, 2.0, 1, 3.0), "amp_inh"),
        (lambda: dnf.MultiPeakKernel(1, [2.0], -1, [3.0, 3.0]), "width_inh"),
        (lambda: dnf.SelectiveKernel(1, [2.0], -1, limit=0), "limit"),
        (lambda: dnf.SelectiveKernel(1, [2.0, 2.0], -1, shape=(3,)), "shape"),
        (lambda: dnf.Kernel(np.array([np.nan])), "finite"),
    ],
)
def test_kernel_errors(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_gauss_pattern_math():
    g = dnf.gauss((5, 4), amplitude=3, mean=[1, 2], stddev=[2.0, 0.5])
    i, j = np.indices((5, 4))
    ref = np.exp(-((i - 1) ** 2) / 4 - (j - 2) ** 2 / 1.0)
    np.testing.assert_allclose(g, 3 * ref / ref.max(), rtol=1e-12)
    with pytest.raises(ValueError, match="mean"):
        dnf.gauss((5,), mean=[1, 2])
    with pytest.raises(ValueError, match="stddev"):
        dnf.gauss((5,), stddev=0)
