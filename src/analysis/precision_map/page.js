// The qcls precision map page. It only draws: qcls computed every position. The data is in
// the #qcls-map-data element, or comes in a {type: "data"} message (the VS Code webview).
(function () {
  "use strict";
  var vscode = typeof acquireVsCodeApi === "function" ? acquireVsCodeApi() : null;
  var canvas = document.getElementById("map");
  var ctx = canvas.getContext("2d");
  var $ = function (id) { return document.getElementById(id); };
  var M = null; // the loaded map
  var view = { s: 1, tx: 0, ty: 0 };
  var selected = -1;
  var drawn = null; // what the last frame drew: counts per class, for tests and the status
  var frameQueued = false;
  var api = { ready: false, loads: 0, frames: 0 };
  // Far out (nodes under 2 pixels), open groups smaller than this on screen are drawn as boxes.
  var LOD_PX = 48;
  window.qclsMap = api;

  // ---- data ---------------------------------------------------------------------------
  function load(data) {
    if (!data || data.version !== 1) {
      notice(data ? "This page cannot read data of version " + data.version + "." : "Waiting for the map...");
      M = null;
      return;
    }
    notice("");
    var nodes = data.nodes, groups = data.groups;
    var N = nodes.op.length, G = groups.parent.length;
    var m = {
      data: data, N: N, G: G,
      W: data.geometry.node_w, H: data.geometry.node_h, pad: data.geometry.pad, head: data.geometry.head, gap: data.geometry.gap,
      x: Float64Array.from(nodes.x), y: Float64Array.from(nodes.y),
      cls: Uint8Array.from(nodes.cls), g: Uint32Array.from(nodes.g),
      gx: Float64Array.from(groups.x), gy: Float64Array.from(groups.y),
      gw: Float64Array.from(groups.w), gh: Float64Array.from(groups.h),
      parent: Uint32Array.from(groups.parent), open: Uint8Array.from(groups.open),
      depth: new Uint16Array(G),
      kidsN: [], kidsG: [],
      bands: new Map(), entry: new Map(), full: new Map(),
      edges: Uint32Array.from(data.edges),
      lower: null, names: null,
      repG: new Int32Array(G), ends: null, bound: null,
    };
    for (var g = 0; g < G; g++) { m.kidsN.push([]); m.kidsG.push([]); }
    for (g = 1; g < G; g++) {
      m.kidsG[m.parent[g]].push(g);
      m.depth[g] = m.depth[m.parent[g]] + 1;
    }
    for (var v = 0; v < N; v++) m.kidsN[m.g[v]].push(v);
    nodes.bands.forEach(function (row) { m.bands.set(row[0], row.slice(1)); });
    nodes.entry.forEach(function (row) { m.entry.set(row[0], row[1]); });
    nodes.full.forEach(function (row) { m.full.set(row[0], row[1]); });
    M = m;
    recompute();
    renderLegend();
    $("title").textContent = data.title + " \u2014 " + N + " nodes";
    $("title").title = "model: " + data.model + " (" + data.reason + ")\nprofile: " + data.profile;
    api.loads++;
  }

  function nodeName(v) {
    if (M.full.has(v)) return M.full.get(v);
    var g = M.g[v], rel = M.data.nodes.name[v];
    return g === 0 ? rel : M.data.groups.name[g] + "/" + rel;
  }
  // The name after the scope of its group (what the box says), else the op type.
  function nodeLabel(v) {
    var rel = M.full.has(v) ? M.full.get(v) : M.data.nodes.name[v];
    rel = rel.replace(/^\/+/, "");
    return rel || M.data.nodes.op[v];
  }

  // Which item stands for each node and group under the current open/closed state, and the
  // edges between visible items.
  function recompute() {
    var m = M, N = m.N, G = m.G;
    m.repG[0] = -1;
    for (var g = 1; g < G; g++) {
      var r = m.repG[m.parent[g]];
      m.repG[g] = r !== -1 ? r : (m.open[g] ? -1 : g);
    }
    var seen = new Map(), list = [];
    var e = m.edges;
    for (var i = 0; i + 2 < e.length; i += 3) {
      var a = rep(e[i]), b = rep(e[i + 1]);
      if (a === b) continue;
      var key = a * (N + G) + b;
      var at = seen.get(key);
      if (at === undefined) { seen.set(key, list.length); list.push(a, b, e[i + 2]); }
      else if (e[i + 2]) list[at + 2] = 1;
    }
    // The ends of each visible edge (bottom centre of the source, top centre of the target) and
    // whether it is a boundary, computed once per open/close, not per frame.
    var count = list.length / 3;
    var ends = new Float64Array(count * 4), bound = new Uint8Array(count);
    for (var k = 0; k < count; k++) {
      var s = list[3 * k], t = list[3 * k + 1];
      ends[4 * k] = itemX(s) + itemW(s) / 2; ends[4 * k + 1] = itemY(s) + itemH(s);
      ends[4 * k + 2] = itemX(t) + itemW(t) / 2; ends[4 * k + 3] = itemY(t);
      bound[k] = list[3 * k + 2];
    }
    m.ends = ends; m.bound = bound;
  }
  function itemX(it) { return it < M.N ? M.x[it] : M.gx[it - M.N]; }
  function itemY(it) { return it < M.N ? M.y[it] : M.gy[it - M.N]; }
  function itemW(it) { return it < M.N ? M.W : M.gw[it - M.N]; }
  function itemH(it) { return it < M.N ? M.H : M.gh[it - M.N]; }
  function rep(v) { var r = M.repG[M.g[v]]; return r === -1 ? v : M.N + r; }
  // Box of a visible item (node id, or N + group id).
  function box(it) {
    if (it < M.N) return [M.x[it], M.y[it], M.W, M.H];
    var g = it - M.N;
    return [M.gx[g], M.gy[g], M.gw[g], M.gh[g]];
  }

  // ---- view ---------------------------------------------------------------------------
  function size() {
    var r = canvas.getBoundingClientRect();
    return { w: Math.max(1, r.width), h: Math.max(1, r.height) };
  }
  function fit(widthOnly) {
    if (!M) return;
    var z = size(), W = M.data.width || 1, H = M.data.height || 1;
    var s = Math.min(1.2, (z.w - 20) / W);
    if (!widthOnly || H * s < z.h - 20) s = Math.min(s, (z.h - 20) / H);
    s = Math.max(s, 1e-5);
    view.s = s;
    view.tx = (z.w - W * s) / 2;
    view.ty = H * s < z.h ? (z.h - H * s) / 2 : 10;
    requestDraw();
  }
  function zoomAt(px, py, factor) {
    var s = Math.min(8, Math.max(1e-5, view.s * factor));
    var k = s / view.s;
    view.tx = px - (px - view.tx) * k;
    view.ty = py - (py - view.ty) * k;
    view.s = s;
    requestDraw();
  }
  // Shows a group's box filling most of the view.
  function zoomTo(g) {
    var z = size();
    var s = Math.min(8, 0.9 * Math.min(z.w / M.gw[g], z.h / M.gh[g]));
    view.s = s;
    view.tx = z.w / 2 - (M.gx[g] + M.gw[g] / 2) * s;
    view.ty = z.h / 2 - (M.gy[g] + M.gh[g] / 2) * s;
    requestDraw();
  }
  function toWorld(px, py) { return [(px - view.tx) / view.s, (py - view.ty) / view.s]; }

  // ---- drawing ------------------------------------------------------------------------
  function requestDraw() {
    if (frameQueued) return;
    frameQueued = true;
    requestAnimationFrame(function () { frameQueued = false; draw(); });
  }

  function draw() {
    var started = performance.now();
    var z = size(), dpr = window.devicePixelRatio || 1;
    var cw = Math.round(z.w * dpr), ch = Math.round(z.h * dpr);
    if (canvas.width !== cw || canvas.height !== ch) { canvas.width = cw; canvas.height = ch; }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, cw, ch);
    if (!M) return;
    var m = M, s = view.s, classes = m.data.classes;
    ctx.setTransform(dpr * s, 0, 0, dpr * s, dpr * view.tx, dpr * view.ty);
    var x0 = -view.tx / s, y0 = -view.ty / s, x1 = x0 + z.w / s, y1 = y0 + z.h / s;
    var inView = function (x, y, w, h) { return x < x1 && x + w > x0 && y < y1 && y + h > y0; };
    // Walk the open groups: frames, closed boxes and nodes in view.
    // Far out, an open group too small to show its content is drawn like a closed one.
    var frames = [], closed = [], shown = [], stack = [0], small = LOD_PX / s;
    var lod = m.H * s < 2;
    while (stack.length) {
      var g = stack.pop();
      var kids = m.kidsG[g];
      for (var i = 0; i < kids.length; i++) {
        var c = kids[i];
        if (!inView(m.gx[c], m.gy[c], m.gw[c], m.gh[c])) continue;
        if (m.open[c] && !(lod && (m.gw[c] < small || m.gh[c] < small))) { frames.push(c); stack.push(c); } else closed.push(c);
      }
      var ns = m.kidsN[g];
      for (i = 0; i < ns.length; i++) {
        var v = ns[i];
        if (inView(m.x[v], m.y[v], m.W, m.H)) shown.push(v);
      }
    }
    frames.sort(function (a, b) { return m.depth[a] - m.depth[b]; });
    var px = 1 / s; // one screen pixel in map units
    // Open groups: a tinted frame with a title band.
    for (i = 0; i < frames.length; i++) {
      g = frames[i];
      ctx.fillStyle = m.depth[g] % 2 ? "#f4f6f8" : "#e9edf1";
      ctx.fillRect(m.gx[g], m.gy[g], m.gw[g], m.gh[g]);
      ctx.strokeStyle = "#b8c0c8"; ctx.lineWidth = px;
      ctx.strokeRect(m.gx[g], m.gy[g], m.gw[g], m.gh[g]);
    }
    // Edges, under the boxes; skipped when the nodes are too small to see them.
    if (m.H * s >= 3) drawEdges(m, inView, px, s);
    // Closed groups: one box in the colours of their mix, each class as wide as its share
    // (one path per colour), a light title band when it can hold a title, an outline.
    var stripes = classes.map(function () { return new Path2D(); });
    var heads = new Path2D(), outlines = new Path2D();
    for (i = 0; i < closed.length; i++) {
      g = closed[i];
      var mix = m.data.groups.mix[g], total = m.data.groups.count[g] || 1;
      var gx = m.gx[g], gy = m.gy[g], gw = m.gw[g], gh = m.gh[g];
      var at = gx;
      for (var k = 0; k + 1 < mix.length; k += 2) {
        var wk = gw * mix[k + 1] / total;
        stripes[mix[k]].rect(at, gy, wk, gh);
        at += wk;
      }
      if (gh * s >= 2 * m.head * Math.min(s, 1)) heads.rect(gx, gy, gw, Math.min(gh, m.head));
      outlines.rect(gx, gy, gw, gh);
    }
    for (k = 0; k < classes.length; k++) { ctx.fillStyle = classes[k].color; ctx.fill(stripes[k]); }
    ctx.fillStyle = "rgba(255,255,255,0.82)"; ctx.fill(heads);
    ctx.strokeStyle = "#57606a"; ctx.lineWidth = Math.min(1.5 * px, 2);
    if (closed.length) ctx.stroke(outlines);
    // Nodes, one path per class.
    var byClass = [];
    for (i = 0; i < classes.length; i++) byClass.push([]);
    for (i = 0; i < shown.length; i++) byClass[m.cls[shown[i]]].push(shown[i]);
    var counts = new Array(classes.length).fill(0);
    var mixedIndex = indexOfClass("mixed");
    for (k = 0; k < byClass.length; k++) {
      var list = byClass[k];
      counts[k] = list.length;
      if (!list.length) continue;
      if (k === mixedIndex) {
        for (i = 0; i < list.length; i++) {
          var b = m.bands.get(list[i]) || [k];
          var bw = m.W / b.length;
          for (var j = 0; j < b.length; j++) {
            ctx.fillStyle = classes[b[j]].color;
            ctx.fillRect(m.x[list[i]] + j * bw, m.y[list[i]], bw, m.H);
          }
        }
        continue;
      }
      ctx.fillStyle = classes[k].color;
      ctx.beginPath();
      for (i = 0; i < list.length; i++) ctx.rect(m.x[list[i]], m.y[list[i]], m.W, m.H);
      ctx.fill();
    }
    if (m.H * s >= 8) {
      ctx.strokeStyle = "rgba(48,54,61,0.55)"; ctx.lineWidth = px;
      ctx.beginPath();
      for (i = 0; i < shown.length; i++) ctx.rect(m.x[shown[i]], m.y[shown[i]], m.W, m.H);
      ctx.stroke();
    }
    // Text, when it can be read.
    if (11 * s >= 6) {
      ctx.font = "11px system-ui, 'DejaVu Sans', sans-serif";
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      var maxChars = Math.max(3, Math.floor((m.W - 10) / 6.4));
      for (i = 0; i < shown.length; i++) {
        v = shown[i];
        ctx.fillStyle = classes[m.cls[v]].text;
        ctx.fillText(clipEnd(nodeLabel(v), maxChars), m.x[v] + m.W / 2, m.y[v] + m.H / 2 + 1);
      }
      ctx.textAlign = "left";
      for (i = 0; i < frames.length; i++) {
        g = frames[i];
        ctx.fillStyle = "#4a525a";
        ctx.fillText(clip(m.data.groups.label[g], Math.floor((m.gw[g] - 12) / 6.4)), m.gx[g] + 6, m.gy[g] + m.head / 2 + 1);
      }
      for (i = 0; i < closed.length; i++) {
        g = closed[i];
        ctx.fillStyle = "#1f2328";
        var label = m.data.groups.label[g] + "  (" + m.data.groups.count[g] + " nodes)";
        ctx.fillText(clip(label, Math.floor((m.gw[g] - 12) / 6.4)), m.gx[g] + 6, m.gy[g] + Math.min(m.gh[g], m.head) / 2 + 1);
      }
    } else {
      // Far out: the names of the biggest boxes, at a readable size; open frames only while
      // the titles of nested frames (which share a top edge) stay apart.
      ctx.textAlign = "left"; ctx.textBaseline = "top";
      ctx.font = (12 * px) + "px system-ui, 'DejaVu Sans', sans-serif";
      var apart = (m.head + m.pad) * s >= 14;
      var labelled = closed.concat(apart ? frames : []).filter(function (g) { return m.gw[g] * s > 80 && m.gh[g] * s > 16; });
      for (i = 0; i < labelled.length && i < 400; i++) {
        g = labelled[i];
        ctx.fillStyle = "#1f2328";
        ctx.fillText(clip(m.data.groups.label[g], Math.floor((m.gw[g] * s - 10) / 7)), m.gx[g] + 4 * px, m.gy[g] + 3 * px);
      }
    }
    // The selection.
    if (selected >= 0 && selected < m.N) {
      var r = box(rep(selected));
      ctx.strokeStyle = "#0969da"; ctx.lineWidth = 3 * px;
      ctx.strokeRect(r[0] - 2 * px, r[1] - 2 * px, r[2] + 4 * px, r[3] + 4 * px);
    }
    drawn = { nodes: shown.length, closed: closed.length, open: frames.length, edges: m.bound.length, counts: counts };
    api.frames++;
    api.lastDrawMs = performance.now() - started;
    if (!api.ready) {
      api.ready = true;
      api.readyAt = performance.now();
      document.body.setAttribute("data-ready", "1");
    }
  }

  function drawEdges(m, inView, px, s) {
    var e = m.ends, b = m.bound, n = b.length, plain = new Path2D(), bound = new Path2D(), marks = [];
    for (var i = 0; i < n; i++) {
      var x1 = e[4 * i], y1 = e[4 * i + 1], x2 = e[4 * i + 2], y2 = e[4 * i + 3];
      var lx = x1 < x2 ? x1 : x2, ly = y1 < y2 ? y1 : y2;
      if (!inView(lx - m.W, ly, Math.abs(x2 - x1) + 2 * m.W, Math.abs(y2 - y1) + 1)) continue;
      var dy = Math.max(18, Math.abs(y2 - y1) / 2);
      // Bowed to the side when it passes over the nodes of one column (a skip connection).
      var side = y2 - y1 > m.H + 2 * m.gap && Math.abs(x2 - x1) < m.W / 2 ? m.W * 0.75 : 0;
      var p = b[i] ? bound : plain;
      p.moveTo(x1, y1);
      p.bezierCurveTo(x1 + side, y1 + dy, x2 + side, y2 - dy, x2, y2);
      if (b[i]) marks.push(x2, y2);
    }
    ctx.strokeStyle = "#8c959f"; ctx.lineWidth = px; ctx.setLineDash([]);
    ctx.stroke(plain);
    // Solid: dashing an edge that runs across the whole picture costs seconds of rasterizing.
    ctx.strokeStyle = "#d62728"; ctx.lineWidth = Math.max(px, 2.5 / Math.max(s, 1));
    ctx.stroke(bound);
    if (s >= 0.35) {
      // A diamond where the consumer reads the tensor at another precision.
      ctx.fillStyle = "#d62728";
      ctx.beginPath();
      for (i = 0; i < marks.length; i += 2) {
        var x = marks[i], y = marks[i + 1] - 5;
        ctx.moveTo(x, y - 4); ctx.lineTo(x + 4, y); ctx.lineTo(x, y + 4); ctx.lineTo(x - 4, y); ctx.closePath();
      }
      ctx.fill();
    }
  }

  function clipEnd(text, max) {
    if (max < 2) return "";
    return text.length <= max ? text : "\u2026" + text.slice(text.length - max + 1);
  }
  function clip(text, max) {
    if (max < 2) return "";
    return text.length <= max ? text : text.slice(0, Math.max(1, max - 1)) + "\u2026";
  }
  function indexOfClass(key) {
    var c = M.data.classes;
    for (var i = 0; i < c.length; i++) if (c[i].key === key) return i;
    return -1;
  }

  // ---- legend, details, notices ------------------------------------------------------------
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function renderLegend() {
    var box = $("legend");
    box.textContent = "";
    M.data.classes.forEach(function (c) {
      if (!c.count) return;
      var row = el("div", { "class": "row", "data-class": c.key, "data-count": String(c.count) });
      var sw = el("span", { "class": "sw" });
      sw.style.background = c.key === "mixed"
        ? "repeating-linear-gradient(90deg, #4e79a7 0 4px, #59a14f 4px 8px, #f28e2b 8px 12px)" : c.color;
      row.appendChild(sw);
      row.appendChild(el("span", null, c.label));
      row.appendChild(el("span", { "class": "n" }, String(c.count)));
      box.appendChild(row);
    });
    var row = el("div", { "class": "row", "data-class": "boundary", "data-count": String(M.data.boundaries) });
    row.appendChild(el("span", { "class": "sw boundary" }));
    row.appendChild(el("span", null, "precision changes (requantize)"));
    row.appendChild(el("span", { "class": "n" }, String(M.data.boundaries)));
    box.appendChild(row);
    box.appendChild(el("div", { "class": "meta" }, "profile " + M.data.profile));
  }

  function notice(text) {
    var n = $("notice");
    n.textContent = text;
    n.hidden = !text;
  }

  function precisionChip(index) {
    if (index < 0) return el("span", null, "(omitted)");
    var c = M.data.classes[index];
    var chip = el("span", { "class": "p" }, c.key);
    chip.style.background = c.color; chip.style.color = c.text;
    return chip;
  }

  function showDetails(v) {
    var d = $("details");
    d.textContent = "";
    if (v < 0) { d.hidden = true; return; }
    var m = M, name = nodeName(v);
    var close = el("button", { "class": "close", title: "Close" }, "\u00d7");
    close.onclick = function () { select(-1); };
    d.appendChild(close);
    d.appendChild(el("h2", { id: "details-name" }, name || "(unnamed node #" + v + ")"));
    var cls = m.data.classes[m.cls[v]];
    var p = el("div", { id: "details-op" });
    p.appendChild(el("span", null, "op type " + m.data.nodes.op[v] + " \u00b7 "));
    if (cls.key === "mixed") {
      p.appendChild(el("span", null, "mixed: "));
      (m.bands.get(v) || []).forEach(function (b) { p.appendChild(precisionChip(b)); p.appendChild(document.createTextNode(" ")); });
    } else {
      p.appendChild(el("span", null, cls.key === "none" ? "no inputs" : "precision "));
      if (cls.key !== "none") p.appendChild(precisionChip(m.cls[v]));
    }
    d.appendChild(p);
    if (m.g[v] !== 0) d.appendChild(el("div", null, "scope " + m.data.groups.name[m.g[v]]));
    var entry = m.entry.get(v);
    d.appendChild(el("div", { id: "details-entry" }, entry !== undefined ? "node_config entry on line " + entry : "no node_config entry"));
    var table = el("table", { id: "details-inputs" });
    var head = el("tr");
    ["input", "tensor", "precision", "decided by"].forEach(function (h) { head.appendChild(el("th", null, h)); });
    table.appendChild(head);
    var inputs = m.data.nodes.inputs[v];
    inputs.forEach(function (input, i) {
      var tr = el("tr", { "data-input": String(i) });
      tr.appendChild(el("td", null, String(i)));
      var tensor;
      if (input[2] >= 0) tensor = "from " + (nodeName(input[2]) || "#" + input[2]);
      else if (input[3] === "") tensor = "(omitted)";
      else tensor = input[3] + (input[4] ? " (weight)" : "");
      var td = el("td", null, tensor);
      if (input[2] >= 0) { td.className = "link"; td.style.cursor = "pointer"; td.onclick = function () { focusNode(input[2]); }; }
      tr.appendChild(td);
      var pc = el("td"); pc.appendChild(precisionChip(input[0])); tr.appendChild(pc);
      var src = input[1] >= 0 ? m.data.sources[input[1]] : null;
      tr.appendChild(el("td", { "class": "source" }, input[0] < 0 ? "" : src ? src[0] + " (line " + src[1] + ")" : "default"));
      table.appendChild(tr);
    });
    if (!inputs.length) {
      var tr = el("tr"); tr.appendChild(el("td", { colspan: "4" }, "(no inputs)")); table.appendChild(tr);
    }
    d.appendChild(table);
    if (vscode) {
      var actions = el("div", { "class": "actions" });
      var b = el("button", null, entry !== undefined ? "Reveal in config" : "Add node_config entry");
      b.onclick = function () { post(v); };
      actions.appendChild(b);
      d.appendChild(actions);
    }
    d.hidden = false;
  }

  function post(v) {
    if (!vscode) return;
    var entry = M.entry.get(v);
    vscode.postMessage({ type: "node", name: nodeName(v), op: M.data.nodes.op[v], line: entry === undefined ? null : entry });
  }

  function select(v) {
    selected = v;
    showDetails(v);
    requestDraw();
  }

  // ---- open / close ---------------------------------------------------------------------------
  function setOpen(g, on) {
    if (g <= 0 || M.open[g] === (on ? 1 : 0)) return;
    M.open[g] = on ? 1 : 0;
    recompute();
    requestDraw();
  }
  function openAncestors(v) {
    var g = M.g[v], changed = false;
    while (g > 0) { if (!M.open[g]) { M.open[g] = 1; changed = true; } g = M.parent[g]; }
    if (changed) recompute();
  }
  function focusNode(v) {
    if (!M || v < 0 || v >= M.N) return;
    openAncestors(v);
    var z = size();
    view.s = Math.max(view.s, 1);
    view.tx = z.w / 2 - (M.x[v] + M.W / 2) * view.s;
    view.ty = z.h / 2 - (M.y[v] + M.H / 2) * view.s;
    select(v);
  }

  // ---- hit testing ------------------------------------------------------------------------------
  // What is under a point of the map: {node} or {group, header}.
  function hit(wx, wy) {
    if (!M) return null;
    var m = M, g = 0;
    for (;;) {
      var ns = m.kidsN[g], i;
      for (i = 0; i < ns.length; i++) {
        var v = ns[i];
        if (wx >= m.x[v] && wx <= m.x[v] + m.W && wy >= m.y[v] && wy <= m.y[v] + m.H) return { node: v };
      }
      var kids = m.kidsG[g], next = -1;
      for (i = 0; i < kids.length; i++) {
        var c = kids[i];
        if (wx >= m.gx[c] && wx <= m.gx[c] + m.gw[c] && wy >= m.gy[c] && wy <= m.gy[c] + m.gh[c]) { next = c; break; }
      }
      if (next < 0) return null;
      if (!m.open[next]) return { group: next, header: false };
      if (m.H * view.s < 2 && (m.gw[next] * view.s < LOD_PX || m.gh[next] * view.s < LOD_PX)) return { group: next, small: true };
      if (wy <= m.gy[next] + m.head) return { group: next, header: true };
      g = next;
    }
  }

  // ---- events -----------------------------------------------------------------------------------
  var drag = null;
  canvas.addEventListener("mousedown", function (ev) {
    drag = { x: ev.clientX, y: ev.clientY, tx: view.tx, ty: view.ty, moved: false };
    canvas.classList.add("dragging");
  });
  window.addEventListener("mousemove", function (ev) {
    if (drag) {
      var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      view.tx = drag.tx + dx; view.ty = drag.ty + dy;
      $("tip").hidden = true;
      requestDraw();
      return;
    }
    if (ev.target !== canvas) { $("tip").hidden = true; return; }
    tip(ev);
  });
  window.addEventListener("mouseup", function (ev) {
    if (!drag) return;
    var click = !drag.moved;
    drag = null;
    canvas.classList.remove("dragging");
    if (click && ev.target === canvas) onClick(ev);
  });
  function local(ev) {
    var r = canvas.getBoundingClientRect();
    return [ev.clientX - r.left, ev.clientY - r.top];
  }
  function onClick(ev) {
    var p = local(ev), w = toWorld(p[0], p[1]);
    var h = hit(w[0], w[1]);
    if (!h) { select(-1); return; }
    if (h.node !== undefined) { select(h.node); post(h.node); return; }
    if (h.small) { zoomTo(h.group); return; }
    setOpen(h.group, !M.open[h.group]);
  }
  function tip(ev) {
    var t = $("tip");
    if (!M) { t.hidden = true; return; }
    var p = local(ev), w = toWorld(p[0], p[1]), h = hit(w[0], w[1]);
    if (!h) { t.hidden = true; return; }
    var text;
    if (h.node !== undefined) {
      var c = M.data.classes[M.cls[h.node]];
      text = nodeName(h.node) + "  \u00b7  " + M.data.nodes.op[h.node] + "  \u00b7  " + c.key;
    } else {
      var g = h.group;
      text = M.data.groups.name[g] + "  \u00b7  " + M.data.groups.count[g] + " nodes  \u00b7  click to " + (h.small ? "zoom in" : M.open[g] ? "close" : "open");
    }
    t.textContent = text;
    t.style.left = Math.min(p[0] + 14, size().w - 200) + "px";
    t.style.top = (p[1] + 16) + "px";
    t.hidden = false;
  }
  canvas.addEventListener("mouseleave", function () { $("tip").hidden = true; });
  canvas.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = local(ev);
    if (ev.ctrlKey || ev.metaKey || !ev.shiftKey) zoomAt(p[0], p[1], Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015)));
    else { view.tx -= ev.deltaY; requestDraw(); }
  }, { passive: false });
  canvas.addEventListener("keydown", function (ev) {
    var z = size(), step = 60;
    switch (ev.key) {
      case "f": case "F": case "0": fit(false); break;
      case "+": case "=": zoomAt(z.w / 2, z.h / 2, 1.25); break;
      case "-": zoomAt(z.w / 2, z.h / 2, 0.8); break;
      case "ArrowLeft": view.tx += step; requestDraw(); break;
      case "ArrowRight": view.tx -= step; requestDraw(); break;
      case "ArrowUp": view.ty += step; requestDraw(); break;
      case "ArrowDown": view.ty -= step; requestDraw(); break;
      case "Escape": select(-1); break;
      default: return;
    }
    ev.preventDefault();
  });
  window.addEventListener("resize", requestDraw);
  $("fit").onclick = function () { fit(false); };
  $("expand").onclick = function () { if (M) { M.open.fill(1); recompute(); requestDraw(); } };
  $("collapse").onclick = function () { if (M) { M.open.fill(0); M.open[0] = 1; recompute(); requestDraw(); } };

  // ---- search -------------------------------------------------------------------------------------
  var results = $("results"), search = $("search"), found = [], active = 0, searchTimer = 0;
  var MAX_RESULTS = 50;
  function runSearch() {
    var q = search.value.trim().toLowerCase();
    results.textContent = "";
    found = []; active = 0;
    if (!M || !q) { results.hidden = true; return; }
    if (!M.lower) {
      M.lower = new Array(M.N);
      for (var v = 0; v < M.N; v++) M.lower[v] = nodeName(v).toLowerCase();
    }
    var total = 0;
    for (v = 0; v < M.N; v++) {
      if (M.lower[v].indexOf(q) < 0) continue;
      total++;
      if (found.length < MAX_RESULTS) found.push(v);
    }
    found.forEach(function (v, i) {
      var li = el("li", { "data-node": String(v) });
      li.appendChild(document.createTextNode(nodeName(v) + " "));
      li.appendChild(el("small", null, M.data.nodes.op[v] + " \u00b7 " + M.data.classes[M.cls[v]].key));
      if (i === 0) li.className = "active";
      li.onmousedown = function (ev) { ev.preventDefault(); choose(v); };
      results.appendChild(li);
    });
    if (!found.length) results.appendChild(el("li", { "class": "more" }, "no node name contains \u201c" + search.value.trim() + "\u201d"));
    else if (total > found.length) results.appendChild(el("li", { "class": "more" }, (total - found.length) + " more: type more of the name"));
    results.hidden = false;
  }
  function choose(v) {
    results.hidden = true;
    focusNode(v);
    post(v);
  }
  search.addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(runSearch, 120); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { clearTimeout(searchTimer); runSearch(); if (found.length) choose(found[active]); ev.preventDefault(); }
    else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (!found.length) return;
      active = (active + (ev.key === "ArrowDown" ? 1 : found.length - 1)) % found.length;
      Array.prototype.forEach.call(results.children, function (li, i) { li.className = i === active ? "active" : li.className === "more" ? "more" : ""; });
      ev.preventDefault();
    } else if (ev.key === "Escape") { results.hidden = true; }
  });
  search.addEventListener("blur", function () { setTimeout(function () { results.hidden = true; }, 150); });

  // ---- test and editor hooks -------------------------------------------------------------------
  api.drawn = function () { return drawn; };
  api.view = function () { return { s: view.s, tx: view.tx, ty: view.ty }; };
  api.setView = function (s, tx, ty) { view.s = s; view.tx = tx; view.ty = ty; draw(); };
  api.draw = draw;
  api.find = function (name) {
    if (!M) return -1;
    for (var v = 0; v < M.N; v++) if (nodeName(v) === name) return v;
    return -1;
  };
  api.focus = function (v) { focusNode(v); draw(); };
  // Screen points (CSS pixels, relative to the canvas) inside each band of a node's box, away
  // from its label, as drawn now.
  api.samplePoints = function (v) {
    var pts = [], b = M.bands.get(v), n = b ? b.length : 1, bw = M.W / n;
    for (var i = 0; i < n; i++) {
      pts.push([view.tx + (M.x[v] + i * bw + Math.min(4, bw / 3)) * view.s, view.ty + (M.y[v] + 4) * view.s]);
    }
    return pts;
  };
  api.box = function (v) { return [M.x[v], M.y[v], M.W, M.H]; };
  api.screenCenter = function (v) {
    return [view.tx + (M.x[v] + M.W / 2) * view.s, view.ty + (M.y[v] + M.H / 2) * view.s];
  };
  api.nodeCount = function () { return M ? M.N : 0; };
  api.name = function (v) { return nodeName(v); };
  // A group by name: its box on screen (CSS pixels, relative to the canvas) and whether it is open.
  api.group = function (name) {
    for (var g = 1; g < M.G; g++) {
      if (M.data.groups.name[g] !== name) continue;
      return {
        box: [view.tx + M.gx[g] * view.s, view.ty + M.gy[g] * view.s, M.gw[g] * view.s, M.gh[g] * view.s],
        head: M.head * view.s, open: !!M.open[g],
      };
    }
    return null;
  };
  api.openAll = function () { $("expand").onclick(); draw(); };
  api.selected = function () { return selected; };

  // ---- start ------------------------------------------------------------------------------------
  function snapshot() {
    if (!M) return null;
    var open = new Set();
    for (var g = 1; g < M.G; g++) if (M.open[g]) open.add(M.data.groups.name[g]);
    return { open: open, selected: selected >= 0 ? nodeName(selected) : null };
  }
  function restore(saved) {
    if (!M || !saved) return;
    for (var g = 1; g < M.G; g++) M.open[g] = saved.open.has(M.data.groups.name[g]) ? 1 : 0;
    recompute();
    selected = saved.selected === null ? -1 : api.find(saved.selected);
    showDetails(selected);
  }
  window.addEventListener("message", function (ev) {
    var msg = ev.data;
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "data") {
      var saved = snapshot(), first = !M;
      load(msg.data);
      if (first) fit(true); else restore(saved);
      requestDraw();
    } else if (msg.type === "problem") {
      notice(msg.text || "");
    }
  });
  var initial = null;
  try { initial = JSON.parse($("qcls-map-data").textContent); } catch (e) { notice("The map's data cannot be read: " + e); }
  if (initial) { load(initial); fit(true); } else if (!vscode) notice("No map data.");
  if (vscode) vscode.postMessage({ type: "ready" });
  requestDraw();
})();
