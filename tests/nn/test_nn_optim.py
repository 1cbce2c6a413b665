"""SGD and Adam: update rules checked step by step against numbers worked out by hand."""

import math

import pytest

from autograd import Value
from nn import MLP, SGD, Adam, Neuron
from nn.optim import _Hyper


def run(opt, param, grads):
    """Apply one step per gradient in ``grads``; return the parameter after each step."""
    seen = []
    for g in grads:
        param.grad = g
        opt.step()
        seen.append(param.data)
    return seen


# ------------------------------------------------------------------------ SGD
def test_sgd_plain():
    p = Value(1.0)
    # p = p - lr * g:  1 - 0.1*0.5 = 0.95,  0.95 - 0.1*(-2) = 1.15
    assert run(SGD([p], lr=0.1), p, [0.5, -2.0]) == pytest.approx([0.95, 1.15], rel=1e-15)


def test_sgd_momentum():
    p = Value(1.0)
    # b1 = g1 = 1            p = 1 - 0.1*1 = 0.9
    # b2 = 0.9*1 + 0.5 = 1.4  p = 0.9 - 0.1*1.4 = 0.76
    # b3 = 0.9*1.4 + 0 = 1.26 p = 0.76 - 0.126 = 0.634
    assert run(SGD([p], lr=0.1, momentum=0.9), p, [1.0, 0.5, 0.0]) == pytest.approx([0.9, 0.76, 0.634], rel=1e-14)


def test_sgd_dampening_spares_the_first_step():
    p = Value(1.0)
    # b1 = g1 = 1 (torch: no dampening on the first step)   p = 0.9
    # b2 = 0.9*1 + (1-0.5)*0.5 = 1.15                       p = 0.9 - 0.115 = 0.785
    opt = SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    assert run(opt, p, [1.0, 0.5]) == pytest.approx([0.9, 0.785], rel=1e-14)


def test_sgd_nesterov():
    p = Value(1.0)
    # b1 = 1,   g = 1 + 0.9*1 = 1.9,       p = 1 - 0.19 = 0.81
    # b2 = 1.4, g = 0.5 + 0.9*1.4 = 1.76,  p = 0.81 - 0.176 = 0.634
    opt = SGD([p], lr=0.1, momentum=0.9, nesterov=True)
    assert run(opt, p, [1.0, 0.5]) == pytest.approx([0.81, 0.634], rel=1e-14)


def test_sgd_weight_decay():
    p = Value(2.0)
    # g = 0.5 + 0.1*2 = 0.7,  p = 2 - 0.1*0.7 = 1.93
    assert run(SGD([p], lr=0.1, weight_decay=0.1), p, [0.5]) == pytest.approx([1.93], rel=1e-15)


# ----------------------------------------------------------------------- Adam
def test_adam_two_steps_by_hand():
    p = Value(1.0)
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    seen = run(Adam([p], lr=lr, betas=(b1, b2), eps=eps), p, [0.5, -0.25])
    # step 1: m = 0.1*0.5 = 0.05, v = 0.001*0.25 = 0.00025, m_hat = 0.5, v_hat = 0.25
    p1 = 1.0 - lr * 0.5 / (math.sqrt(0.25) + eps)
    assert seen[0] == pytest.approx(p1, rel=1e-13)
    assert seen[0] == pytest.approx(0.900000002, abs=1e-12)
    # step 2: m = 0.9*0.05 + 0.1*(-0.25) = 0.02,  v = 0.999*0.00025 + 0.001*0.0625 = 0.00031225
    m_hat = 0.02 / (1 - 0.9**2)
    v_hat = 0.00031225 / (1 - 0.999**2)
    p2 = p1 - lr * m_hat / (math.sqrt(v_hat) + eps)
    assert seen[1] == pytest.approx(p2, rel=1e-12)
    assert seen[1] == pytest.approx(0.873367, abs=1e-6)


def test_adam_first_step_is_lr_times_the_sign():
    # bias correction makes the first step lr * g / (|g| + eps), whatever the size of g
    ps = [Value(0.0), Value(0.0), Value(0.0)]
    opt = Adam(ps, lr=0.01, eps=1e-300)  # the smallest eps worth writing: nothing next to |g| >= 1e-6
    for p, g in zip(ps, [1e-6, -3.0, 1e6], strict=True):
        p.grad = g
    opt.step()
    assert [p.data for p in ps] == pytest.approx([-0.01, 0.01, -0.01], rel=1e-12)


