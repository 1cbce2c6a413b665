"""no_grad(): forward passes that record nothing, and recording restored afterwards."""

from __future__ import annotations

import pytest

from autograd import Value, enable_grad, is_grad_enabled, no_grad


def test_no_grad_builds_no_graph():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * x + 1).tanh()
    assert is_grad_enabled()
    assert y.parents == () and y.local_grads == ()
    assert y.data == pytest.approx(0.9999092042625951)
    z = x * x
    assert z.parents == (x, x)


def test_no_grad_restores_recording_after_an_exception():
    with pytest.raises(ValueError):
        with no_grad():
            Value(-1.0).log()
    assert is_grad_enabled()
    assert (Value(1.0) * 2).parents != ()


def test_nesting_and_enable_grad():
    with no_grad():
        with no_grad():
            pass
        assert not is_grad_enabled()
        with enable_grad():
            assert is_grad_enabled()
            assert (Value(1.0) + 1).parents != ()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_as_decorator():
    @no_grad()
    def forward(v: Value) -> Value:
        return v * 3

    assert forward(Value(1.0)).parents == ()
    assert is_grad_enabled()


def test_backward_through_a_no_grad_result_stops_there():
    x = Value(3.0)
    with no_grad():
        frozen = x * 2
    y = frozen * x
    y.backward()
    assert x.grad == 6.0  # only through the recorded edge; frozen is a constant
