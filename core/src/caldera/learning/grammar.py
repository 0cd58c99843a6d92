"""The learning-rule string grammar of Loihi (Lava's syntax, plus decimal literals).

A rule is a sum of products::

    dw = 2^-4 * x0 * y1 - 0.5 * y0 * x1 + u0 * (w - 3) * sgn(t + 1)

Every product has exactly one *dependency* -- ``x0`` (pre-synaptic spike in
the epoch), ``y0`` (post-synaptic spike) or ``uK`` (every ``2**K`` epochs) --
the first one written; further ``x0``/``y0`` act as 0/1 factors. The other
factors are traces (``x1``, ``x2``, ``y1``, ``y2``, ``y3``), synaptic variables
(``w`` weight, ``d`` delay/tag_2, ``t`` tag/tag_1), a bracket ``(v + C)`` or
``(C - v)`` adding a constant, and ``sgn(v + C)`` of a synaptic variable.
Literals (integers, decimals like ``0.25``, powers like ``2^-3``, products of
them) multiply into the product's scaling constant.

On the chip the scaling constant is ``s_mantissa * 2**s_exp`` with a 4-bit
signed mantissa and ``-7 <= s_exp <= 8``; constants that are not exactly of
that form (possible only with decimal literals or odd integers above 7) are
kept exactly for floating-point models and rounded to the nearest such value
for fixed-point models (``Product.exact`` says which).
"""

from __future__ import annotations

import dataclasses
import re
import typing as ty
from fractions import Fraction

from caldera.errors import ParameterError
from caldera.learning import constants as K

__all__ = ["RuleSyntaxError", "Factor", "Product", "ProductSeries", "parse_rule"]


class RuleSyntaxError(ParameterError):
    """A learning-rule string that does not parse; the message points at the offending token."""

    def __init__(self, target: str, rule: str, pos: int, what: str) -> None:
        self.target, self.rule, self.pos = target, rule, pos
        super().__init__(f"cannot parse the learning rule {target} = {rule!r}: {what}\n    {rule}\n    {' ' * pos}^")


@dataclasses.dataclass(frozen=True)
class Factor:
    """One factor of a product: a state variable, an optional added constant, optionally under ``sgn``."""

    state_var: str
    const: float | None = None
    is_sgn: bool = False

    @property
    def has_const(self) -> bool:
        return self.const is not None

    @property
    def width(self) -> int:
        """Bits the chip gives this factor."""
        return K.FACTOR_TO_WIDTH[self.state_var]


@dataclasses.dataclass(frozen=True)
class Product:
    """``scale * dependency * factor * ...``: one term of a rule."""

    target: str
    dependency: str
    scale: float
    s_mantissa: int
    s_exp: int
    exact: bool
    factors: tuple[Factor, ...]
    decimate_exponent: int | None = None
    text: str = ""


@dataclasses.dataclass(frozen=True)
class ProductSeries:
    """A parsed rule: the products whose sum changes the rule's target each epoch."""

    target: str
    text: str
    products: tuple[Product, ...]
    decimate_exponent: int | None

    @property
    def active_traces_per_dependency(self) -> dict[str, set[str]]:
        """Which traces each dependency reads (Lava's bookkeeping for the learning engine)."""
        out: dict[str, set[str]] = {}
        for p in self.products:
            s = out.setdefault(p.dependency, set())
            s.update(f.state_var for f in p.factors if f.state_var in K.TRACES)
        return out

    @property
    def dependencies(self) -> set[str]:
        return {p.dependency for p in self.products}


# -- tokens ------------------------------------------------------------------------------
_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)|(?P<op>[-+*^()]))"
)
_KNOWN = "x0, y0, uK (K a digit), x1, x2, y1, y2, y3, w, d, t, sgn(...)"


@dataclasses.dataclass
class _Tok:
    kind: str  # "num" | "name" | "op" | "end"
    text: str
    pos: int


