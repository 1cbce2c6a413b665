"""The explorer page in a real browser: headless Chromium driven by Playwright, opened from file://.

The browser is the system's Chromium (Debian's ``chromium``; ``make test``
installs it), found by ``scripts/chromium.py`` through ``GRADTRACE_CHROMIUM`` or
on PATH; Playwright never downloads one. Without a browser these tests skip, saying what to install,
except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from chromium import INSTALL_HINT, LAUNCH_ARGS, find_chromium  # scripts/chromium.py, on sys.path by conftest

from autograd import Value, save_explorer, topological_order, trace_backward
from autograd.render import format_field
from autograd.testing import HOSTILE_LABEL as HOSTILE
from autograd.testing import SCRIPT_CLOSER_LABEL as CLOSER
from autograd.testing import hostile_graph
from autograd.trace import format_number

INSTALL = f"{INSTALL_HINT}, and install Playwright for Python (pip install playwright); no browser download is needed"


def unavailable(reason: str) -> None:
    """Skip with what to install; in CI, where the browser must be there, fail instead."""
    message = f"explorer browser tests: {reason}; {INSTALL}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed")
    executable = find_chromium()
    if executable is None:
        unavailable("no Chromium or Chrome found")
    if not Path(executable).exists():
        pytest.fail(f"GRADTRACE_CHROMIUM={executable} does not exist")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory):
    """The page of hostile_graph(), and that graph's steps and nodes (the truth to check against)."""
    y = hostile_graph()
    path = save_explorer(y, tmp_path_factory.mktemp("explorer") / "hostile.html")
    order = topological_order(y)
    for v in order:
        v.grad = 0.0
    return path, trace_backward(y), order


class Tab:
    """One open page, with what it reported: dialogs, script errors, requests."""

    def __init__(self, browser, path: Path, *, fake_clock: bool = False) -> None:
        self.page = browser.new_page(viewport={"width": 1200, "height": 800})
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("request", lambda r: self.requests.append(r.url))
        if fake_clock:
            self.page.clock.install()
        self.page.goto(path.as_uri())

    def position(self) -> int:
        return int(self.page.get_attribute("body", "data-position"))

    def current_edges(self) -> list[str]:
        return self.page.eval_on_selector_all("#graph g.edge.current", "els => els.map(e => e.id)")

    def grad_texts(self, count: int) -> list[str]:
        """The "grad ..." field shown on each value node v0 .. v{count-1}."""
        return self.page.evaluate(
            """n => Array.from({length: n}, (_, i) => {
                 const texts = Array.from(document.getElementById("v" + i).querySelectorAll("text"));
                 return texts.map(t => t.textContent).filter(t => t.startsWith("grad ")).pop();
               })""",
            count,
        )

    def dimmed(self, count: int) -> list[bool]:
        return self.page.evaluate(
            "n => Array.from({length: n}, (_, i) => document.getElementById('v' + i).classList.contains('dim'))",
            count,
        )

    def close(self) -> None:
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.errors == [], f"script errors: {self.errors}"
        self.page.close()


@pytest.fixture
def tab(browser, hostile_page):
    t = Tab(browser, hostile_page[0])
    yield t
    t.close()


def expected_after(steps, count: int, position: int) -> tuple[list[str], list[bool]]:
    """Each node's grad text and dimmed state after ``position`` steps, replayed from trace_backward."""
    grads = [0.0] * count
    grads[-1] = 1.0
    reached = [False] * count
    reached[-1] = True
    for step in steps[:position]:
        grads[step.parent_position] += step.local_grad * step.upstream
        reached[step.parent_position] = True
    return [f"grad {format_field(g, 4)}" for g in grads], [not r for r in reached]


def arithmetic(step) -> str:
    return (
        f"{step.parent_name}.grad += local {format_number(step.local_grad)} \u00d7 "
        f"upstream {format_number(step.upstream)} = {format_number(step.contribution)}"
    )


def test_stepping_forward_highlights_each_edge_and_updates_grads(tab, hostile_page):
    _, steps, order = hostile_page
    n = len(order)
    grads, dimmed = expected_after(steps, n, 0)
    assert tab.position() == 0 and tab.current_edges() == []
    assert tab.grad_texts(n) == grads and tab.dimmed(n) == dimmed
    assert tab.page.text_content("#arith") == "y & <b>.grad = 1.0"  # the root's label is markup, shown as text
    for position in range(1, 6):
        tab.page.click("#forward")
        step = steps[position - 1]
        assert tab.position() == position
        assert tab.current_edges() == [step.edge_id]
        assert tab.page.get_attribute("body", "data-edge") == step.edge_id
        assert tab.page.text_content("#arith") == arithmetic(step)
        grads, dimmed = expected_after(steps, n, position)
        assert tab.grad_texts(n) == grads
        assert tab.dimmed(n) == dimmed
        receiving = tab.page.eval_on_selector_all("#graph g.node.receiving", "els => els.map(e => e.id)")
        assert receiving == [f"v{step.parent_position}"]


