"""nn's contract in the corners that mutation testing found unchecked: who each error names, exact bounds,
and the settings (a weight decay or momentum of exactly 1) that skip nothing."""

from __future__ import annotations

import math

import pytest

from autograd import Value, topological_order
from nn import MLP, SGD, Adam, Layer, Module, Neuron, binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from nn._checks import check_number, check_size, is_finite_number, is_int, is_list_like, is_number
from nn.init import draw_neuron
from nn.losses import BCE_EPS
from nn.optim import Optimizer

# ------------------------------------------------------------------- _checks


def test_the_shared_checks():
    assert is_number(1) and is_number(0.5) and not is_number(True) and not is_number("1")
    assert is_finite_number(10**300) and not is_finite_number(10**400) and not is_finite_number(None)
    assert not is_finite_number(float("inf")) and not is_finite_number(float("nan"))
    assert is_int(3) and not is_int(3.0) and not is_int(False)
    assert is_list_like([]) and is_list_like(iter([])) and not is_list_like(b"ab") and not is_list_like({})
    assert check_size(2, "f", "n") == 2
    with pytest.raises(TypeError, match=r"^f: n must be a positive int, got 2\.0 of type float$"):
        check_size(2.0, "f", "n")


@pytest.mark.parametrize(
    "kwargs, accepted, rejected, bound",
    [
        ({}, [0.0, 7], [-1e-9, math.inf, math.nan], ">= 0"),
        ({"low_open": True}, [1e-300], [0.0], "> 0"),
        ({"high": 1.0}, [1.0, 0.0], [1.0000001], "[0, 1]"),
        ({"high": 1.0, "high_open": True}, [0.999], [1.0], "[0, 1)"),
        ({"high": 0.5, "low_open": True, "high_open": True}, [0.25], [0.0, 0.5], "(0, 0.5)"),
    ],
)
def test_check_number_bounds(kwargs, accepted, rejected, bound):
    for x in accepted:
        assert check_number(x, "p", "f", **kwargs) == float(x)
    for x in rejected:
        with pytest.raises(ValueError) as info:
            check_number(x, "p", "f", **kwargs)
        assert str(info.value) == f"f: invalid p {x!r}; expected a finite number {bound}"


# -------------------------------------------------------------------- layers


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Neuron(0), ValueError, "Neuron: nin must be a positive int, got 0"),
        (lambda: Neuron(2, fan_out=0), ValueError, "Neuron: fan_out must be a positive int, got 0"),
        (lambda: Neuron(2, activation="gelu"), ValueError, "Neuron: unknown activation 'gelu'"),
        (lambda: Neuron(2, init="bogus"), ValueError, "Neuron: unknown init 'bogus'"),
        (lambda: Neuron(2, seed="s"), TypeError, "Neuron: seed must be an int, None (fresh randomness) or a "
                                                 "random.Random, got 's' of type str"),
        (lambda: Layer(0, 1), ValueError, "Layer: nin must be a positive int, got 0"),
        (lambda: Layer(1, 0), ValueError, "Layer: nout must be a positive int, got 0"),
        (lambda: Layer(1, 1, activation="gelu"), ValueError, "Layer: unknown activation 'gelu'"),
        (lambda: Layer(1, 1, init="bogus"), ValueError, "Layer: unknown init 'bogus'"),
        (lambda: Layer(1, 1, seed=1.5), TypeError, "Layer: seed must be an int"),
        (lambda: MLP(0, [1]), ValueError, "MLP: nin must be a positive int, got 0"),
        (lambda: MLP(1, [1, 0]), ValueError, "MLP: each layer size in nouts must be a positive int, got 0"),
        (lambda: MLP(1, []), ValueError, "MLP: nouts is empty; give at least one layer size, such as [4, 1]"),
        (lambda: MLP(1, {4: 1}), TypeError, "MLP: nouts must be a list of layer sizes"),
        (lambda: MLP(1, [1], activation="gelu"), ValueError, "MLP: unknown activation 'gelu'"),
        (lambda: MLP(1, [1], output_activation="gelu"), ValueError, "MLP: unknown activation 'gelu'"),
        (lambda: MLP(1, [1], init="bogus"), ValueError, "MLP: unknown init 'bogus'"),
        (lambda: MLP(1, [1], seed=1.5), TypeError, "MLP: seed must be an int"),
        (lambda: Neuron(2)([1.0, "a"]), TypeError, "Neuron: input 1 is 'a' of type str; expected a Value or a float"),
    ],
)
def test_each_error_names_the_class_that_was_called(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert str(info.value).startswith(message)


def test_an_unknown_activation_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"use one of 'tanh', 'sigmoid', 'relu', 'linear'$"):
        Neuron(1, activation="gelu")


