"""Losses against numbers computed by hand (the formula is written out in each test)."""

import math

import pytest

from autograd import Value, gradcheck, topological_order
from nn import MLP, binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from nn.losses import BCE_EPS


def values(*xs):
    return [Value(x) for x in xs]


# ------------------------------------------------------------------------ MSE
def test_mse_value_and_gradients_by_hand():
    p = values(0.5, -1.0, 2.0)
    loss = mse_loss(p, [1.0, 2.0, 2.0])
    # ((0.5-1)^2 + (-1-2)^2 + 0^2) / 3 ;  dL/dp_i = 2 (p_i - t_i) / 3
    assert loss.data == pytest.approx((0.25 + 9.0 + 0.0) / 3, rel=1e-15)
    loss.backward()
    assert [v.grad for v in p] == pytest.approx([2 * -0.5 / 3, 2 * -3.0 / 3, 0.0], rel=1e-15)


def test_mse_targets_may_be_values_and_get_gradients():
    p, t = Value(3.0), Value(1.0)
    loss = mse_loss(p, t)  # a single Value is a list of one
    loss.backward()
    assert (loss.data, p.grad, t.grad) == (4.0, 4.0, -4.0)


def test_mse_of_plain_numbers_is_a_value():
    loss = mse_loss([1.0, 2.0], [0.0, 0.0])
    assert isinstance(loss, Value) and loss.data == 2.5


# ------------------------------------------------------------------------ BCE
def test_bce_value_and_gradients_by_hand():
    p = values(0.8, 0.3)
    loss = binary_cross_entropy(p, [1.0, 0.0])
    # -(1*log 0.8 + 0*log 0.2 + 0*log 0.3 + 1*log 0.7) / 2
    assert loss.data == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2, rel=1e-14)
    loss.backward()
    # dL/dp = -(t/p - (1-t)/(1-p)) / n
    assert p[0].grad == pytest.approx(-(1 / 0.8) / 2, rel=1e-14)
    assert p[1].grad == pytest.approx((1 / 0.7) / 2, rel=1e-14)


def test_bce_soft_targets():
    loss = binary_cross_entropy(Value(0.5), 0.25)
    # -(0.25 log 0.5 + 0.75 log 0.5) = log 2
    assert loss.data == pytest.approx(math.log(2), rel=1e-15)


@pytest.mark.parametrize(
    "p, t, expected_loss, expected_grad",
    [
        # p = 0 becomes eps: -log(eps); gradient -t/eps through the clamp (local gradient 1)
        (0.0, 1.0, -math.log(BCE_EPS), -1 / BCE_EPS),
        # p = 1 becomes 1 - eps: -log(1 - (1 - eps)); gradient (1-t)/(1 - (1 - eps))
        (1.0, 0.0, -math.log(1 - (1 - BCE_EPS)), 1 / (1 - (1 - BCE_EPS))),
        # the right answer exactly: a loss of about eps, gradient about 1
        (0.0, 0.0, -math.log(1 - BCE_EPS), 1 / (1 - BCE_EPS)),
        (1.0, 1.0, -math.log(1 - BCE_EPS), -1 / (1 - BCE_EPS)),
    ],
)
def test_bce_is_finite_at_exactly_zero_and_one(p, t, expected_loss, expected_grad):
    pred = Value(p)
    loss = binary_cross_entropy([pred], [t])
    loss.backward()
    assert math.isfinite(loss.data) and math.isfinite(pred.grad)
    assert loss.data == pytest.approx(expected_loss, rel=1e-12)
    assert pred.grad == pytest.approx(expected_grad, rel=1e-9)
    assert "clamp" in [v.op for v in topological_order(loss)]


def test_bce_inside_the_range_is_exact_and_has_no_clamp_node():
    pred = Value(1e-6)
    loss = binary_cross_entropy(pred, 1.0)
    assert loss.data == -math.log(1e-6)
    assert "clamp" not in [v.op for v in topological_order(loss)]


def test_bce_custom_eps():
    assert binary_cross_entropy(Value(0.0), 1.0, eps=1e-3).data == pytest.approx(-math.log(1e-3), rel=1e-12)


def test_bce_gradcheck_with_value_targets():
    p = [Value(0.2, label="p0"), Value(0.9, label="p1"), Value(0.55, label="p2")]
    t = [Value(0.1, label="t0"), Value(0.95, label="t1"), Value(0.3, label="t2")]
    assert gradcheck(lambda: binary_cross_entropy(p, t), p + t)