def test_back_reset_end_and_keyboard(tab, hostile_page):
    _, steps, order = hostile_page
    n = len(order)
    for _ in range(4):
        tab.page.keyboard.press("ArrowRight")
    tab.page.keyboard.press("ArrowLeft")
    assert tab.position() == 3 and tab.current_edges() == [steps[2].edge_id]
    assert tab.grad_texts(n) == expected_after(steps, n, 3)[0]
    tab.page.click("#back")
    assert tab.position() == 2 and tab.current_edges() == [steps[1].edge_id]
    tab.page.click("#reset")
    assert tab.position() == 0 and tab.current_edges() == []
    assert tab.grad_texts(n) == expected_after(steps, n, 0)[0]
    assert tab.page.is_disabled("#back") and tab.page.is_disabled("#reset")
    tab.page.keyboard.press("ArrowLeft")  # nothing before the start
    assert tab.position() == 0
    tab.page.keyboard.press("End")
    assert tab.position() == len(steps) and tab.page.is_disabled("#forward")
    grads, dimmed = expected_after(steps, n, len(steps))
    assert tab.grad_texts(n) == grads and not any(tab.dimmed(n))
    assert grads == [f"grad {format_field(v.grad, 4)}" for v in order]  # the same as trace_backward's .grad
    tab.page.keyboard.press("ArrowRight")  # nothing after the end
    assert tab.position() == len(steps)
    tab.page.keyboard.press("Home")
    assert tab.position() == 0


def test_slider_moves_to_any_step_and_arrows_on_it_move_one(tab, hostile_page):
    _, steps, order = hostile_page
    n = len(order)
    assert int(tab.page.get_attribute("#slider", "max")) == len(steps)
    tab.page.eval_on_selector(
        "#slider", "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", 7
    )
    assert tab.position() == 7 and tab.current_edges() == [steps[6].edge_id]
    assert tab.grad_texts(n) == expected_after(steps, n, 7)[0]
    tab.page.focus("#slider")
    tab.page.keyboard.press("ArrowRight")  # one step, not two (the slider's own move is held back)
    assert tab.position() == 8
    assert tab.page.input_value("#slider") == "8"
    assert tab.page.text_content("#position") == f"8 / {len(steps)}"


def test_clicking_a_step_in_the_list_jumps_to_it(tab, hostile_page):
    _, steps, _ = hostile_page
    tab.page.click("#all-steps summary")
    tab.page.click("#step-list li:nth-child(4)")
    assert tab.position() == 4 and tab.current_edges() == [steps[3].edge_id]
    assert tab.page.text_content("#step-list li.current") == arithmetic(steps[3])


def test_play_runs_to_the_end_and_stops(browser, hostile_page):
    path, steps, _ = hostile_page
    tab = Tab(browser, path, fake_clock=True)  # the page's timer runs on a clock the test moves
    try:
        tab.page.click("#play")
        assert tab.page.get_attribute("#play", "aria-pressed") == "true"
        tab.page.clock.run_for(700 * 2 + 100)  # "normal" speed: a step every 700 ms
        assert tab.position() == 2
        tab.page.keyboard.press(" ")  # pause
        tab.page.clock.run_for(5000)
        assert tab.position() == 2 and tab.page.get_attribute("#play", "aria-pressed") == "false"
        tab.page.click("#play")
        tab.page.clock.run_for(700 * (len(steps) + 3))
        assert tab.position() == len(steps)
        assert tab.page.get_attribute("body", "data-playing") == "false"
    finally:
        tab.close()


def test_hostile_labels_show_as_text_and_run_nothing(tab, hostile_page):
    _, steps, _ = hostile_page
    tab.page.keyboard.press("End")
    assert tab.page.locator("img").count() == 0
    assert tab.page.locator("script").count() == 2
    svg_texts = tab.page.eval_on_selector_all("#graph text", "els => els.map(e => e.textContent)")
    assert HOSTILE in svg_texts and CLOSER in svg_texts
    into_hostile = next(n for n, s in enumerate(steps, 1) if s.parent_name == HOSTILE)
    tab.page.keyboard.press("Home")
    for _ in range(into_hostile):
        tab.page.keyboard.press("ArrowRight")
    assert tab.page.text_content("#arith").startswith(HOSTILE + ".grad += local ")
    assert tab.page.inner_text("#after").startswith(HOSTILE + ".grad is now ")
    # a node's tooltip names it, as text too
    titles = tab.page.eval_on_selector_all("#graph g.node > title", "els => els.map(e => e.textContent)")
    assert HOSTILE in titles
    # tab.close() (the fixture) checks that no dialog opened and no script failed


def test_page_loads_nothing_but_itself(tab, hostile_page):
    assert tab.requests == [hostile_page[0].as_uri()]


def test_page_without_steps(browser, tmp_path):
    path = save_explorer(Value(4.0, label="x"), tmp_path / "leaf.html")
    tab = Tab(browser, path)
    try:
        assert tab.page.text_content("#position") == "0 / 0"
        assert tab.page.is_disabled("#forward") and tab.page.is_disabled("#play")
        tab.page.keyboard.press("ArrowRight")
        assert tab.position() == 0 and tab.grad_texts(1) == ["grad 1.0000"]
    finally:
        tab.close()


def test_xor_page_ends_at_the_gradients_of_backward(browser, tmp_path):
    from demos.explore import main, xor_sample_loss

    path = tmp_path / "xor.html"
    assert main(["--out", str(path), "--seed", "3", "--sample", "01"]) == 0
    loss, _ = xor_sample_loss(seed=3, sample="01")
    loss.backward()
    order = topological_order(loss)
    tab = Tab(browser, path)
    try:
        assert tab.page.text_content("#position") == f"0 / {sum(len(v.parents) for v in order)}"
        tab.page.keyboard.press("End")
        assert tab.grad_texts(len(order)) == [f"grad {format_field(v.grad, 4)}" for v in order]
        assert tab.requests == [path.as_uri()]
    finally:
        tab.close()
