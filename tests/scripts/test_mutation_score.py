"""scripts/mutation_score.py: the per-package score from mutmut's results text."""

from __future__ import annotations

import argparse

import pytest
from mutation_score import parse_bar, survivors, tally  # scripts/, on sys.path by tests/conftest.py

RESULTS = """\
    autograd.value.xǁValueǁ__add____mutmut_1: killed
    autograd.value.xǁValueǁ__add____mutmut_2: survived
    autograd.topo.x_topological_order__mutmut_3: no tests
    autograd.topo.x_topological_order__mutmut_4: timeout
    nn.optim.xǁSGDǁstep__mutmut_1: killed
    nn.optim.xǁSGDǁstep__mutmut_2: caught by type check
"""


def test_tally_counts_each_status_per_package():
    counts = tally(RESULTS)
    assert counts == {
        "autograd": {"killed": 1, "survived": 1, "no tests": 1, "timeout": 1},
        "nn": {"killed": 1, "caught by type check": 1},
    }


def test_survivors_are_the_mutants_no_test_killed():
    assert survivors(RESULTS) == [
        "autograd.value.xǁValueǁ__add____mutmut_2",
        "autograd.topo.x_topological_order__mutmut_3",
    ]


def test_only_counts_and_lists_the_mutants_matching_a_pattern():
    assert tally(RESULTS, only=["autograd.topo.*", "nn.optim.xǁSGDǁstep__mutmut_1"]) == {
        "autograd": {"no tests": 1, "timeout": 1},
        "nn": {"killed": 1},
    }
    assert survivors(RESULTS, only=["autograd.topo.*"]) == ["autograd.topo.x_topological_order__mutmut_3"]
    assert tally(RESULTS, only=["autograd.files.*"]) == {}


def test_other_lines_are_ignored():
    assert tally("Running stats\n⠋ Generating mutants\n") == {}


def test_a_bar_is_package_equals_percent():
    assert parse_bar("autograd=90") == ("autograd", 90.0)
    for bad in ("autograd", "autograd=ninety"):
        with pytest.raises(argparse.ArgumentTypeError, match="expected PACKAGE=PERCENT"):
            parse_bar(bad)