def test_adam_weight_decay_is_l2_added_to_the_gradient():
    p = Value(2.0)
    # g = 0 + 0.5*2 = 1;  first step: p = 2 - 0.1 * 1 / (1 + 1e-8)
    seen = run(Adam([p], lr=0.1, weight_decay=0.5), p, [0.0])
    assert seen == pytest.approx([2.0 - 0.1 / (1 + 1e-8)], rel=1e-15)


def test_adam_minimises_a_quadratic():
    w = Value(-4.0)
    opt = Adam([w], lr=0.1)
    for _ in range(500):
        loss = (w - 3.0) ** 2
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert w.data == pytest.approx(3.0, abs=1e-2)


# ---------------------------------------------------------- shared behaviour
@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.5), lambda ps: Adam(ps, lr=0.1)])
def test_zero_grad_and_step_leave_each_other_alone(make):
    ps = [Value(1.0), Value(2.0)]
    opt = make(ps)
    ps[0].grad, ps[1].grad = 0.5, -0.5
    opt.step()
    assert [p.grad for p in ps] == [0.5, -0.5]  # step reads .grad, never clears it
    opt.zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]
    before = [p.data for p in ps]
    if isinstance(opt, SGD):
        opt.momentum = 0.0  # a zero gradient moves nothing without momentum
        opt.step()
        assert [p.data for p in ps] == before


def test_accepts_a_module_and_generators():
    model = MLP(2, [3, 1], seed=0)
    assert SGD(model, lr=0.1).params == model.parameters()
    assert Adam(p for p in model.parameters()).params == model.parameters()


def test_a_parameter_listed_twice_is_updated_once():
    p = Value(1.0)
    opt = SGD([p, p], lr=0.1)
    p.grad = 1.0
    opt.step()
    assert len(opt.params) == 1 and p.data == 0.9


def test_lr_can_change_between_steps():
    p = Value(1.0)
    opt = SGD([p], lr=0.1)
    p.grad = 1.0
    opt.step()
    opt.lr = 0.5
    opt.step()
    assert p.data == pytest.approx(1.0 - 0.1 - 0.5, rel=1e-15)


def test_only_the_given_parameters_move():
    model = Neuron(2, seed=0)
    model([1.0, 1.0]).backward()
    before = model.b.data
    SGD(model.w, lr=1.0).step()
    assert model.b.data == before and model.b.grad != 0.0


