"""``import autograd`` loads the engine only: Graphviz, XML and JSON wait until something is drawn.

Each check runs a fresh interpreter (this test process has long imported everything).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import autograd

HEAVY = ("graphviz", "xml", "json")
ENGINE = ("autograd", "autograd.value", "autograd.topo", "autograd.grad_mode", "autograd.gradcheck",
          "autograd.rules", "autograd.trace")
DRAWING = ("draw_graph", "save_graph", "save_graph_steps", "save_explorer", "GraphvizNotFoundError",
           "GraphTooLargeError")


def loaded_after(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter; return which of the HEAVY packages it left loaded."""
    probe = (
        "import sys\n"
        f"{code}\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "sys.stdout.write(repr(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return eval(done.stdout)


@pytest.mark.parametrize("module", ENGINE)
def test_the_engine_imports_no_drawing_libraries(module):
    assert loaded_after(f"import {module}")== []


def test_using_the_engine_loads_no_drawing_libraries():
    code = (
        "from autograd import Value, gradcheck, no_grad, trace_backward\n"
        "x = Value(0.5, label='x')\n"
        "y = (x * x).tanh()\n"
        "steps = trace_backward(y)\n"
        "assert len(steps) == 3, steps\n"
        "assert gradcheck(lambda: (x * x).tanh(), [x])\n"
    )
    assert loaded_after(code)== []


@pytest.mark.parametrize("name", DRAWING)
def test_a_drawing_name_loads_its_module_on_first_use(name):
    assert "graphviz" in loaded_after(f"from autograd import {name}")


def test_every_public_name_imports_and_is_the_submodules_object():
    code = "from autograd import *\n" + "\n".join(f"assert callable({n})" for n in autograd.__all__)
    loaded_after(code)
    assert autograd.draw_graph is autograd.render.draw_graph
    assert autograd.save_explorer is autograd.explorer.save_explorer
    assert autograd.GraphvizNotFoundError is autograd.render.GraphvizNotFoundError


def test_the_gradcheck_function_is_not_shadowed_by_its_submodule():
    code = "import autograd.gradcheck\nimport autograd\nassert callable(autograd.gradcheck), autograd.gradcheck"
    loaded_after(code)
    assert callable(autograd.gradcheck)


def test_dir_lists_the_public_names_and_no_import_helpers():
    names = dir(autograd)
    assert set(autograd.__all__) <= set(names)
    assert "import_module" not in names and "TYPE_CHECKING" not in names and "_LAZY" not in names


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'autograd' has no attribute 'draw_graf'"):
        autograd.draw_graf  # noqa: B018 (the attribute access is the test)
    with pytest.raises(ImportError, match="draw_graf"):
        exec("from autograd import draw_graf", {})


def test_importtime_report_has_no_drawing_modules():
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import autograd"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line]
    assert "autograd.value" in imported
    assert not [m for m in imported if m.split(".")[0] in HEAVY], imported