def test_draw_neuron_names_the_known_schemes():
    with pytest.raises(ValueError, match=r"^draw_neuron: unknown init 'bogus'; use one of 'xavier', 'he', "):
        draw_neuron("bogus", 2, 1, None)


def test_mlp_repr_shows_init_only_when_chosen():
    assert repr(MLP(2, [3, 1], seed=0)) == "MLP(2, [3, 1], activation='tanh', output_activation='linear')"
    assert repr(MLP(2, [1], seed=0, init="he")).endswith("output_activation='linear', init='he')")


# -------------------------------------------------------------------- module


class Scaled(Module):
    def __init__(self) -> None:
        self.w = Value(2.0)

    def forward(self, x: float, scale: float = 1.0) -> Value:
        return self.w * x * scale


def test_calling_a_module_passes_keyword_arguments_to_forward():
    assert Scaled()(3.0, scale=10.0).data == 60.0
    assert repr(Scaled()) == "Scaled()"


class Twelve(Module):
    def __init__(self) -> None:
        self.w = [Value(float(i)) for i in range(12)]


def test_load_state_dict_lists_at_most_ten_names_of_each_kind():
    model = Twelve()
    with pytest.raises(ValueError) as info:
        model.load_state_dict({})
    assert str(info.value).endswith("missing (12): 'w.0', 'w.1', 'w.2', 'w.3', 'w.4', 'w.5', 'w.6', 'w.7', "
                                    "'w.8', 'w.9', ... and 2 more")
    with pytest.raises(ValueError) as info:
        model.load_state_dict({f"w.{i}": 1.0 for i in range(2, 12)})
    assert str(info.value).endswith("missing (2): 'w.0', 'w.1'")
    ten = {f"w.{i}": 1.0 for i in range(12)} | {f"x{i}": 1.0 for i in range(10)}
    with pytest.raises(ValueError) as info:
        model.load_state_dict(ten)
    assert str(info.value).endswith("unexpected (10): " + ", ".join(f"'x{i}'" for i in range(10)))
    with pytest.raises(ValueError) as info:
        model.load_state_dict({f"w.{i}": 1.0 for i in range(11)} | {"w.11": "z"})
    assert str(info.value).endswith("not a number (1): 'w.11' = 'z' (str)")
    with pytest.raises(TypeError, match=r"^Twelve\.load_state_dict: expected a dict of parameter name -> number, "
                                        r"got list$"):
        model.load_state_dict([])


# --------------------------------------------------------------------- optim


def test_params_errors_name_the_optimizer():
    with pytest.raises(TypeError, match=r"^SGD: params must be a Module or a list of Values, got 'ab'$"):
        SGD("ab", lr=0.1)
    with pytest.raises(TypeError, match=r"^Adam: params must be a Module or a list of Values, got Value\("):
        Adam(Value(1.0))


def test_an_optimizer_without_a_step_says_so():
    with pytest.raises(NotImplementedError, match=r"^Optimizer defines no step\(\)$"):
        Optimizer([Value(1.0)], "Optimizer").step()


def test_sgd_settings_errors_name_sgd_and_the_setting():
    w = [Value(1.0)]
    with pytest.raises(ValueError, match=r"^SGD: invalid dampening -1; expected a finite number >= 0$"):
        SGD(w, lr=0.1, dampening=-1)
    with pytest.raises(ValueError, match=r"^SGD: nesterov=True needs momentum > 0 and dampening = 0$"):
        SGD(w, lr=0.1, nesterov=True)


def test_a_weight_decay_of_one_is_applied():
    w = Value(1.0)
    w.grad = 0.5
    SGD([w], lr=0.1, weight_decay=1.0).step()
    assert w.data == pytest.approx(1.0 - 0.1 * (0.5 + 1.0), abs=1e-15)
    v = Value(1.0)
    v.grad = 0.5
    opt = Adam([v], weight_decay=1.0)
    opt.step()
    assert opt.m[0] == pytest.approx(0.1 * 1.5, abs=1e-15)


def test_a_momentum_of_one_is_applied():
    w = Value(1.0)
    opt = SGD([w], lr=0.1, momentum=1.0)
    for _ in range(2):
        w.grad = 0.5
        opt.step()
    assert w.data == pytest.approx(1.0 - 0.1 * 0.5 - 0.1 * (0.5 + 0.5), abs=1e-15)