@pytest.mark.parametrize(
    "preds, targets, pattern",
    [
        ([1.5], [1.0], r"prediction 0 is 1.5, outside \[0, 1\].*sigmoid"),
        ([0.5, -0.1], [1.0, 0.0], r"prediction 1 is -0.1"),
        ([float("nan")], [1.0], r"prediction 0 is nan"),
        ([0.5], [2.0], r"target 0 is 2.0, outside \[0, 1\]"),
    ],
)
def test_bce_out_of_range(preds, targets, pattern):
    with pytest.raises(ValueError, match=pattern):
        binary_cross_entropy(values(*preds), targets)


@pytest.mark.parametrize("eps", [0.0, -1e-7, 0.5, "1e-7", True])
def test_bce_bad_eps(eps):
    with pytest.raises(ValueError, match=r"invalid eps .*; expected a finite number \(0, 0.5\)"):
        binary_cross_entropy(Value(0.5), 1.0, eps=eps)


# ---------------------------------------------------------------------- hinge
def test_hinge_value_and_gradients_by_hand():
    s = values(2.0, 0.25, -0.5)
    loss = hinge_loss(s, [1, -1, 1])
    # (relu(1 - 1*2) + relu(1 + 0.25) + relu(1 + 0.5)) / 3 = (0 + 1.25 + 1.5) / 3
    assert loss.data == pytest.approx(2.75 / 3, rel=1e-15)
    loss.backward()
    # d/ds_i = -y_i / 3 where the margin is violated, else 0
    assert [v.grad for v in s] == pytest.approx([0.0, 1 / 3, -1 / 3], rel=1e-15)


def test_hinge_with_l2_term_by_hand():
    w = values(0.5, -2.0)
    s = Value(0.5)
    loss = hinge_loss([s], [1], alpha=0.01, params=w)
    # relu(1 - 0.5) + 0.01 * (0.25 + 4) ;  dL/dw = 2 * 0.01 * w
    assert loss.data == pytest.approx(0.5 + 0.01 * 4.25, rel=1e-15)
    loss.backward()
    assert [v.grad for v in w] == pytest.approx([0.01, -0.04], rel=1e-15)


def test_hinge_matches_micrograd_demo_loss():
    from micrograd.engine import Value as MValue

    scores, labels, alpha = [0.7, -1.3, 0.2, 1.9], [1, -1, -1, 1], 1e-4
    model = MLP(2, [2, 1], seed=0)
    ours = hinge_loss(values(*scores), labels, alpha=alpha, params=model)
    # micrograd's demo.ipynb, word for word
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(labels, map(MValue, scores))]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum((MValue(p.data) * MValue(p.data) for p in model.parameters()))
    theirs = data_loss + reg_loss
    assert ours.data == pytest.approx(theirs.data, rel=1e-14)


def test_hinge_gradcheck():
    model = MLP(2, [3, 1], seed=1)
    xs = [[0.5, 1.0], [-1.0, 0.3], [0.2, -0.7]]

    def loss():
        return hinge_loss([model(x) for x in xs], [1, -1, 1], alpha=0.1, params=model)

    assert gradcheck(loss, model.parameters())


@pytest.mark.parametrize("labels", [[0, 1], [1, 2], [1, 0.5]])
def test_hinge_labels_must_be_plus_minus_one(labels):
    with pytest.raises(ValueError, match="labels must be -1 or \\+1"):
        hinge_loss(values(0.1, 0.2), labels)


def test_hinge_alpha_errors():
    with pytest.raises(ValueError, match="pass params=model"):
        hinge_loss(Value(0.1), 1, alpha=0.1)
    with pytest.raises(ValueError, match="hinge_loss: invalid alpha -1.0; expected a finite number >= 0"):
        hinge_loss(Value(0.1), 1, alpha=-1.0, params=[Value(1.0)])
    with pytest.raises(ValueError, match="params is empty"):
        hinge_loss(Value(0.1), 1, alpha=0.1, params=[])
    with pytest.raises(TypeError, match=r"params\[1\] is 2.0 of type float, not a Value"):
        hinge_loss(Value(0.1), 1, alpha=0.1, params=[Value(1.0), 2.0])
    assert hinge_loss(Value(0.1), 1, params=[Value(5.0)]).data == 0.9  # alpha 0: no term


