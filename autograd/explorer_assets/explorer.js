"use strict";
// The backprop explorer: shows a backward pass one step (one edge of the graph) at a time.
// Position p means "steps 1..p are done"; 0 is the start, where only the output's gradient (1) is known.
// Every text comes from the JSON data block and is set with textContent: labels are never markup.
(function () {
  const data = JSON.parse(document.getElementById("explorer-data").textContent);
  const steps = data.steps;
  const last = steps.length;
  const byId = (id) => document.getElementById(id);
  const ui = {
    reset: byId("reset"), back: byId("back"), play: byId("play"), forward: byId("forward"),
    slider: byId("slider"), position: byId("position"), speed: byId("speed"), zoom: byId("zoom"),
    graph: byId("graph"), arith: byId("arith"), local: byId("local"), upstream: byId("upstream"),
    after: byId("after"), list: byId("step-list"),
  };

  // The graph's parts, found by the ids draw_graph gives them: value node v{i}, op node op{i},
  // edge op{i} -> v{i} o{i}, edge of argument k of node i e{i}_{k}. Missing ones are skipped.
  const valueNodes = data.nodes.map((_, i) => byId("v" + i));
  const opNodes = data.nodes.map((_, i) => byId("op" + i));
  const outEdges = data.nodes.map((_, i) => byId("o" + i));
  const stepEdges = steps.map((s) => byId(s.edge));
  const gradTexts = valueNodes.map(gradText);
  const rootName = data.nodes[data.root].name;
  // Hovering a value node shows its name (Graphviz put the node id, v{i}, in its <title>).
  valueNodes.forEach((node, i) => {
    const title = node && node.querySelector("title");
    if (title) title.textContent = data.nodes[i].name;
  });

  // The record field that reads "grad ...": the last one, as a label could start with "grad " too.
  function gradText(node) {
    let found = null;
    if (node) {
      for (const t of node.querySelectorAll("text")) {
        if (t.textContent.startsWith("grad ")) found = t;
      }
    }
    return found;
  }

  function mark(element, classes) {
    if (!element) return;
    for (const name in classes) element.classList.toggle(name, Boolean(classes[name]));
  }

  const items = steps.map((s, p) => {
    const li = document.createElement("li");
    li.textContent = s.text;
    li.addEventListener("click", () => { pause(); show(p + 1); });
    ui.list.appendChild(li);
    return li;
  });

  let position = 0;

  function show(target) {
    position = Math.max(0, Math.min(last, target));
    const grads = data.nodes.map(() => data.zero);
    grads[data.root] = data.one;
    const reached = data.nodes.map((_, i) => i === data.root);
    const sent = data.nodes.map(() => false);
    for (let p = 0; p < position; p++) {
      const s = steps[p];
      grads[s.parent] = s.grad;
      reached[s.parent] = true;
      sent[s.node] = true;
    }
    const current = position > 0 ? steps[position - 1] : null;
    const isNode = (i) => current !== null && current.node === i;
    data.nodes.forEach((_, i) => {
      if (gradTexts[i]) {
        gradTexts[i].textContent = "grad " + grads[i];
        gradTexts[i].classList.toggle("grad-changed", current !== null && current.parent === i);
      }
      mark(valueNodes[i], {
        dim: !reached[i],
        sending: isNode(i),
        receiving: current !== null && current.parent === i,
      });
      mark(opNodes[i], { dim: !sent[i], "on-path": isNode(i) });
      mark(outEdges[i], { dim: !sent[i], "on-path": isNode(i) });
    });
    stepEdges.forEach((edge, p) => mark(edge, { dim: p >= position, current: p === position - 1 }));
    items.forEach((li, p) => {
      li.classList.toggle("done", p < position);
      li.classList.toggle("current", p === position - 1);
    });

    if (current !== null) {
      ui.arith.textContent = current.text;
      ui.local.textContent = current.local;
      ui.upstream.textContent = current.upstream;
      ui.after.textContent = current.after + (position === last ? ". Done: every gradient is complete." : "");
    } else {
      ui.arith.textContent = rootName + ".grad = 1.0";
      ui.local.textContent = "The pass starts at the output: d" + rootName + "/d" + rootName + " = 1. "
        + "Every other gradient starts at 0.";
      ui.upstream.textContent = last > 0
        ? "Each step takes a node whose gradient is complete and adds local \u00d7 upstream to one of its inputs."
        : rootName + " was computed from nothing else, so there is nothing to send back.";
      ui.after.textContent = last > 0 ? "Press Step \u25B6 or \u2192 for the first step." : "";
    }

    ui.slider.value = String(position);
    ui.position.textContent = position + " / " + last;
    ui.reset.disabled = ui.back.disabled = position === 0;
    ui.forward.disabled = position === last;
    ui.play.disabled = last === 0;
    document.body.dataset.position = String(position);
    document.body.dataset.edge = current !== null ? current.edge : "";
    if (current !== null) follow(items[position - 1], ui.list);
    reveal(current !== null ? stepEdges[position - 1] : valueNodes[data.root]);
  }

  // Scroll the graph's box (not the page) so that an element of the graph is in view.
  function reveal(element) {
    if (!element) return;
    const box = ui.graph.getBoundingClientRect(), r = element.getBoundingClientRect();
    if (r.left < box.left || r.right > box.right) {
      ui.graph.scrollLeft += (r.left + r.right - box.left - box.right) / 2;
    }
    if (r.top < box.top || r.bottom > box.bottom) {
      ui.graph.scrollTop += (r.top + r.bottom - box.top - box.bottom) / 2;
    }
  }

  // Scroll a list so that one of its items shows, without moving the page.
  function follow(item, list) {
    const top = item.offsetTop, bottom = top + item.offsetHeight;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
  }

  let timer = null;

  function play() {
    if (last === 0 || timer !== null) return;
    if (position === last) show(0);
    timer = setInterval(() => {
      show(position + 1);
      if (position === last) pause();
    }, Number(ui.speed.value));
    ui.play.textContent = "\u275A\u275A Pause";
    ui.play.setAttribute("aria-pressed", "true");
    document.body.dataset.playing = "true";
  }

  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    ui.play.textContent = "\u25B6 Play";
    ui.play.setAttribute("aria-pressed", "false");
    document.body.dataset.playing = "false";
  }

  function toggle() {
    if (timer === null) play(); else pause();
  }

  function go(target) {
    pause();
    show(target);
  }

  ui.reset.addEventListener("click", () => go(0));
  ui.back.addEventListener("click", () => go(position - 1));
  ui.forward.addEventListener("click", () => go(position + 1));
  ui.play.addEventListener("click", toggle);
  ui.slider.addEventListener("input", () => go(Number(ui.slider.value)));
  ui.speed.addEventListener("change", () => {
    if (timer !== null) { pause(); play(); }
  });
  // Zoom: "fit" (Graphviz's own size, shrunk to the box's width if wider) or a factor of that size.
  const svg = ui.graph.querySelector("svg");
  const natural = svg ? svg.getBoundingClientRect().width : 0;
  function setZoom(zoom) {
    ui.zoom.value = zoom;
    if (svg) {
      svg.style.width = natural * (zoom === "fit" ? 1 : Number(zoom)) + "px";
      svg.style.maxWidth = zoom === "fit" ? "100%" : "none";
      svg.style.height = "auto";
    }
    reveal(position > 0 ? stepEdges[position - 1] : valueNodes[data.root]);
  }
  ui.zoom.addEventListener("change", () => setZoom(ui.zoom.value));

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const tag = event.target && event.target.tagName;
    if (tag === "SELECT" || tag === "TEXTAREA" || (tag === "INPUT" && event.target.type !== "range")) return;
    switch (event.key) {
      case "ArrowRight": go(position + 1); break;
      case "ArrowLeft": go(position - 1); break;
      case "Home": go(0); break;
      case "End": go(last); break;
      case " ":
        if (tag === "BUTTON" || tag === "SUMMARY") return; // space presses the focused control
        toggle();
        break;
      default: return;
    }
    event.preventDefault(); // the slider, when focused, would move a second time
  });

  // Fit the graph to the width when its text stays readable that small, else show it at 75%.
  pause();
  setZoom(natural > 0 && ui.graph.clientWidth / natural >= 0.6 ? "fit" : "0.75");
  show(0);
}());