def _tokenize(target: str, rule: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(rule)
    while i < n:
        if rule[i].isspace():
            i += 1
            continue
        m = _TOKEN.match(rule, i)
        if m is None or m.end() == i:
            raise RuleSyntaxError(target, rule, i, f"unexpected character {rule[i]!r}")
        kind = m.lastgroup or "op"
        start = m.start(kind)
        toks.append(_Tok(kind, m.group(kind), start))
        i = m.end()
    toks.append(_Tok("end", "", n))
    return toks


# -- parser ------------------------------------------------------------------------------
@dataclasses.dataclass
class _Atom:
    kind: str  # "lit" | "dep" | "var"
    value: Fraction | None = None
    name: str = ""
    decimate: int | None = None
    pos: int = 0


class _Parser:
    def __init__(self, target: str, rule: str) -> None:
        self.target, self.rule = target, rule
        self.toks = _tokenize(target, rule)
        self.i = 0
        self.decimate: int | None = None

    # helpers
    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def fail(self, tok: _Tok, what: str) -> ty.NoReturn:
        raise RuleSyntaxError(self.target, self.rule, tok.pos, what)

    def take(self, text: str | None = None) -> _Tok:
        t = self.tok
        if text is not None and t.text != text:
            shown = repr(t.text) if t.kind != "end" else "the end of the rule"
            self.fail(t, f"expected {text!r}, found {shown}")
        self.i += 1
        return t

    def at(self, *texts: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in texts

    # grammar
    def parse(self) -> ProductSeries:
        if self.tok.kind == "end":
            self.fail(self.tok, "the rule is empty")
        products = []
        sign = 1
        if self.at("+", "-"):
            sign = -1 if self.take().text == "-" else 1
        while True:
            start = self.tok.pos
            products.append(self.product(sign, start))
            if self.tok.kind == "end":
                break
            if not self.at("+", "-"):
                shown = repr(self.tok.text)
                self.fail(self.tok, f"expected '+', '-', '*' or the end of the rule, found {shown}")
            sign = -1 if self.take().text == "-" else 1
        return ProductSeries(self.target, self.rule, tuple(products), self.decimate)

    def signed(self) -> int:
        sign = 1
        while self.at("+", "-"):
            if self.take().text == "-":
                sign = -sign
        return sign

    def literal(self) -> Fraction:
        t = self.tok
        if t.kind != "num":
            self.fail(t, "expected a number")
        self.take()
        value = Fraction(t.text)
        if self.at("^"):
            hat = self.take()
            esign = self.signed()
            et = self.tok
            if et.kind != "num" or not re.fullmatch(r"\d+", et.text):
                self.fail(et if et.kind != "end" else hat, "the exponent after '^' must be an integer")
            self.take()
            if value == 0:
                self.fail(t, "0 cannot be raised to a power")
            value = value ** (esign * int(et.text))
        return value

    def atom(self) -> _Atom:
        t = self.tok
        if t.kind == "num":
            return _Atom("lit", value=self.literal(), pos=t.pos)
        if t.kind == "name":
            name = t.text
            if name in (K.X0, K.Y0):
                self.take()
                return _Atom("dep", name=name, pos=t.pos)
            m = re.fullmatch(r"u(\d)", name)
            if m:
                self.take()
                k = int(m.group(1))
                if self.decimate is not None and self.decimate != k:
                    self.fail(t, f"all uK dependencies of a rule must use the same K (found u{self.decimate} before)")
                self.decimate = k
                return _Atom("dep", name=K.U, decimate=k, pos=t.pos)
            if name in K.TRACES or name in K.SYNAPTIC_VARIABLES:
                self.take()
                return _Atom("var", name=name, pos=t.pos)
            if name == "sgn":
                self.fail(t, "sgn(...) cannot be used here")
            self.fail(t, f"unknown name {name!r}; a rule can use {_KNOWN}")
        if t.kind == "end":
            self.fail(t, "the rule ends where a factor was expected")
        self.fail(t, f"expected a factor (a number, a dependency, a trace or a synaptic variable), found {t.text!r}")

    def bracket(self, sgn: bool) -> tuple[Fraction, Factor | None]:
        """``(...)`` or ``sgn(...)``: [sign] a [sign b], one of a, b a variable and the other a literal.

        Returns the multiplier for the scaling constant and the factor (None for a bare literal).
        """
        open_tok = self.take("(")
        terms: list[tuple[int, _Atom]] = []
        while True:
            s = self.signed()
            terms.append((s, self.atom()))
            if self.at(")"):
                break
            if self.tok.kind == "end":
                self.fail(open_tok, "this bracket is never closed (missing ')')")
            if len(terms) == 2 or not self.at("+", "-"):
                self.fail(self.tok, "a bracket holds '[+-]variable [+-] constant' (or one term)")
            # the sign is read by signed() in the next iteration
        self.take(")")
        lits = [(s, a) for s, a in terms if a.kind == "lit"]
        vars_ = [(s, a) for s, a in terms if a.kind != "lit"]
        if len(vars_) > 1:
            self.fail(_Tok("name", "", vars_[1][1].pos), "a bracket may hold only one variable")
        if not vars_:
            if sgn:
                self.fail(open_tok, "sgn(...) needs a synaptic variable w, d or t")
            return sum((s * a.value for s, a in lits), Fraction(0)), None
        vs, va = vars_[0]
        const = None
        if lits:
            const = lits[0][0] * lits[0][1].value
        if sgn:
            if va.name not in K.SYNAPTIC_VARIABLES:
                self.fail(_Tok("name", va.name, va.pos), f"sgn(...) applies to w, d or t only, not {va.name!r}")
            if vs < 0:
                self.fail(open_tok, "the variable in sgn(...) cannot be negated")
            return Fraction(1), Factor(va.name, None if const is None else float(const), True)
        if va.kind == "dep" and va.name == K.U:
            self.fail(open_tok, "uK cannot be used inside a bracket")
        mult = Fraction(vs)
        if const is not None and vs < 0:
            const = -const  # (-v + c) = -(v - c)
        return mult, Factor(va.name, None if const is None else float(const))

    def product(self, sign: int, start: int) -> Product:
        scale = Fraction(sign)
        dependency: str | None = None
        decimate: int | None = None
        factors: list[Factor] = []
        while True:
            fsign = self.signed()
            scale *= fsign
            t = self.tok
            if t.kind == "name" and t.text == "sgn":
                self.take()
                mult, f = self.bracket(sgn=True)
                scale *= mult
                factors.append(f)  # type: ignore[arg-type]
            elif self.at("("):
                mult, f = self.bracket(sgn=False)
                scale *= mult
                if f is not None:
                    factors.append(f)
            else:
                a = self.atom()
                if a.kind == "lit":
                    scale *= a.value  # type: ignore[operator]
                elif a.kind == "dep":
                    if dependency is None:
                        dependency, decimate = a.name, a.decimate
                    elif a.name == K.U:
                        self.fail(self.toks[self.i - 1], "uK must be the dependency (the first one) of its product")
                    else:
                        factors.append(Factor(a.name))
                else:
                    factors.append(Factor(a.name))
            if not self.at("*"):
                break
            self.take("*")
        end = self.tok.pos
        text = self.rule[start:end].strip()
        if dependency is None:
            self.fail(_Tok("name", "", start), f"the product {text!r} has no dependency (x0, y0 or uK)")
        m, e, exact = _chip_scale(scale)
        if m is None:
            self.fail(
                _Tok("num", "", start),
                f"the scaling constant {float(scale):g} of {text!r} is outside what Loihi represents "
                f"(s_mantissa * 2**s_exp, |s_mantissa| <= 8, -7 <= s_exp <= 8)",
            )
        return Product(
            self.target,
            dependency,
            float(scale),
            m,
            e,
            exact,
            tuple(factors),
            decimate if dependency == K.U else None,
            text,
        )


def _chip_scale(scale: Fraction) -> tuple[int | None, int, bool]:
    """Nearest ``m * 2**e`` (m in -8..7, e in -7..8): (m, e, exact); m None if out of range."""
    lo_m, hi_m = K.S_MANT_RANGE
    lo_e, hi_e = K.S_EXP_RANGE
    if scale == 0:
        return 0, 0, True
    for e in range(lo_e, hi_e + 1):  # exact representation with the smallest exponent
        m = scale / Fraction(2) ** e
        if m.denominator == 1 and lo_m <= m <= hi_m:
            return int(m), e, True
    for e in range(lo_e, hi_e + 1):  # finest resolution that holds the value
        m = round(scale / Fraction(2) ** e)
        if lo_m <= m <= hi_m:
            if m == 0:
                return None, 0, False
            return int(m), e, False
    return None, 0, False


def parse_rule(target: str, rule: str) -> ProductSeries:
    """Parse ``rule`` (the right-hand side of ``target = ...``, target one of dw, dd, dt)."""
    if target not in K.TARGETS:
        raise ParameterError(f"learning rule target must be one of {', '.join(K.TARGETS)}, got {target!r}")
    if not isinstance(rule, str):
        raise ParameterError(f"learning rule {target} must be a string, got {type(rule).__name__}")
    return _Parser(target, rule).parse()
