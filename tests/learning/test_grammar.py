"""The learning-rule grammar, the rule objects and their parameter checks."""

from __future__ import annotations

from fractions import Fraction

import pytest
from caldera.errors import ParameterError
from caldera.learning import (
    LoihiLearningRule,
    RewardModulatedSTDP,
    RuleSyntaxError,
    STDPLoihi,
    float_to_literal,
    parse_rule,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    "value, literal",
    [
        (0, "0"),
        (1, "(1)"),
        (3, "(3)"),
        (-2, "(-2)"),
        (0.0625, "(1) * 2 ^ -4"),
        (-0.7046472962385681, "(-1) * 2 ^ -1"),
        (1.1364837761955895, "(1) * 2 ^ 0"),
        (0.25, "(1) * 2 ^ -2"),
    ],
)
def test_float_to_literal_matches_lava(value, literal):
    assert float_to_literal(value) == literal


def test_stdp_rule_string_and_products():
    r = STDPLoihi(
        learning_rate=0.0625,
        A_plus=1.1364837761955895,
        A_minus=-0.7046472962385681,
        tau_plus=5.4,
        tau_minus=18.1,
        t_epoch=1,
    )
    assert r.dw_str == "(1) * 2 ^ -4 * (-1) * 2 ^ -1 * x0 * y1 + (1) * 2 ^ -4 * (1) * 2 ^ 0 * y0 * x1"
    p0, p1 = r.dw.products
    assert (p0.dependency, p0.scale, [f.state_var for f in p0.factors]) == ("x0", -(2**-5), ["y1"])
    assert (p1.dependency, p1.scale, [f.state_var for f in p1.factors]) == ("y0", 2**-4, ["x1"])
    assert p0.exact and p1.exact and p0.s_mantissa * 2.0**p0.s_exp == p0.scale
    assert r.x1_impulse == 16 and r.y1_impulse == 16 and r.x1_tau == 5.4 and r.y1_tau == 18.1
    assert r.active_traces_per_dependency == {"x0": {"y1"}, "y0": {"x1"}}
    assert r.needs_post_synaptic


def test_reward_modulated_stdp_rules():
    r = RewardModulatedSTDP(
        learning_rate=1,
        A_plus=2,
        A_minus=-2,
        pre_trace_decay_tau=10,
        post_trace_decay_tau=10,
        pre_trace_kernel_magnitude=16,
        post_trace_kernel_magnitude=16,
        eligibility_trace_decay_tau=0.5,
    )
    assert r.dw_str.strip() == "u0 * t * y2"
    assert r.decimate_exponent == 0
    assert [p.dependency for p in r.dt.products] == ["x0", "y0", "u"]
    assert r.dt.products[2].scale == -0.5
    assert r.y1_tau == 65535 and r.y1_impulse == 0


def test_decimals_brackets_sgn():
    ps = parse_rule("dw", "0.3*x0*y1 - u1 * sgn(w - 2) * (3 - x1) + 2^3 * y0 * (t + 1.5)")
    a, b, c = ps.products
    assert a.scale == pytest.approx(0.3) and not a.exact and a.s_mantissa * 2.0**a.s_exp == pytest.approx(0.3125)
    assert b.dependency == "u" and b.decimate_exponent == 1 and b.scale == 1.0  # -1 * (-(x1 - 3))
    assert b.factors[0].state_var == "w" and b.factors[0].is_sgn and b.factors[0].const == -2
    assert b.factors[1].state_var == "x1" and b.factors[1].const == -3
    assert c.scale == 8 and c.factors[0].const == 1.5
    assert ps.decimate_exponent == 1


@pytest.mark.parametrize(
    "rule, pos, words",
    [
        ("x0 * y1 % 2", 8, "unexpected character"),
        ("x0 * z1", 5, "unknown name 'z1'"),
        ("x3 * y0", 0, "unknown name 'x3'"),
        ("x1 * y1", 0, "no dependency"),
        ("2^x0", 2, "exponent"),
        ("x0 * (y1 + 2", 5, "never closed"),
        ("x0*y1 +", 7, "ends where a factor"),
        ("x0 * sgn(x1)", 9, "w, d or t"),
        ("x0 * y1 y1", 8, "expected '+'"),
        ("", 0, "empty"),
        ("u0 * x1 + u1 * y1", 10, "same K"),
        ("x0 * u0", 5, "uK must be the dependency"),
        ("4000 * x0", 0, "outside what Loihi"),
    ],
)
def test_bad_rules_point_at_the_token(rule, pos, words):
    with pytest.raises(RuleSyntaxError) as ei:
        parse_rule("dw", rule)
    e = ei.value
    assert e.pos == pos and words in str(e)
    lines = str(e).splitlines()
    assert lines[-2].strip() == rule.strip() and lines[-1].index("^") - 4 == pos


@pytest.mark.parametrize(
    "kw, words",
    [
        (dict(dw="x0*y1", t_epoch=0), "t_epoch"),
        (dict(dw="x0*y1", t_epoch=-2), "t_epoch"),
        (dict(dw="x0*y1", t_epoch=1.5), "t_epoch"),
        (dict(dw="x0*y1", t_epoch=64), "6-bit"),
        (dict(dw="x0*y1", x1_impulse=-1), "x1_impulse"),
        (dict(dw="x0*y1", y2_tau=-3), "y2_tau"),
        (dict(), "no rule"),
        (dict(dw="x0*y1", rng_seed=-1), "rng_seed"),
        (dict(dw="u1*x1", dt="u2*y1"), "same K"),
    ],
)
def test_bad_rule_parameters(kw, words):
    with pytest.raises(ParameterError, match=words):
        LoihiLearningRule(**kw)


def test_setting_a_bad_rule_string_keeps_the_old_one():
    r = LoihiLearningRule(dw="x0 * y1")
    with pytest.raises(RuleSyntaxError):
        r.dw_str = "x0 * q"
    assert r.dw_str == "x0 * y1"
    r.dw_str = "y0 * x2"
    assert r.active_traces == {"x2"} and not r.needs_post_synaptic or r.dependencies == {"y0"}


_DEPS = st.sampled_from(["x0", "y0", "u0"])
_FACTORS = st.lists(st.sampled_from(["x1", "x2", "y1", "y2", "y3", "w", "d", "t"]), max_size=3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-7, 7), st.integers(-7, 4), _DEPS, _FACTORS), min_size=1, max_size=4))
def test_random_rules_round_trip(terms):
    parts = []
    for i, (m, e, dep, facs) in enumerate(terms):
        body = " * ".join([f"({m})", f"2^{e}", dep, *facs])
        parts.append(body if i == 0 else f"+ {body}")
    ps = parse_rule("dw", " ".join(parts))
    assert len(ps.products) == len(terms)
    for p, (m, e, dep, facs) in zip(ps.products, terms):
        assert p.scale == float(Fraction(m) * Fraction(2) ** e)
        assert p.dependency == ("u" if dep == "u0" else dep)
        assert [f.state_var for f in p.factors] == facs
        assert p.exact and p.s_mantissa * Fraction(2) ** p.s_exp == Fraction(m) * Fraction(2) ** e