def test_adams_default_rate_is_a_thousandth():
    w = Value(1.0)
    w.grad = 2.0
    Adam([w]).step()
    assert w.data == pytest.approx(1.0 - 1e-3, abs=1e-10)  # the first step moves by lr * g / (|g| + eps)


@pytest.mark.parametrize("betas, name, value", [((1.0, 0.9), "beta1 (betas[0])", 1.0),
                                                ((0.9, 1.0), "beta2 (betas[1])", 1.0),
                                                ((0.9, 1.5), "beta2 (betas[1])", 1.5)])
def test_adams_betas_are_below_one(betas, name, value):
    with pytest.raises(ValueError) as info:
        Adam([Value(1.0)], betas=betas)
    assert str(info.value) == f"Adam: invalid {name} {value!r}; expected a finite number [0, 1)"


# -------------------------------------------------------------------- losses


@pytest.mark.parametrize(
    "loss, a_name, b_name",
    [(mse_loss, "predictions", "targets"), (binary_cross_entropy, "predictions", "targets"),
     (hinge_loss, "scores", "labels")],
)
def test_pair_errors_name_the_loss_and_both_lists(loss, a_name, b_name):
    who = loss.__name__
    with pytest.raises(ValueError) as info:
        loss([0.5, 0.5], [1])
    assert str(info.value) == f"{who}: got 2 {a_name} but 1 {b_name}; expected one {b_name[:-1]} per {a_name[:-1]}"
    with pytest.raises(TypeError, match=rf"^{who}: {a_name} must be a list of Values or numbers, got 'ab'$"):
        loss("ab", [1])
    with pytest.raises(TypeError, match=rf"^{who}: {b_name} must be a list of Values or numbers, got 'ab'$"):
        loss([1], "ab")


def test_bce_errors_name_it_and_say_what_to_do():
    with pytest.raises(ValueError, match=r"^binary_cross_entropy: invalid eps 0\.0; expected a finite number"):
        binary_cross_entropy(Value(0.5), 1.0, eps=0.0)
    with pytest.raises(ValueError) as info:
        binary_cross_entropy(Value(1.5), 1.0)
    assert str(info.value) == (
        "binary_cross_entropy: prediction 0 is 1.5, outside [0, 1]; predictions must be probabilities "
        "(use a sigmoid output, e.g. output_activation='sigmoid')"
    )


@pytest.mark.parametrize("p", [BCE_EPS, 1.0 - BCE_EPS, 0.5])
def test_bce_makes_no_clamp_node_inside_the_bounds(p):
    loss = binary_cross_entropy([Value(p)], [1.0])
    assert "clamp" not in {v.op for v in topological_order(loss)}


@pytest.mark.parametrize("p", [0.0, BCE_EPS / 2, 1.0])
def test_bce_clamps_outside_them(p):
    loss = binary_cross_entropy([Value(p)], [1.0])
    assert "clamp" in {v.op for v in topological_order(loss)}


def test_hinge_regularises_a_single_value_and_names_itself_for_bad_params():
    w = Value(2.0)
    assert hinge_loss([Value(3.0)], [1], alpha=0.1, params=w).data == pytest.approx(0.1 * 4.0, abs=1e-15)
    with pytest.raises(TypeError, match=r"^hinge_loss: params must be a Module or a list of Values, got 'ab'$"):
        hinge_loss([Value(3.0)], [1], alpha=0.1, params="ab")


def test_cross_entropy_errors_name_it():
    with pytest.raises(TypeError, match=r"^cross_entropy: logits must be a list of Values or numbers, got 'ab'$"):
        cross_entropy("ab", 0)
    with pytest.raises(ValueError, match=r"^cross_entropy: target_class 2 is out of range for 2 logits"):
        cross_entropy([1.0, 2.0], 2)
    with pytest.raises(TypeError, match=r"^cross_entropy: for a batch, logits must be a list of logit lists, got 5$"):
        cross_entropy(5, [0])
    with pytest.raises(TypeError) as info:
        cross_entropy([[1.0, 2.0]], [1.5])
    assert str(info.value) == (
        "cross_entropy (example 0): target_class must be an int class index, got 1.5 of type float"
    )


def test_cross_entropy_subtracts_the_largest_logit_as_a_leaf_labelled_max():
    loss = cross_entropy([Value(1.0), Value(3.0)], 0)
    shifts = [v for v in topological_order(loss) if v.label == "max"]
    assert len(shifts) == 1 and shifts[0].data == 3.0 and shifts[0].parents == ()