# -------------------------------------------------------------- cross-entropy
def test_cross_entropy_value_and_gradients_by_hand():
    z = values(1.0, 2.0, 3.0)
    loss = cross_entropy(z, 0)
    # -log softmax_0 = log(e^1 + e^2 + e^3) - 1 ;  d/dz_j = softmax_j - [j == 0]
    total = math.exp(1) + math.exp(2) + math.exp(3)
    assert loss.data == pytest.approx(math.log(total) - 1.0, rel=1e-14)
    loss.backward()
    softmax = [math.exp(k) / total for k in (1, 2, 3)]
    assert [v.grad for v in z] == pytest.approx([softmax[0] - 1, softmax[1], softmax[2]], rel=1e-13)


def test_cross_entropy_huge_logits_do_not_overflow():
    z = values(1000.0, 0.0, -1000.0)
    loss = cross_entropy(z, 1)
    loss.backward()
    # log(e^0 + e^-1000 + e^-2000) + 1000 = 1000 ;  softmax = (1, 0, 0)
    assert loss.data == 1000.0
    assert [v.grad for v in z] == [1.0, -1.0, 0.0]


def test_cross_entropy_gradcheck():
    z = [Value(0.3, label="z0"), Value(-1.2, label="z1"), Value(2.5, label="z2"), Value(0.0, label="z3")]
    for k in range(4):
        assert gradcheck(lambda: cross_entropy(z, k), z)


def test_cross_entropy_batch_is_the_mean():
    rows = [values(1.0, 2.0), values(0.0, 0.0, 5.0)]
    loss = cross_entropy(rows, [1, 0])
    one = math.log(math.exp(1) + math.exp(2)) - 2.0
    two = math.log(2 + math.exp(5)) - 0.0
    assert loss.data == pytest.approx((one + two) / 2, rel=1e-14)


def test_cross_entropy_of_one_logit_is_zero():
    assert cross_entropy([Value(4.0)], 0).data == 0.0


@pytest.mark.parametrize(
    "logits, target, error, pattern",
    [
        ([1.0, 2.0], 2, ValueError, r"target_class 2 is out of range for 2 logits; expected 0 .. 1"),
        ([1.0, 2.0], -1, ValueError, r"target_class -1 is out of range"),
        ([1.0, 2.0], 1.0, TypeError, r"target_class must be an int"),
        ([1.0, 2.0], True, TypeError, r"target_class must be an int"),
        ([], 0, ValueError, r"logits is empty"),
        ([1.0, float("inf")], 0, ValueError, r"logit 1 is inf; logits must be finite"),
        ([[1.0], [2.0]], [0], ValueError, r"got 2 rows of logits but 1 target classes"),
        ([1.0, 2.0], [0, 1], TypeError, r"logits\[0\] must be a list of logits"),
        ([], [], ValueError, r"the batch is empty"),
        ([[1.0, 2.0]], [5], ValueError, r"example 0.*target_class 5 is out of range"),
    ],
)
def test_cross_entropy_errors(logits, target, error, pattern):
    with pytest.raises(error, match=pattern):
        cross_entropy(logits, target)


# --------------------------------------------------------- shared arguments
LOSSES = [
    (mse_loss, [0.5, 0.5], [1.0, 0.0]),
    (binary_cross_entropy, [0.5, 0.5], [1.0, 0.0]),
    (hinge_loss, [0.5, 0.5], [1, -1]),
]


@pytest.mark.parametrize("loss, preds, targets", LOSSES)
def test_length_mismatch_names_both_lengths(loss, preds, targets):
    with pytest.raises(ValueError, match=f"{loss.__name__}: got 2 .* but 3 "):
        loss(values(*preds), targets + targets[:1])


@pytest.mark.parametrize("loss, preds, targets", LOSSES)
def test_empty_lists(loss, preds, targets):
    with pytest.raises(ValueError, match=f"{loss.__name__}: .* is empty; expected at least one"):
        loss([], [])


@pytest.mark.parametrize("loss, preds, targets", LOSSES)
def test_non_numbers(loss, preds, targets):
    with pytest.raises(TypeError, match=r"\[1\] is 'x' of type str; expected a Value or a number"):
        loss([Value(0.5), "x"], targets)
    with pytest.raises(TypeError, match="must be a list of Values or numbers"):
        loss("ab", targets)
