"""record() and replay: the plain path's numbers bit for bit, batched with NumPy, and clear errors."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, record
from autograd.rules import NAMESPACE, RULES, numpy_namespace
from autograd.tape import _ENGINE_OPS, TapeError, TapeMismatchError


def same(x: float, y: float) -> bool:
    """Equal as numbers (0.0 == -0.0), where two nans count as equal."""
    return x == y or (math.isnan(x) and math.isnan(y))


def plain(build, xs, params=()):
    """Output and gradients of ``build`` by Values and backward(): the reference."""
    leaves = [Value(x) for x in xs]
    for p in params:
        p.grad = 0.0
    out = build(*leaves)
    out.backward()
    return out.data, [v.grad for v in leaves], [p.grad for p in params]


# ------------------------------------------------------------ every op, exactly
finite = st.floats(-30.0, 30.0, allow_nan=False)
positive = st.floats(1e-3, 30.0)
away_from_zero = finite.filter(lambda x: abs(x) > 1e-3)

# every rule, as a function of two inputs (the second unused by unary ops) with domains that keep it valid
OPS = {
    "+": (lambda a, b: a + b, finite, finite),
    "-": (lambda a, b: a - b, finite, finite),
    "*": (lambda a, b: a * b, finite, finite),
    "/": (lambda a, b: a / b, finite, away_from_zero),
    "**": (lambda a, b: a**b, positive, st.floats(-3.0, 3.0)),
    "**c": (lambda a, b: a**2.5 + a**3 + a**-1, positive, finite),
    "neg": (lambda a, b: -a, finite, finite),
    "exp": (lambda a, b: a.exp(), finite, finite),
    "log": (lambda a, b: a.log(), positive, finite),
    "tanh": (lambda a, b: a.tanh(), finite, finite),
    "sigmoid": (lambda a, b: a.sigmoid(), finite, finite),
    "relu": (lambda a, b: a.relu() * b, finite, finite),
}


def test_every_rule_has_a_case_here_and_an_engine_op_for_errors():
    assert set(OPS) == set(RULES) == set(_ENGINE_OPS)


@pytest.mark.parametrize("op", sorted(OPS))
@given(data=st.data())
def test_each_op_replays_the_plain_path_bit_for_bit(op, data):
    build, first, second = OPS[op]
    start = [data.draw(first), data.draw(second)]
    new = [data.draw(first), data.draw(second)]
    tape = record(build, start)
    value, input_grads, _ = plain(build, new)
    out = tape.gradient(new)
    assert same(out.value, value) and tape.forward(new) == out.value
    assert all(same(g, e) for g, e in zip(out.inputs, input_grads, strict=True)), (out.inputs, input_grads)


def test_relu_kink_and_both_branches_replay_without_recording_again():
    tape = record(lambda x: (x * 2.0).relu(), [1.0])
    for x, value, grad in ((3.0, 6.0, 2.0), (-3.0, 0.0, 0.0), (0.0, 0.0, 0.0)):
        assert tape.gradient([x]) == (value, [grad], [])


@given(x=st.floats(-800.0, 800.0))
def test_sigmoid_and_tanh_stay_finite_far_out(x):
    tape = record(lambda v: v.sigmoid() + v.tanh(), [0.0])
    value, grads, _ = plain(lambda v: v.sigmoid() + v.tanh(), [x])
    out = tape.gradient([x])
    assert out.value == value and out.inputs == grads


# ------------------------------------------------------------ random graphs
# A recipe is a list of steps; each applies one op to nodes made so far (reused freely) and to
# numbers. Every step is valid for any finite inputs and builds the same ops whatever the data
# (no Python branch on .data), so a tape recorded at one point replays at any other.
Step = tuple[str, int, int, float]
STEPS = ["+", "-", "*", "/", "neg", "exp", "log", "tanh", "sigmoid", "relu", "**c", "**v", "c**", "c-", "c/", "c*"]


def apply(step: Step, nodes: list[Value]) -> Value:
    op, i, j, c = step
    a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
    steps = {
        "+": lambda: a + b,
        "-": lambda: a - b,
        "*": lambda: a * b,
        "/": lambda: a / (1 + b * b),
        "neg": lambda: -a,
        "exp": lambda: a.tanh().exp(),
        "log": lambda: (a * a + 0.5).log(),
        "tanh": lambda: a.tanh(),
        "sigmoid": lambda: a.sigmoid(),
        "relu": lambda: a.relu(),
        "**c": lambda: (a.sigmoid() + 0.5) ** c,
        "**v": lambda: (a.sigmoid() + 0.5) ** b.tanh(),
        "c**": lambda: (abs(c) + 0.5) ** b.tanh(),
        "c-": lambda: c - a,
        "c/": lambda: c / (2 + a.tanh()),
        "c*": lambda: c * a.tanh(),
    }
    return steps[op]()


def build_from(recipe: list[Step]):
    def build(*leaves: Value) -> Value:
        nodes = list(leaves)
        for step in recipe:
            nodes.append(apply(step, nodes))
        out = nodes[-1]
        for extra in nodes[len(leaves) : -1 : 3]:  # fold some side branches in too
            out = out + extra.tanh()
        return out

    return build


leaves_st = st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4)
recipe_st = st.lists(
    st.tuples(st.sampled_from(STEPS), st.integers(0, 50), st.integers(0, 50), st.floats(-2.0, 2.0)),
    min_size=1,
    max_size=12,
)


@given(xs=leaves_st, recipe=recipe_st, shift=st.floats(-0.5, 0.5))
def test_random_graphs_replay_exactly_at_new_inputs(xs, recipe, shift):
    fn = build_from(recipe)
    tape = record(fn, xs)
    new = [x + shift for x in xs]
    tape.check(new)  # the same graph there: no false alarm
    value, grads, _ = plain(fn, new)
    out = tape.gradient(new)
    assert same(out.value, value) and tape.forward(new) == out.value
    assert all(same(g, e) for g, e in zip(out.inputs, grads, strict=True))


@given(xs=leaves_st, recipe=recipe_st, ws=st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=3))
def test_parameters_are_read_live_and_get_the_plain_gradients(xs, recipe, ws):
    params = [Value(w, label=f"w{k}") for k, w in enumerate(ws)]
    build = build_from(recipe)

    def fn(*vs):
        return build(*vs, *params)

    tape = record(fn, xs, params)
    for p in params:  # a new value of a parameter is used by the next replay
        p.data = p.data * 0.5 - 0.25
    value, input_grads, param_grads = plain(fn, xs, params)
    out = tape.gradient(xs)
    assert same(out.value, value)
    assert all(same(g, e) for g, e in zip(out.inputs + out.params, input_grads + param_grads, strict=True))


def test_numbers_met_by_ops_are_baked_in_constants_and_constant_branches_are_worked_out_once():
    c = Value(2.0, label="c")  # read but not listed: a constant
    w = Value(3.0, label="w")
    tape = record(lambda x: x * w + (c * c).exp() + 1.5, [1.0], [w])
    assert tape.size == 3  # x*w, +, + 1.5; exp(c*c) is one number in the code
    assert "exp(" not in tape.source and repr(math.exp(4.0)) in tape.source
    c.data = 10.0
    w.data = -1.0
    assert tape.forward([2.0]) == 2.0 * -1.0 + math.exp(4.0) + 1.5  # w live, c as recorded
    with pytest.raises(TapeMismatchError, match=r"constant 2\.0 \(label 'c'\); now node \d+, constant 10\.0"):
        tape.check([2.0])


def test_the_generated_code_is_straight_line():
    tape = record(lambda x, y: (x * y + x).tanh(), [1.0, 2.0])
    src = tape.source
    assert src.startswith("def replay(x, p, s):")
    for word in ("for ", "while ", "Value", ".parents", "sort"):
        assert word not in src
    assert "tanh(" in src and "1.0 - " in src  # the rule's own expression, d tanh = 1 - y*y


def test_deep_chains_and_wide_sums_compile():
    # 3,000 nested ops (inlined expressions are cut into named lines) and 5,000 uses of one
    # parameter (its gradient is summed over several lines)
    w = Value(0.5, label="w")

    def fn(x):
        y = x
        for _ in range(3000):
            y = y * 1.0001 + 0.001
        total = y
        for k in range(5000):
            total = total + w * (k * 1e-4)
        return total

    tape = record(fn, [0.3], [w])
    value, grads, pgrads = plain(fn, [0.7], [w])
    out = tape.gradient([0.7])
    assert (out.value, out.inputs, out.params) == (value, grads, pgrads)


def test_several_outputs_need_output_grads_and_give_the_weighted_gradient():
    tape = record(lambda x, y: [x * y, x + y], [2.0, 3.0])
    assert tape.forward([2.0, 5.0]) == [10.0, 7.0]
    with pytest.raises(TapeError, match="2 outputs; give output_grads"):
        tape.gradient([2.0, 5.0])
    out = tape.gradient([2.0, 5.0], [1.0, 10.0])  # d(x*y + 10 (x+y)): y + 10, x + 10
    assert out == ([10.0, 7.0], [15.0, 12.0], [])


def test_backward_accumulates_into_the_parameters_like_value_backward():
    w = Value(3.0)
    b = Value(1.0)
    tape = record(lambda x: (w * x + b).tanh(), [0.5], [w, b])
    w.grad, b.grad = 10.0, 20.0
    assert tape.backward([0.5]) == math.tanh(2.5)
    expected_w, expected_b = w.grad, b.grad
    w.grad, b.grad = 10.0, 20.0
    (w * 0.5 + b).tanh().backward()
    assert (w.grad, b.grad) == (expected_w, expected_b)


def test_inputs_fn_does_not_use_get_zero_gradient():
    tape = record(lambda x, unused: x * 3.0, [1.0, 2.0])
    assert tape.gradient([2.0, 9.0]) == (6.0, [3.0, 0.0], [])
    tape = record(lambda x: x, [1.0])  # the output is the input itself
    assert tape.gradient([4.0]) == (4.0, [1.0], [])


def test_input_grads_false_skips_that_work():
    w = Value(2.0)
    full = record(lambda x: (w * x).relu(), [1.0], [w])
    lean = record(lambda x: (w * x).relu(), [1.0], [w], input_grads=False)
    assert lean.gradient([3.0]) == (6.0, None, [3.0])
    assert full.gradient([3.0]).params == [3.0]
    assert len(lean.source) < len(full.source)


# ------------------------------------------------------------ errors
def test_an_op_without_a_rule_is_refused_at_recording_naming_it():
    def softplus(v: Value) -> Value:
        return Value.from_op(math.log1p(math.exp(v.data)), (v,), (1 / (1 + math.exp(-v.data)),), "softplus")

    with pytest.raises(TapeError, match=r"op 'softplus'.*no rule in autograd/rules\.py"):
        record(lambda x: softplus(x) * 2.0, [0.5])
    # on constants only, it is just a number
    assert record(lambda x: x * softplus(Value(0.0)), [1.0]).forward([2.0]) == 2.0 * math.log(2.0)


def test_a_primitive_under_a_built_in_name_is_caught_at_recording():
    def fake_tanh(v: Value) -> Value:  # says 'tanh', computes something else
        return Value.from_op(v.data * 2.0, (v,), (2.0,), "tanh")

    with pytest.raises(TapeError, match=r"node 1 \(op 'tanh'\) does not compute what autograd/rules\.py says"):
        record(lambda x: fake_tanh(x), [0.5])


@pytest.mark.parametrize(
    "inputs, error, message",
    [
        ([1.0], TapeError, r"Tape\.gradient: expected 2 inputs, got 1"),
        ([1.0, 2.0, 3.0], TapeError, "expected 2 inputs, got 3"),
        ([1.0, math.nan], TapeError, r"inputs\[1\] is nan; a tape replays finite numbers only"),
        ([math.inf, 1.0], TapeError, r"inputs\[0\] is inf"),
        ("ab", TypeError, "inputs must be a list of numbers"),
        ([1.0, "x"], TypeError, "inputs must be a list of numbers"),
        (None, TypeError, "inputs must be a list of numbers"),
    ],
)
def test_wrong_inputs_are_refused_clearly(inputs, error, message):
    tape = record(lambda x, y: x * y, [1.0, 2.0])
    with pytest.raises(error, match=message):
        tape.gradient(inputs)


def test_a_parameter_that_became_non_finite_is_named():
    w = Value(1.0, label="L0.N1.w0")
    tape = record(lambda x: w * x, [1.0], [w])
    w.data = math.inf
    with pytest.raises(TapeError, match=r"parameter 0 \(label 'L0\.N1\.w0'\) is inf"):
        tape.forward([1.0])


def test_recording_refuses_bad_arguments():
    w = Value(1.0)
    with pytest.raises(TapeError, match="fn must return a Value or a non-empty list of Values"):
        record(lambda x: 3.0, [1.0])
    with pytest.raises(TapeError, match="fn must return"):
        record(lambda x: [], [1.0])
    with pytest.raises(TapeError, match=r"params\[0\] .* is the result of op '\*'; parameters must be leaves"):
        record(lambda x: x, [1.0], [w * 2.0])
    with pytest.raises(TapeError, match=r"params\[1\] is the same Value as params\[0\]"):
        record(lambda x: x * w, [1.0], [w, w])
    with pytest.raises(TypeError, match=r"params\[0\] is 1\.0 of type float, not a Value"):
        record(lambda x: x, [1.0], [1.0])
    with pytest.raises(TypeError, match="fn must be a function"):
        record(3, [1.0])  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(ValueError, match="check_every must be an int >= 0"):
        record(lambda x: x, [1.0], check_every=-1)
    with pytest.raises(TapeError, match=r"inputs\[0\] is nan"):
        record(lambda x: x, [math.nan])


@pytest.mark.parametrize(
    "fn, inputs, error, message",
    [
        (lambda x: (x - 1.0).log(), [0.5], ValueError, r"at node \d+ of the tape: log: needs a value > 0, got -0\.5"),
        (lambda x: 1.0 / (x - 1.0), [1.0], ZeroDivisionError, r"at node \d+ of the tape: /: division by zero"),
        (lambda x: (x - 1.0) ** 0.5, [0.0], ValueError, r"negative base -1\.0 has no real power 0\.5"),
        (lambda x: (x - 1.0) ** (x * 0.5), [0.5], ValueError, r"negative base -0\.5 has no real power"),
        (lambda x: (x * 200.0).exp(), [4.0], OverflowError, r"exp: exp\(800\.0\) overflows a float"),
    ],
)
def test_domain_errors_at_replay_are_the_engines_own_errors(fn, inputs, error, message):
    tape = record(fn, [3.0])
    with pytest.raises(error, match=r"Tape\.gradient: " + message if message.startswith("at") else message):
        tape.gradient(inputs)
    with pytest.raises(error, match=message):
        tape.forward(inputs)
    with pytest.raises(error, match=r"BatchedTape\.gradient \(row 1\): at node \d+ of the tape: "):
        tape.batched().gradient([[3.0], inputs])
    with pytest.raises(error, match=r"BatchedTape\.forward \(row 1\): at node \d+ of the tape: "):
        tape.batched().forward([[3.0], inputs])
    with pytest.raises(error):  # the plain path raises the same
        fn(Value(inputs[0]))


def test_check_finds_a_python_branch_on_data_and_check_every_runs_it():
    def fn(x):
        return x * 2.0 if x.data > 0 else (x * x).tanh()

    tape = record(fn, [1.0], check_every=3)
    tape.check([5.0])
    with pytest.raises(TapeMismatchError, match=r"recorded node 1, constant 2\.0; now node 1, op '\*' of nodes 0, 0"):
        tape.check([-5.0])
    assert tape.forward([-1.0]) == -2.0  # not a check call: the recorded branch, silently
    tape.forward([-1.0])
    with pytest.raises(TapeMismatchError):  # the third call is checked
        tape.forward([-1.0])


def test_check_finds_a_replaced_parameter():
    model = {"w": Value(2.0, label="w")}
    params = [model["w"]]
    tape = record(lambda x: model["w"] * x, [1.0], params)
    model["w"] = Value(5.0, label="w")  # the function now reads another Value
    with pytest.raises(TapeMismatchError, match=r"recorded node 0, parameter 0 \(label 'w'\); now node 0, constant 5"):
        tape.check([1.0])


# ------------------------------------------------------------ the batch
@given(xs=leaves_st, recipe=recipe_st, rows=st.integers(1, 6))
def test_batched_replay_gives_each_rows_numbers(xs, recipe, rows):
    params = [Value(0.7, label="w")]
    build = build_from(recipe)

    def fn(*vs):
        return build(*vs, *params)

    tape = record(fn, xs, params)
    rng = np.random.default_rng(len(recipe))
    table = np.array(xs) + rng.uniform(-0.5, 0.5, size=(rows, len(xs)))
    weights = rng.uniform(-1.0, 1.0, size=rows)
    out = tape.batched().gradient(table, weights)
    expected = [tape.gradient(row) for row in table.tolist()]
    assert np.allclose(out.value, [e.value for e in expected], rtol=1e-12, atol=1e-12)
    weighted = [[w * g for g in e.inputs] for w, e in zip(weights.tolist(), expected, strict=True)]
    assert np.allclose(out.inputs, weighted, rtol=1e-12, atol=1e-12)
    summed = [sum(w * e.params[0] for w, e in zip(weights.tolist(), expected, strict=True))]
    assert np.allclose(out.params, summed, rtol=1e-12, atol=1e-12)
    assert np.array_equal(tape.batched().forward(table), out.value)


def test_batched_mlp_hinge_step_equals_the_plain_path():
    from nn import MLP

    model = MLP(2, [8, 8, 1], activation="relu", seed=3, init="uniform")
    params = model.parameters()
    rng = np.random.default_rng(0)
    points = rng.normal(size=(40, 2))
    y = np.where(rng.uniform(size=40) > 0.5, 1.0, -1.0)
    tape = record(lambda a, b, t: (1.0 - t * model([a, b])).relu(), [0.0, 0.0, 1.0], params, input_grads=False)
    out = tape.batched().gradient(np.column_stack((points, y)), np.full(40, 1.0 / 40))
    for p in params:
        p.grad = 0.0
    terms = [
        (1.0 - t * model([Value(a), Value(b)])).relu() for (a, b), t in zip(points.tolist(), y.tolist(), strict=True)
    ]
    loss = sum(terms[1:], terms[0]) / 40
    loss.backward()
    assert abs(out.value.sum() / 40 - loss.data) < 1e-15
    assert max(abs(g - p.grad) for g, p in zip(out.params.tolist(), params, strict=True)) < 1e-15


def test_batched_overflow_is_redone_row_by_row_as_the_engine_computes_it():
    tape = record(lambda x: x * x * 1e300, [1.0])  # inf for large x, as Values give (no error)
    out = tape.batched().gradient([[1.0], [1e10]])
    assert out.value.tolist() == [1e300, (Value(1e10) * Value(1e10) * 1e300).data] == [1e300, math.inf]


def test_batched_shapes_and_errors():
    w = Value(2.0)
    batch = record(lambda x, y: [x * w, w * 3.0], [1.0, 2.0], [w]).batched()
    out = batch.gradient([[1.0, 2.0], [3.0, 4.0]], [[1.0, 1.0], [1.0, 0.0]])
    assert out.value.tolist() == [[2.0, 6.0], [6.0, 6.0]]  # the second output, shared, is repeated
    assert out.inputs.tolist() == [[2.0, 0.0], [2.0, 0.0]]
    assert out.params.tolist() == [1.0 * 1.0 + 1.0 * 3.0 + 1.0 * 3.0]  # d/dw of each output, times its weight
    with pytest.raises(TapeError, match=r"rows must have shape \(batch, 2\) with at least one row; got \(2,\)"):
        batch.forward([1.0, 2.0])
    with pytest.raises(TapeError, match=r"rows\[1, 0\] is nan"):
        batch.forward([[1.0, 2.0], [math.nan, 1.0]])
    with pytest.raises(TapeError, match="2 outputs; give output_grads of shape"):
        batch.gradient([[1.0, 2.0]])
    with pytest.raises(TapeError, match=r"output_grads must have shape \(1, 2\)"):
        batch.gradient([[1.0, 2.0]], [1.0])
    with pytest.raises(TypeError, match="rows must be an array of numbers"):
        batch.forward([["a", "b"]])
    with pytest.raises(TapeError, match="no inputs"):
        record(lambda: w * 2.0, []).batched()


def test_batched_backward_adds_the_summed_gradient():
    w = Value(2.0)
    batch = record(lambda x: w * x, [1.0], [w]).batched()
    w.grad = 1.0
    assert batch.backward([[1.0], [2.0], [3.0]]).tolist() == [2.0, 4.0, 6.0]
    assert w.grad == 1.0 + 6.0


def test_numpy_helpers_are_the_scalar_helpers_element_by_element():
    ns = numpy_namespace()
    assert set(ns) == set(NAMESPACE)
    a = np.array([-800.0, -30.0, -1.5, -1e-300, -0.0, 0.0, 1e-300, 0.5, 2.0, 30.0, 800.0])
    for name in ("exp", "tanh", "sigmoid"):
        scalar = NAMESPACE[name]
        with np.errstate(over="ignore"):
            got = ns[name](a).tolist()
        for x, g in zip(a.tolist(), got, strict=True):
            try:
                want = scalar(x)
            except OverflowError:
                continue
            assert g == pytest.approx(want, rel=1e-15, abs=0.0), (name, x)
    positive = a[a > 0]
    assert ns["log"](positive).tolist() == pytest.approx([math.log(x) for x in positive.tolist()], rel=1e-15)
    for c in (0.0, 0.5, 1.0, 2.0, 3.0, -1.0):
        for x in (0.0, 1e-3, 0.5, 2.0):
            if x == 0.0 and c < 0:
                continue
            want = NAMESPACE["pow_slope"](x, c)
            got = float(ns["pow_slope"](np.array([x]), c)[0])
            assert same(got, want) or got == pytest.approx(want, rel=1e-15), (x, c)
    for x, y in ((2.0, 4.0), (0.0, 0.0), (-2.0, 4.0), (1e-3, 0.5)):
        want = NAMESPACE["pow_exponent_slope"](x, y)
        got = float(ns["pow_exponent_slope"](np.array([x]), np.array([y]))[0])
        assert same(got, want) or got == pytest.approx(want, rel=1e-15), (x, y)


def test_importing_autograd_does_not_import_numpy():
    code = "import sys, autograd; autograd.record(lambda x: x * 2.0, [1.0]); print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"