@pytest.mark.parametrize(
    "make, pattern",
    [
        (lambda ps: SGD(ps, lr=-0.1), "SGD: invalid lr -0.1"),
        (lambda ps: SGD(ps, lr=float("nan")), "SGD: invalid lr nan"),
        (lambda ps: SGD(ps, lr="0.1"), "SGD: invalid lr '0.1'"),
        (lambda ps: SGD(ps, lr=True), "SGD: invalid lr True"),
        (lambda ps: SGD(ps, lr=0.1, momentum=-0.9), "SGD: invalid momentum -0.9"),
        (lambda ps: SGD(ps, lr=0.1, weight_decay=-1), "SGD: invalid weight_decay -1"),
        (lambda ps: SGD(ps, lr=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "and dampening = 0"),
        (lambda ps: Adam(ps, lr=-1e-3), "Adam: invalid lr -0.001"),
        (lambda ps: Adam(ps, betas=(1.0, 0.999)), r"invalid beta1 \(betas\[0\]\) 1.0; expected a finite number \[0, 1"),
        (lambda ps: Adam(ps, betas=(0.9, -0.1)), r"Adam: invalid beta2 \(betas\[1\]\) -0.1"),
        (lambda ps: Adam(ps, betas=(0.9,)), "betas must be a pair"),
        (lambda ps: Adam(ps, betas=0.9), "betas must be a pair"),
        (lambda ps: Adam(ps, eps=-1e-8), "Adam: invalid eps"),
        (lambda ps: Adam(ps, eps=0.0), r"Adam: invalid eps 0.0; expected a finite number > 0"),
        (lambda ps: Adam(ps, eps=float("inf")), "Adam: invalid eps inf"),
        (lambda ps: Adam(ps, eps="1e-8"), "Adam: invalid eps '1e-8'"),
        (lambda ps: Adam(ps, lr=float("inf")), "Adam: invalid lr inf"),
        (lambda ps: Adam(ps, betas=(0.9, float("nan"))), r"Adam: invalid beta2 \(betas\[1\]\) nan"),
        (lambda ps: SGD(ps, lr=0.1, dampening=float("-inf")), "SGD: invalid dampening -inf"),
        (lambda ps: Adam(ps, weight_decay=-0.1), "Adam: invalid weight_decay"),
    ],
)
def test_bad_hyper_parameters(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make([Value(1.0)])


@pytest.mark.parametrize("cls", [SGD, Adam])
def test_bad_parameter_lists(cls):
    with pytest.raises(ValueError, match=f"{cls.__name__}: got an empty parameter list"):
        cls([], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[1\] is 2.0 of type float, not a Value"):
        cls([Value(1.0), 2.0], lr=0.1)
    with pytest.raises(TypeError, match="params must be a Module or a list of Values"):
        cls(Value(1.0), lr=0.1)


def test_adam_with_the_smallest_eps_survives_a_zero_gradient():
    p = Value(1.0)
    opt = Adam([p], lr=0.1, eps=5e-324)
    p.grad = 0.0
    opt.step()  # m_hat / (sqrt(v_hat) + eps) = 0 / 5e-324: no ZeroDivisionError
    assert p.data == 1.0


@pytest.mark.parametrize(
    "make, name, bad, pattern",
    [
        (lambda ps: SGD(ps, lr=0.1), "lr", "x", "SGD: invalid lr 'x'; expected a finite number >= 0"),
        (lambda ps: SGD(ps, lr=0.1), "lr", None, "SGD: invalid lr None"),
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9), "momentum", -1.0, "SGD: invalid momentum -1.0"),
        (lambda ps: SGD(ps, lr=0.1), "weight_decay", float("nan"), "SGD: invalid weight_decay nan"),
        (lambda ps: Adam(ps, lr=0.1), "lr", "x", "Adam: invalid lr 'x'"),
        (lambda ps: Adam(ps, lr=0.1), "eps", 0, "Adam: invalid eps 0; expected a finite number > 0"),
        (lambda ps: Adam(ps, lr=0.1), "betas", (0.9, 1.0), r"Adam: invalid beta2 \(betas\[1\]\) 1.0"),
        (lambda ps: Adam(ps, lr=0.1), "betas", "ab", "Adam: betas must be a pair"),
    ],
)
def test_a_bad_hyper_parameter_set_later_is_refused_at_once_and_changes_nothing(make, name, bad, pattern):
    p = Value(1.0)
    opt = make([p])
    before = getattr(opt, name)
    with pytest.raises(ValueError, match=pattern):
        setattr(opt, name, bad)
    assert getattr(opt, name) == before
    p.grad = 1.0
    opt.step()  # the optimizer still works with the value it had
    assert math.isfinite(p.data) and p.data < 1.0


def test_hyper_parameters_set_later_are_stored_as_floats():
    opt = Adam([Value(1.0)], lr=1, betas=[0, 0.5], eps=1)
    assert (opt.lr, opt.betas, opt.eps) == (1.0, (0.0, 0.5), 1.0)
    assert type(opt.lr) is float and type(opt.betas) is tuple
    opt.lr = 2
    assert type(opt.lr) is float and opt.lr == 2.0


def test_a_hyper_parameter_declared_with_the_defaults():
    # declared here, not at import, so that the descriptor's own set-up runs inside the test
    class Settings:
        rate = _Hyper()
        decay = _Hyper()

    settings = Settings()
    settings.rate, settings.decay = 0, 2
    assert (settings.rate, settings.decay) == (0.0, 2.0) and type(settings.rate) is float
    settings.rate = 1e300
    assert (settings.rate, settings.decay) == (1e300, 2.0)
    with pytest.raises(ValueError, match=r"^Settings: invalid decay -1e-09; expected a finite number >= 0$"):
        settings.decay = -1e-9
    with pytest.raises(ValueError, match=r"^Settings: invalid rate inf; expected a finite number >= 0$"):
        settings.rate = math.inf
    assert (settings.rate, settings.decay) == (1e300, 2.0)
    assert Settings.rate is Settings.__dict__["rate"]


def test_a_hyper_parameter_with_an_upper_bound():
    class Smoothing:
        factor = _Hyper(high=1.0, high_open=True)
        share = _Hyper(high=0.5)

    smoothing = Smoothing()
    smoothing.factor, smoothing.share = 0.999, 0.5
    assert (smoothing.factor, smoothing.share) == (0.999, 0.5)
    with pytest.raises(ValueError, match=r"^Smoothing: invalid factor 1\.0; expected a finite number \[0, 1\)$"):
        smoothing.factor = 1.0
    with pytest.raises(ValueError, match=r"^Smoothing: invalid share 0\.51; expected a finite number \[0, 0\.5\]$"):
        smoothing.share = 0.51
