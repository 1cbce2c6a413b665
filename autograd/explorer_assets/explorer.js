"use strict";
// The backprop explorer: a forward pass (when asked for) and a backward pass, one op or one edge at a time.
// Position p > 0 means "backward steps 1..p are done"; 0 is the start of the backward pass, where only the
// output's gradient (1) is known; p < 0 are the forward pass's steps, -F being "nothing computed yet".
// Every text comes from the JSON data block and is set with textContent: labels are never markup.
// Each number was written by Python in the boxes' format, with "=" only where the arithmetic holds as shown.
(function () {
  const data = JSON.parse(document.getElementById("explorer-data").textContent);
  const nodes = data.nodes;
  const steps = data.steps;
  const root = data.root;
  const byId = (id) => document.getElementById(id);
  document.body.classList.remove("nojs");
  const ui = {};
  ["reset", "back", "play", "forward", "slider", "position", "more", "mode", "with-forward", "show-constants",
    "speed", "zoom", "find", "list-toggle", "step", "where", "local", "local-what", "chain", "chain-what", "sum",
    "sum-what", "note", "practice", "question", "answer", "hint", "reveal", "feedback", "graph", "step-list",
    "names", "key", "step-by", "ops"].forEach((id) => { ui[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = byId(id); });

  // The graph's parts, by the ids draw_graph gives them: value node v{i} (and its copies v{i}_u{n}, drawn again
  // near far uses), op node op{i}, edge op{i} -> v{i} o{i}, edge of argument k into op{i} e{i}_{k} (an edge into a
  // collapsed box g{b} standing for several has the first one's id and all of them as classes). A record's last
  // two texts are its "data" and "grad" fields. A Value held in a box is drawn by the box alone.
  const valueEls = nodes.map((_, i) => byId("v" + i));
  const drawings = valueEls.map((el, i) => [el, ...document.querySelectorAll("g.copy.v" + i)].filter(Boolean));
  const opEls = nodes.map((_, i) => byId("op" + i));
  const outEdges = nodes.map((_, i) => byId("o" + i));
  const edgeOf = (id) => byId(id) || document.getElementsByClassName(id)[0] || null;
  const stepEdges = steps.map((s) => edgeOf("e" + s.node + "_" + s.arg));
  const fieldsOf = (el) => { const t = el.querySelectorAll("text"); return [t[t.length - 2], t[t.length - 1]]; };
  const dataTexts = drawings.map((els) => els.map((el) => fieldsOf(el)[0]).filter(Boolean));
  const gradTexts = drawings.map((els) => els.map((el) => fieldsOf(el)[1]).filter(Boolean));
  const boxes = data.boxes.map((box) => {
    const el = byId(box.id);
    const texts = el ? Array.from(el.querySelectorAll("text")) : [];
    const starting = (word) => texts.find((t) => t.textContent.startsWith(word)) || null;
    return Object.assign({ el: el, data: starting("data "), grad: starting("grad "),
      paramsText: texts.find((t) => /^param grads:|^\d+ params, largest/.test(t.textContent)) || null }, box);
  });
  const boxOf = data.boxOf || nodes.map(() => -1);
  // Where the gradient of a step leaves from: the receiver's copy near the edge, or its box, if not its own node.
  const tailOf = (n) => { const t = data.tails[stepEdges[n] ? stepEdges[n].id : ""]; return t ? byId(t) : null; };

  // Replayed once: the gradient each step's receiver held before it, and when each node is first reached.
  const before = new Array(steps.length);
  const firstInto = nodes.map(() => Infinity);
  const lastInto = nodes.map(() => -1);
  const firstFrom = nodes.map(() => Infinity);
  const edgesOf = nodes.map(() => []);
  {
    const g = nodes.map((_, i) => (i === root ? data.one : data.zero));
    steps.forEach((s, n) => {
      before[n] = g[s.parent];
      g[s.parent] = s.grad;
      firstInto[s.parent] = Math.min(firstInto[s.parent], n);
      lastInto[s.parent] = n;
      firstFrom[s.node] = Math.min(firstFrom[s.node], n);
      edgesOf[s.node].push(n);
    });
  }
  // The forward pass: every node made by an op, inputs first; a collapsed box is computed in one step, at its
  // output, and everything it holds with it.
  const boxOut = boxes.map((box) => box.out[box.out.length - 1]);
  const computes = [];
  nodes.forEach((node, i) => { if (node.f && (boxOf[i] < 0 || boxOut[boxOf[i]] === i)) computes.push(i); });
  const forwardRank = nodes.map(() => -1);
  computes.forEach((i, r) => { forwardRank[i] = r; });
  nodes.forEach((node, i) => { if (node.f && boxOf[i] >= 0) forwardRank[i] = forwardRank[boxOut[boxOf[i]]]; });
  const F = computes.length;
  const neuronAt = new Map(data.neurons.map((neuron) => [neuron.h, neuron])); // a neuron by its output

  // What one press of Step shows, a "unit" [first, end, host, neuron]: the steps first..end-1, shown as the
  // edge of step host, or (host -1) as nn neuron number neuron. By edge, or by neuron; steps into constants
  // folded into a neighbour, or not.
  const neurons = data.neurons;
  const everyStep = steps.map((_, n) => [n, n + 1, n, -1]);
  const collapsed = data.boxOf !== null && data.neuronUnits !== null; // boxes drawn: neuron by neuron only
  const canFold = (collapsed || data.units !== null) && steps.some((s) => s.k);
  const unfold = (list) => list.flatMap((u) => (u[3] >= 0 ? [u] : everyStep.slice(u[0], u[1])));
  function unitList() {
    const byNeuron = collapsed || (ui.stepBy.value === "neuron" && data.neuronUnits !== null);
    const folded = canFold && !ui.showConstants.checked;
    if (byNeuron) return folded ? data.neuronUnits : unfold(data.neuronUnits);
    return folded && data.units !== null ? data.units : everyStep;
  }
  let units = everyStep;
  let withForward = false;
  let position = 0;
  let asking = false; // practice: the next step is highlighted and its gradient asked for
  const score = { asked: 0, right: 0, tries: 0 };

  const last = () => units.length;
  const first = () => (withForward ? -F : 0);
  const rawOf = (p) => (p > 0 ? units[p - 1][1] : 0); // how many edges are done at position p
  const rootName = nodes[root].name;

  // --- small helpers that touch the page only when something changed
  function setClasses(el, flags) {
    if (!el) return;
    let key = "";
    for (const name in flags) if (flags[name]) key += name + " ";
    if (el.explorerKey === key) return;
    for (const name in flags) el.classList.toggle(name, Boolean(flags[name]));
    el.explorerKey = key;
  }
  function setText(el, text) {
    if (el && el.explorerText !== text) { el.textContent = text; el.explorerText = text; }
  }
  // Text and node names: a token is a string, or the position of a node whose name goes there.
  function write(el, tokens, marks) {
    el.textContent = "";
    for (const t of tokens) {
      if (typeof t === "number") {
        const span = document.createElement("span");
        span.className = "name" + (marks && marks[t] ? " " + marks[t] : "");
        span.textContent = nodes[t].name;
        span.dataset.node = String(t);
        el.appendChild(span);
      } else if (t !== null && typeof t === "object") {
        const span = document.createElement("span");
        span.className = "calc";
        span.textContent = t.calc;
        el.appendChild(span);
      } else {
        el.appendChild(document.createTextNode(t));
      }
    }
  }
  const calc = (text) => ({ calc: text });
  const PARTIAL = "\u2202";

  // Receiving nodes get a double border: two copies of the box outline, shown only while it receives.
  function ring(el) {
    if (!el || el.explorerRing) return;
    const base = el.querySelector("polygon, path");
    if (!base) return;
    const outer = base.cloneNode(false), inner = base.cloneNode(false);
    outer.setAttribute("class", "ring outer");
    inner.setAttribute("class", "ring inner");
    base.after(outer, inner);
    el.explorerRing = true;
  }

  // --- the picture and the text of one position
  function render() {
    const p = position;
    const raw = rawOf(p);
    const forwardPhase = withForward && p <= 0; // a forward step is on show (at 0: the last one)
    const computed = withForward ? F + Math.min(p, 0) : F;
    const isComputed = (i) => !nodes[i].f || forwardRank[i] < computed;
    // What this position highlights: a backward step, a forward step, or (practice) the step being asked.
    let host = -1, unit = null, computing = -1;
    if (asking) unit = units[p];
    else if (p > 0) unit = units[p - 1];
    else if (forwardPhase && computed > 0) computing = computes[computed - 1];
    if (unit) host = unit[2];
    const s = host >= 0 ? steps[host] : null;
    const neuron = unit && unit[3] >= 0 ? neurons[unit[3]] : null;
    const marks = {};
    if (s) {
      for (const r of s.read || []) marks[r] = "operand";
      marks[s.node] = "sender";
      marks[s.parent] = "receiver";
    } else if (neuron) { // its delta: h's gradient, through f'(z), into z
      for (const r of neuron.read) marks[r] = "operand";
      marks[neuron.h] = "sender";
      marks[neuron.z] = "receiver";
    } else if (computing >= 0) {
      for (const e of edgesOf[computing]) marks[steps[e].parent] = "operand";
      const whole = boxOf[computing] >= 0 && neuronAt.get(computing);
      if (whole && whole.fz) for (const t of whole.fz) if (typeof t === "number") marks[t] = "operand";
      marks[computing] = "receiver";
    }
    const computingBox = computing >= 0 ? boxOf[computing] : -1;
    const changed = new Set();
    if (unit && !asking) for (let n = unit[0]; n < unit[1]; n++) changed.add(steps[n].parent);
    const inUnit = (n) => unit !== null && (n === host || (neuron !== null && unit[0] <= n && n < unit[1]));

    const grads = nodes.map((_, i) => (i === root ? data.one : data.zero));
    for (let n = 0; n < raw; n++) grads[steps[n].parent] = steps[n].grad;
    const showGrads = p >= 0;
    const reached = (i) => i === root || firstInto[i] < raw;
    const boxState = boxes.map(() => ({}));
    nodes.forEach((node, i) => {
      const dim = p < 0 ? !isComputed(i) && !marks[i] : !reached(i) && !marks[i] && !forwardPhase;
      if (drawings[i].length > 0) {
        const dataText = "data " + (isComputed(i) ? node.data : "?");
        const gradText = "grad " + (showGrads ? grads[i] : "?");
        for (const t of dataTexts[i]) { setText(t, dataText); t.classList.toggle("changed", i === computing); }
        for (const t of gradTexts[i]) { setText(t, gradText); t.classList.toggle("changed", changed.has(i)); }
        for (const el of drawings[i]) {
          if (marks[i] === "receiver") ring(el);
          setClasses(el, {
            dim: dim,
            zero: showGrads && grads[i] === data.zero,
            sender: marks[i] === "sender",
            receiver: marks[i] === "receiver",
            operand: marks[i] === "operand",
          });
        }
      } else if (boxOf[i] >= 0 && marks[i]) { // held in a box: the box shows what happens to it
        const state = boxState[boxOf[i]];
        if (marks[i] === "receiver" || !state.mark || (marks[i] === "sender" && state.mark === "operand")) {
          state.mark = marks[i];
        }
      }
      if (node.f && opEls[i]) {
        const sent = p < 0 ? isComputed(i) : forwardPhase || firstFrom[i] < raw;
        const on = (s && s.node === i) || computing === i || (neuron !== null && edgesOf[i].some(inUnit));
        setClasses(opEls[i], { dim: !sent && !on, current: on });
        setClasses(outEdges[i], { dim: !sent && !on, current: computing === i });
      }
    });
    boxes.forEach((box, b) => {
      const out = box.out[box.out.length - 1];
      const mark = boxState[b].mark;
      if (mark === "receiver") ring(box.el);
      setClasses(box.el, {
        dim: p < 0 ? !isComputed(out) && !mark : !reached(out) && !mark && !forwardPhase,
        zero: showGrads && box.out.every((o) => grads[o] === data.zero),
        sender: mark === "sender",
        receiver: mark === "receiver",
        operand: mark === "operand",
      });
      if (box.out.length === 1) {
        setText(box.data, "data " + (isComputed(out) ? nodes[out].data : "?"));
        setText(box.grad, "grad " + (showGrads ? grads[out] : "?"));
      } else if (box.grad) { // several outputs: the largest gradient, and whose it is
        let best = 0;
        box.out.forEach((o, k) => { if (Math.abs(Number(grads[o])) > Math.abs(Number(grads[box.out[best]]))) best = k; });
        setText(box.grad, showGrads ? "grad " + grads[box.out[best]] + " (" + box.names[best] + ")" : "grad ?");
      }
      if (box.paramsText) setText(box.paramsText, paramSummary(box, grads, showGrads));
    });
    const edgeState = new Map(); // an edge drawn for several steps is lit (or done) if any of them is
    stepEdges.forEach((edge, n) => {
      if (!edge) return;
      const node = steps[n].node;
      const state = edgeState.get(edge) || { done: false, current: false };
      state.current = state.current || inUnit(n) || node === computing
        || (computingBox >= 0 && boxOf[node] === computingBox);
      state.done = state.done || (p < 0 ? isComputed(node) : forwardPhase || n < raw);
      edgeState.set(edge, state);
    });
    edgeState.forEach((state, edge) => setClasses(edge, { dim: !state.done && !state.current, current: state.current }));

    describe(p, s, unit, neuron, computing, marks);
    ui.slider.min = String(first());
    ui.slider.max = String(last());
    ui.slider.value = String(p);
    ui.position.textContent = p < 0 ? "forward " + (F + p) + " / " + F : p + " / " + last();
    ui.reset.disabled = p === first() && !asking;
    ui.back.disabled = p === first() && !asking;
    ui.forward.disabled = p === last();
    ui.play.disabled = last() === first() || ui.mode.value === "practice";
    document.body.dataset.position = String(p);
    document.body.dataset.edge = s && !asking ? "e" + s.node + "_" + s.arg : "";
    document.body.dataset.neuron = neuron ? neuron.name : "";
    document.body.dataset.asking = asking ? String(p + 1) : "";
    markList();
    if (s) reveal([tailOf(host) || shown(s.parent), stepEdges[host], opEls[s.node], shown(s.node)]);
    else if (neuron) reveal([shown(neuron.z), opEls[neuron.h], shown(neuron.h)]);
    else if (computing >= 0) reveal([shown(computing), opEls[computing], ...edgesOf[computing].map((e) => stepEdges[e])]);
    else reveal([shown(p < 0 && F > 0 ? computes[0] : root)]);
  }

  // The element that shows position i: its own node, else the box that holds it.
  function shown(i) {
    if (valueEls[i]) return valueEls[i];
    return boxOf[i] >= 0 ? boxes[boxOf[i]].el : null;
  }

  // A box's line of parameter gradients, as draw_graph writes it: each one, or the largest of many.
  function paramSummary(box, grads, showGrads) {
    const value = (p) => (showGrads ? grads[p] : "?");
    if (box.params.length <= 3) return "param grads: " + box.params.map(([p, name]) => name + " " + value(p)).join(", ");
    if (!showGrads) return box.params.length + " params, largest |grad| ?";
    let best = box.params[0];
    for (const entry of box.params) {
      if (Math.abs(Number(grads[entry[0]])) > Math.abs(Number(grads[best[0]]))) best = entry;
    }
    return box.params.length + " params, largest |grad| " + grads[best[0]].replace(/^-/, "") + " (" + best[1] + ")";
  }

  // The panel: where we are, the local derivative, local x upstream, old + contribution; then notes.
  function describe(p, s, unit, neuron, computing, marks) {
    const empty = [];
    let where, localWhat = "local", local, chainWhat = empty, chain = empty, sumWhat = empty, sum = empty, note = [];
    let ops = [];
    const forwardLine = (i) => [i, " = ", ...nodes[i].f, " = ", calc(nodes[i].fc)];
    if (s && asking) {
      where = ["Your turn, step " + (p + 1) + " of " + last() + ": ", s.node, " \u2192 ", s.parent];
      local = localTokens(s, ui.hint.dataset.used === "yes");
      note = ["Read upstream off ", s.node, "'s box and the old gradient off ", s.parent, "'s box."];
    } else if (neuron) {
      const d = neuronLines(neuron, !asking || ui.hint.dataset.used === "yes");
      where = [(asking ? "Your turn, step " + (p + 1) : "Step " + p) + " of " + last() + ": neuron " + neuron.name
        + (neuron.note ? " (" + neuron.note + ")" : "") + ", its \u03b4 as the textbook writes it"];
      localWhat = "f'(z)";
      local = d.local;
      chainWhat = d.sumWhat;
      chain = asking ? empty : [calc(neuron.sum)];
      sumWhat = ["\u03b4 = f'(z) \u00b7 " + d.symbol + " (", neuron.z, ".grad)"];
      sum = asking ? empty : [calc(neuron.delta)];
      if (asking) {
        note = ["Read f'(z) off ", neuron.h, "'s box and ", d.symbol, " off its gradient."];
      } else {
        for (const [, n] of neuron.params) note.push(steps[n].trace.replace(" += ", " = ") + ";  ");
        if (p === last()) note.push("Done: every gradient is complete. ");
        note.push("The " + (unit[1] - unit[0]) + " op-level steps it stands for:");
        ops = steps.slice(unit[0], unit[1]).map((step) => step.trace);
      }
    } else if (s) {
      where = ["Step " + p + " of " + last() + ": ", s.node, " sends its gradient back to ", s.parent, "  (",
        ...definition(s.node), ")"];
      local = localTokens(s, true);
      chainWhat = ["local \u00d7 upstream (", s.node, ".grad)"];
      chain = [calc(s.cc)];
      sumWhat = [s.parent, ".grad: old + contribution"];
      sum = [calc(s.sc)];
      note = upstreamNote(s);
      if (s.why) note.push(" Here ", ...s.why, ".");
      if ((s.lc + s.cc + s.sc).includes("\u2248")) {
        note.push(" \u2248: the shown numbers are rounded; the boxes hold them unrounded, and those give the result.");
      }
      if (s.n) note.push(" Contribution " + s.n[0] + " of " + s.n[1] + ": ", s.parent,
        " is used " + s.n[1] + " times, so its gradient is the sum.");
      for (let n = unit[0]; n < unit[1]; n++) {
        if (n === unit[2]) continue;
        note.push(" Folded in: ", steps[n].parent, ".grad += " + steps[n].cc + " (a constant: nothing learns from it).");
      }
      if (p === last()) note.push(" Done: every gradient is complete.");
    } else if (computing >= 0) {
      const k = forwardRank[computing] + 1;
      const whole = boxOf[computing] >= 0 ? neuronAt.get(computing) : null;
      where = ["Forward " + k + " of " + F + ": compute ", computing];
      localWhat = "value";
      local = forwardLine(computing);
      if (whole && whole.fz) { // a collapsed neuron: its sum, then its activation
        where = ["Forward " + k + " of " + F + ": neuron " + whole.name];
        localWhat = "z";
        local = [whole.z, " = ", ...whole.fz, " = ", calc(whole.fzc)];
        if (whole.z !== whole.h) { chainWhat = ["h"]; chain = forwardLine(computing); }
      }
      note = ["The forward pass computes each node from its inputs, inputs first."];
      if (p === 0) {
        note = ["Forward pass done. The backward pass starts at the output: ", root, ".grad = " + PARTIAL, root,
          "/" + PARTIAL, root, " = 1; every other gradient starts at 0."];
      }
    } else if (p < 0) {
      where = ["Forward pass: 0 of " + F + " computed"];
      local = ["The inputs, parameters and constants are given; each step computes one node from its inputs."];
    } else {
      where = ["Start: ", root, ".grad = 1"];
      local = [PARTIAL, root, "/" + PARTIAL, root, " = 1: the pass starts at the output. Every other gradient starts at 0."];
      note = last() > 0
        ? ["Each step takes a node whose gradient is complete and adds local \u00d7 upstream to one of its inputs."]
        : [root, " was computed from nothing else, so there is nothing to send back."];
    }
    write(ui.where, where, marks);
    ui.localWhat.textContent = localWhat;
    write(ui.local, local, marks);
    write(ui.chainWhat, chainWhat, marks);
    write(ui.chain, chain, marks);
    write(ui.sumWhat, sumWhat, marks);
    write(ui.sum, sum, marks);
    write(ui.note, note, marks);
    ui.ops.textContent = "";
    for (const line of ops) {
      const li = document.createElement("li");
      li.textContent = line;
      ui.ops.appendChild(li);
    }
    ui.ops.hidden = ops.length === 0;
    ui.practice.hidden = !asking;
    if (asking && neuron) write(ui.question, ["\u03b4(" + neuron.name + ") ="], marks);
    else if (asking) write(ui.question, [s.parent, ".grad = old + local \u00d7 upstream ="], marks);
  }

  // A neuron's textbook lines: f'(z) with names and numbers, and what its sum of w * delta_next is called.
  function neuronLines(neuron, full) {
    const symbol = neuron.next ? "\u03a3 w\u00b7\u03b4_next" : PARTIAL + rootName + "/" + PARTIAL + "h";
    const head = [PARTIAL, neuron.h, "/" + PARTIAL, neuron.z, " = "];
    let local;
    if (neuron.fp === null) local = ["linear: f'(z) = 1, so \u03b4 = " + symbol];
    else if (!full) local = [...head, "?"];
    else local = [...head, ...neuron.fp, " = ", calc(neuron.fpc)];
    return { symbol: symbol, local: local, sumWhat: [symbol + " (", neuron.h, ".grad)"] };
  }

  function definition(i) { return [i, " = ", ...nodes[i].f]; }

  function localTokens(s, full) {
    const head = [PARTIAL, s.node, "/" + PARTIAL, s.parent, " = "];
    if (!full) return [...head, "?"];
    if (s.L === null) return [...head, calc(s.lc), " (recorded by the op " + nodes[s.node].op + " when it ran)"];
    const symbols = s.L;
    const single = symbols.length === 1 && typeof symbols[0] === "string" && !symbols[0].includes(" ");
    if (single && symbols[0] === s.lc) return [...head, calc(s.lc)];
    return [...head, ...symbols, " = ", calc(s.lc)];
  }

  function upstreamNote(s) {
    if (s.node === root) return ["Upstream ", root, ".grad = " + PARTIAL, root, "/" + PARTIAL, root, " = 1: the pass starts at the output."];
    return ["Upstream ", s.node, ".grad = " + PARTIAL, root, "/" + PARTIAL, s.node,
      " is complete: every op that reads ", s.node, " has already sent its share back."];
  }

  // Scroll the graph (never the panel) so that the first element is in view, and as much of the others
  // as fits: the receiving node, then the edge, the op and the sending node.
  function reveal(elements) {
    const present = elements.filter(Boolean);
    if (present.length === 0) return;
    const box = ui.graph.getBoundingClientRect();
    const view = {
      left: box.left + ui.graph.clientLeft, top: box.top + ui.graph.clientTop,
      width: ui.graph.clientWidth, height: ui.graph.clientHeight,
    };
    const rects = present.map((el) => el.getBoundingClientRect());
    const span = (lo, hi, keyLo, keyHi, size) => {
      // the stretch [lo, hi] to show, cut to the view's size around the key element [keyLo, keyHi]; with room
      // around it when there is room, so that what is shown does not hug the edge of the view
      const pad = Math.max(10, Math.min(60, (size - (hi - lo)) / 4));
      if (hi - lo <= size - 20) return [lo - pad, hi + pad];
      const room = Math.max(10, Math.min(80, (size - (keyHi - keyLo)) / 4)); // the key a little off the edge
      if (keyLo - lo > hi - keyHi) return [keyHi + room - size, keyHi + room]; // the others are before it
      return [keyLo - room, keyLo - room + size];
    };
    const k = rects[0];
    const [x0, x1] = span(Math.min(...rects.map((r) => r.left)), Math.max(...rects.map((r) => r.right)), k.left, k.right, view.width);
    const [y0, y1] = span(Math.min(...rects.map((r) => r.top)), Math.max(...rects.map((r) => r.bottom)), k.top, k.bottom, view.height);
    if (x0 < view.left || x1 > view.left + view.width) {
      ui.graph.scrollLeft += (x0 + x1) / 2 - (view.left + view.width / 2);
    }
    if (y0 < view.top || y1 > view.top + view.height) {
      ui.graph.scrollTop += (y0 + y1) / 2 - (view.top + view.height / 2);
    }
  }

  // --- moving
  let timer = null;
  function go(target) {
    pause();
    asking = false;
    position = Math.max(first(), Math.min(last(), target));
    render();
    if (ui.practice.contains(document.activeElement)) ui.forward.focus({ preventScroll: true }); // the form hid
  }
  function next() {
    if (ui.mode.value === "practice" && position >= 0 && !asking && position < last()) return ask();
    if (asking) return; // the answer comes first; Show reveals it
    go(position + 1);
  }
  function previous() { if (asking) go(position); else go(position - 1); }

  function play() {
    if (timer !== null || last() === first() || ui.mode.value === "practice") return;
    if (position === last()) { position = first(); render(); }
    timer = setInterval(() => {
      position += 1;
      render();
      if (position === last()) pause();
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
  function toggle() { if (timer === null) play(); else pause(); }

  // --- practice: type the next gradient before it is shown
  function ask() {
    pause();
    asking = true;
    ui.hint.dataset.used = "no";
    ui.answer.value = "";
    setFeedback("", "");
    render();
    ui.answer.focus({ preventScroll: true });
  }
  function setFeedback(text, kind) {
    ui.feedback.textContent = text;
    ui.feedback.className = kind;
  }
  function check(event) {
    event.preventDefault();
    if (!asking) return;
    const target = practiceTarget();
    const typed = ui.answer.value.trim().replace(/\u2212/g, "-").replace(",", ".");
    const value = Number(typed);
    if (typed === "" || !Number.isFinite(value)) {
      setFeedback("Type a number, like -0.25.", "wrong");
      return;
    }
    score.tries += 1;
    const ok = target.tol === null ? typed === target.grad : Math.abs(value - Number(target.grad)) <= target.tol;
    if (ok) {
      if (score.tries === 1) score.right += 1;
      score.asked += 1;
      score.tries = 0;
      go(position + 1);
      setFeedback("Right: " + target.name + " = " + target.grad + ". First-try answers: " + score.right
        + " of " + score.asked + ".", "right");
      return;
    }
    const far = value > Number(target.grad) ? "too big" : "too small";
    setFeedback(typed + " is " + far + ". " + (ui.hint.dataset.used === "yes"
      ? target.how : "Press Hint for the local derivative."), "wrong");
  }
  // What the question being asked wants: the receiver's new gradient, or a neuron's delta.
  function practiceTarget() {
    const unit = units[position];
    if (unit[3] >= 0) {
      const neuron = neurons[unit[3]];
      return { name: "\u03b4(" + neuron.name + ")", grad: neuron.grad, tol: neuron.tol,
        how: "Multiply f'(z) by the gradient of the neuron's output." };
    }
    const s = steps[unit[2]];
    return { name: nodes[s.parent].name + ".grad", grad: s.grad, tol: s.tol,
      how: "Multiply local by upstream and add the old gradient." };
  }
  function hint() {
    ui.hint.dataset.used = "yes";
    render();
  }
  function revealAnswer() {
    if (!asking) return;
    const target = practiceTarget();
    score.asked += 1;
    score.tries = 0;
    go(position + 1);
    setFeedback("The answer: " + target.name + " = " + target.grad + ". First-try answers: " + score.right
      + " of " + score.asked + ".", "shown");
  }

  // --- the list of all steps, made when first opened
  let listMade = null;
  function markList() {
    if (ui.stepList.hidden || listMade === null) return;
    const current = position > 0 ? listMade[position - 1] : null;
    listMade.forEach((li) => li.classList.toggle("current", li === current));
    if (current) {
      const top = current.offsetTop, bottom = top + current.offsetHeight;
      if (top < ui.stepList.scrollTop) ui.stepList.scrollTop = top;
      else if (bottom > ui.stepList.scrollTop + ui.stepList.clientHeight) {
        ui.stepList.scrollTop = bottom - ui.stepList.clientHeight;
      }
    }
  }
  function makeList() {
    ui.stepList.textContent = "";
    listMade = units.map((u, p) => {
      const li = document.createElement("li");
      li.textContent = u[3] >= 0 ? "neuron " + neurons[u[3]].name + ": \u03b4 = " + neurons[u[3]].delta
        : steps[u[2]].trace;
      li.addEventListener("click", () => go(p + 1));
      ui.stepList.appendChild(li);
      return li;
    });
  }
  function toggleList() {
    const open = ui.stepList.hidden;
    if (open && listMade === null) makeList();
    ui.stepList.hidden = !open;
    ui.listToggle.setAttribute("aria-expanded", String(open));
    markList();
  }

  // --- finding a node: jump to the step after which its gradient is complete
  function find() {
    const wanted = ui.find.value.trim();
    if (wanted === "") return;
    let i = nodes.findIndex((node) => node.name === wanted);
    if (i < 0) i = nodes.findIndex((node) => node.name.toLowerCase() === wanted.toLowerCase());
    if (i < 0) {
      write(ui.note, ["No node is named \u201C" + wanted + "\u201D."]);
      return;
    }
    if (i === root || lastInto[i] < 0) { go(0); return; }
    const n = lastInto[i];
    const p = units.findIndex((u) => u[0] <= n && n < u[1]);
    go(p + 1);
    ui.note.appendChild(document.createTextNode(" (" + nodes[i].name + "'s gradient is complete from here on.)"));
  }
  let namesMade = false;
  function makeNames() {
    if (namesMade) return;
    namesMade = true;
    const seen = new Set();
    for (const node of nodes) {
      if (seen.has(node.name) || node.role === "constant") continue;
      seen.add(node.name);
      const option = document.createElement("option");
      option.value = node.name;
      ui.names.appendChild(option);
    }
  }

  // --- controls
  ui.reset.addEventListener("click", () => go(first()));
  ui.back.addEventListener("click", previous);
  ui.forward.addEventListener("click", next);
  ui.play.addEventListener("click", toggle);
  ui.slider.addEventListener("input", () => go(Number(ui.slider.value)));
  ui.speed.addEventListener("change", () => { if (timer !== null) { pause(); play(); } });
  ui.more.addEventListener("click", () => {
    const open = document.body.classList.toggle("options-open");
    ui.more.setAttribute("aria-expanded", String(open));
  });
  ui.mode.addEventListener("change", () => {
    document.body.dataset.mode = ui.mode.value;
    go(position);
  });
  ui.withForward.addEventListener("change", () => {
    withForward = ui.withForward.checked;
    go(withForward ? -F : Math.max(position, 0));
  });
  ui.showConstants.checked = !canFold;
  ui.showConstants.disabled = !canFold;
  ui.showConstants.closest("label").hidden = !canFold;
  function regroup() { // keep the steps done, as near as the new units allow
    const raw = rawOf(position);
    units = unitList();
    if (listMade !== null) makeList();
    go(position <= 0 ? position : units.filter((u) => u[1] <= raw).length);
  }
  ui.showConstants.addEventListener("change", regroup);
  ui.stepBy.addEventListener("change", regroup);
  ui.stepBy.closest("label").hidden = data.neuronUnits === null || collapsed;
  if (collapsed) ui.stepBy.value = "neuron";
  units = unitList();
  ui.practice.addEventListener("submit", check);
  ui.hint.addEventListener("click", hint);
  ui.reveal.addEventListener("click", revealAnswer);
  ui.listToggle.addEventListener("click", toggleList);
  ui.find.addEventListener("focus", makeNames);
  ui.find.addEventListener("change", find);
  ui.find.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); find(); } });

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const tag = event.target && event.target.tagName;
    if (tag === "SELECT" || tag === "TEXTAREA" || (tag === "INPUT" && event.target.type !== "range"
      && event.target.type !== "checkbox")) return;
    switch (event.key) {
      case "ArrowRight": next(); break;
      case "ArrowLeft": previous(); break;
      case "Home": go(first()); break;
      case "End": go(last()); break;
      case " ":
        if (tag === "BUTTON" || tag === "SUMMARY" || (tag === "INPUT" && event.target.type === "checkbox")) return;
        toggle();
        break;
      default: return;
    }
    event.preventDefault(); // the slider, when focused, would move a second time
  });

  // A swipe across the step panel steps: to the left for the next step, to the right for the one before.
  let touch = null;
  ui.step.addEventListener("touchstart", (event) => {
    const t = event.changedTouches[0];
    touch = { x: t.clientX, y: t.clientY };
  }, { passive: true });
  ui.step.addEventListener("touchend", (event) => {
    if (touch === null) return;
    const t = event.changedTouches[0];
    const dx = t.clientX - touch.x, dy = t.clientY - touch.y;
    touch = null;
    if (Math.abs(dx) < 40 || Math.abs(dx) < 2 * Math.abs(dy)) return;
    if (event.target.closest && event.target.closest("#practice")) return;
    if (dx < 0) next(); else previous();
  }, { passive: true });

  // Zoom: "fit" (Graphviz's size, shrunk to the box's width if wider) or a factor of that size.
  const svg = ui.graph.querySelector("svg");
  const natural = svg ? svg.getBoundingClientRect().width : 0;
  function setZoom(zoom) {
    ui.zoom.value = zoom;
    if (svg) {
      svg.style.width = natural * (zoom === "fit" ? 1 : Number(zoom)) + "px";
      svg.style.maxWidth = zoom === "fit" ? "100%" : "none";
      svg.style.height = "auto";
    }
    render();
  }
  ui.zoom.addEventListener("change", () => setZoom(ui.zoom.value));

  const narrow = window.matchMedia("(max-width: 700px)").matches;
  if (narrow) ui.key.open = false;
  pause();
  // Fit the graph to the width when its text stays readable that small, else show it at 75%.
  setZoom(natural > 0 && ui.graph.clientWidth / natural >= 0.6 ? "fit" : "0.75");
  document.body.dataset.ready = "true";
  if (window.performance && performance.mark) performance.mark("explorer-ready");
}());
