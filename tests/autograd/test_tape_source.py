"""The code a tape writes, line for line: what is named, what is inlined, guards, literals, batch sums."""

from __future__ import annotations

import math

from autograd import Value, record

TANH = """\
def replay(x, p, s):
    v0, v1, = x
    v4 = tanh(((v0 * v1) + v0))
    s0, = s
    g3 = (1.0 - v4 * v4) * s0
    g0 = g3 + v1 * g3
    g1 = v0 * g3
    return [v4], [g0, g1], []
"""

POWERS = """\
def replay(x, p, s):
    v1, _, = x
    v2, = p
    v3 = v1 * v2
    if v3 < 0.0: raise _DomainError
    if v1 < 0.0 and not (v2).is_integer(): raise _DomainError
    v5 = v1 ** v2
    v6 = (v3 ** 2.5) + v5
    v8 = exp(v1)
    v10 = (0.0 if v6 <= 0.0 else v6) - (v8 / 3.0)
    s0, = s
    g9 = -s0
    g8 = (1.0 / 3.0) * g9
    g6 = (0.0 if v6 <= 0.0 else 1.0 if v6 > 0.0 else nan) * s0
    g3 = (pow_slope(v3, 2.5)) * g6
    g1 = v8 * g8 + (pow_slope(v1, v2)) * g6 + v2 * g3
    g2 = (pow_exponent_slope(v1, v5)) * g6 + v1 * g3
    return [v10], [g1, 0.0], [g2]
"""

POWERS_BATCHED = """\
def replay(x, p, s):
    v1, _, = x
    v2, = p
    v3 = v1 * v2
    v5 = v1 ** v2
    v6 = (v3 ** 2.5) + v5
    v8 = _np_exp(v1)
    v10 = (_np_where(v6 <= 0.0, 0.0, v6)) - (v8 / 3.0)
    s0, = s
    g9 = -s0
    g8 = (1.0 / 3.0) * g9
    g6 = (_np_where(v6 <= 0.0, 0.0, _np_where(v6 > 0.0, 1.0, _np_nan))) * s0
    g3 = (_np_pow_slope(v3, 2.5)) * g6
    g1 = v8 * g8 + (_np_pow_slope(v1, v2)) * g6 + v2 * g3
    g2 = _np_dot((_np_pow_exponent_slope(v1, v5)), g6) + _np_dot(v1, g3)
    return [v10], [g1, 0.0], [g2]
"""

NO_INPUT_GRADS = """\
def replay(x, p, s):
    v1, = x
    v0, v2, = p
    v5 = sigmoid(((v1 * v2) + v0))
    v7 = log((-v1))
    v9 = v5 + (v7 * v0)
    s0, = s
    g4 = (v5 * (1.0 - v5)) * s0
    g0 = v7 * s0 + g4
    g2 = v1 * g4
    return [v9], None, [g0, g2]
"""

NO_INPUT_GRADS_BATCHED = """\
def replay(x, p, s):
    v1, = x
    v0, v2, = p
    v5 = _np_sigmoid(((v1 * v2) + v0))
    v7 = _np_log((-v1))
    v9 = v5 + (v7 * v0)
    s0, = s
    g4 = (v5 * (1.0 - v5)) * s0
    g0 = _np_dot(v7, s0) + g4.sum()
    g2 = _np_dot(v1, g4)
    return [v9], None, [g0, g2]
"""

LITERALS = """\
def replay(x, p, s):
    v0, = x
    v12 = v0 ** 3.0
    if v12 < 0.0: raise _DomainError
    v14 = ((((v0 * (-2.0)) + inf) * 8103.083927575384) - (nan * v0)) + (v12 ** (-1.5))
    s0, = s
    g12 = (pow_slope(v12, (-1.5))) * s0
    g10 = -s0
    g6 = 8103.083927575384 * s0
    g0 = (pow_slope(v0, 3.0)) * g12 + nan * g10 + (-2.0) * g6
    return [v14], [g0], []
"""


def test_a_value_read_once_is_inlined_and_the_gradient_follows_backwards_order():
    assert record(lambda x, y: (x * y + x).tanh(), [1.0, 2.0]).source == TANH


def test_powers_get_guards_unused_inputs_an_underscore_and_the_batch_sums_into_parameters():
    w = Value(0.5, label="w")
    tape = record(lambda x, unused: ((x * w) ** 2.5 + x**w).relu() - x.exp() / 3.0, [1.0, 2.0], [w])
    assert tape.source == POWERS
    assert tape.batched().source == POWERS_BATCHED  # no guards: NumPy's errstate stops the batch instead


def test_without_input_gradients_only_the_parameters_get_lines():
    w, b = Value(0.5, label="w"), Value(-2.0)
    tape = record(lambda x: (x * b + w).sigmoid() + (-x).log() * w, [-1.0], [w, b], input_grads=False)
    assert tape.source == NO_INPUT_GRADS
    assert tape.batched().source == NO_INPUT_GRADS_BATCHED


def test_constants_are_exact_literals_and_constant_branches_one_number():
    c = Value(3.0, label="c")
    tape = record(lambda x: (x * -2.0 + math.inf) * (c * c).exp() - Value(math.nan) * x + (x**3) ** -1.5, [1.0])
    assert tape.source == LITERALS
    assert repr(math.exp(9.0)) == "8103.083927575384"


def test_a_long_chain_is_cut_into_named_lines_after_24_nested_ops():
    def chain(x):
        for _ in range(30):
            x = x * 1.5
        return x

    lines = record(chain, [1.0]).source.splitlines()
    assert [line.split(" = ")[0].strip() for line in lines if line.startswith("    v")] == ["v29,", "v55", "v60"]
    assert lines[2] == "    v55 = " + "(" * 24 + "v29 * 1.5" + ") * 1.5" * 24
    assert lines[3] == "    v60 = " + "(" * 4 + "v55 * 1.5" + ") * 1.5" * 4
    assert record(chain, [1.0]).forward([2.0]) == chain(Value(2.0)).data


def test_a_long_sum_of_contributions_is_split_every_64_terms():
    w = Value(0.5)

    def wide(x):
        total = x
        for _ in range(130):
            total = total + w * 1.0
        return total

    tape = record(wide, [1.0], [w])
    lines = [line for line in tape.source.splitlines() if line.startswith("    g0 = ")]
    assert [line.count("1.0 * s0") for line in lines] == [64, 64, 2]
    assert [line.startswith("    g0 = g0 + ") for line in lines] == [False, True, True]
    assert tape.gradient([1.0]).params == [130.0]
