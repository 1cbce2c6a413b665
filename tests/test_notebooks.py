"""The notebooks run top to bottom in a real Jupyter kernel, draw pictures, and are committed without outputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
IMAGES = ("image/png", "image/svg+xml")


def test_there_are_notebooks():
    assert [p.name for p in PATHS][:3] == [
        "01_from_nudging_to_the_chain_rule.ipynb",
        "02_the_backward_pass_step_by_step.ipynb",
        "03_training_xor_and_the_moons.ipynb",
    ]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs first"
    assert "widgets" not in nb.metadata


def kernel_in_this_python(tmp_path: Path) -> KernelManager:
    """A kernel run by this very interpreter (the one that has gradtrace), whatever kernels are installed."""
    spec_dir = tmp_path / "kernels" / "gradtrace-python"
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec_dir / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "gradtrace", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")], ensure_native_kernel=False)
    return KernelManager(kernel_name="gradtrace-python", kernel_spec_manager=specs)


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_runs_without_error_and_draws(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        km=kernel_in_this_python(tmp_path),
        timeout=120,  # per cell
        allow_errors=False,  # a failing cell raises CellExecutionError, with the cell and the traceback
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    nbformat.write(nb, tmp_path / path.name)  # the executed notebook, to look at when this fails
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    assert not [out for out in outputs if out.output_type == "stream" and out.name == "stderr"], path.name
    images = [out for out in outputs if any(kind in out.get("data", {}) for kind in IMAGES)]
    assert images, f"{path.name} shows no picture"
