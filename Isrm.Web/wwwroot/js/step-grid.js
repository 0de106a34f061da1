// The step × token "logit lens" grid on one canvas: only the visible cells are drawn, at most once per animation
// frame, however many steps arrive. Hover shows a cell's top-5; the arrow keys move a cursor that is announced in a
// polite live region; Enter (or a click) opens that token at that step.
const CELL_W = 64, CELL_H = 20, HEAD_H = 24, ROW_HEAD_W = 46, MAX_H = 380;
const grids = new WeakMap();

/** Attaches a grid to its host element (which holds a canvas, a scroll layer with a sizer, a tooltip and a live region). */
export function create(host, dotnet) {
  const g = {
    host, dotnet,
    canvas: host.querySelector("canvas"),
    scroll: host.querySelector(".grid-scroll"),
    sizer: host.querySelector(".grid-sizer"),
    tip: host.querySelector(".grid-tip"),
    live: host.querySelector(".grid-live"),
    columns: [], rows: 0, cells: 0, selected: -1, highlight: 0, cursor: null, pending: false, minContrast: Infinity, final: false,
  };
  grids.set(host, g);
  g.scroll.addEventListener("scroll", () => schedule(g));
  g.scroll.addEventListener("mousemove", e => hover(g, e));
  g.scroll.addEventListener("mouseleave", () => { g.tip.hidden = true; });
  g.scroll.addEventListener("click", e => { const c = cellAt(g, e); if (c) open(g, c.t, c.s); });
  g.scroll.addEventListener("keydown", e => key(g, e));
  g.scroll.addEventListener("focus", () => { if (!g.cursor && g.columns.length) g.cursor = { t: Math.max(0, g.selected), s: 1 }; announce(g); schedule(g); });
  g.scroll.addEventListener("blur", () => schedule(g));
  new ResizeObserver(() => schedule(g)).observe(host);
  schedule(g);
}

/** Replaces every column: [[label, chosen, [[token, prob, hover], …]], …]. */
export function reset(host, columns, selected, highlight, final) {
  const g = grids.get(host);
  if (!g) return;
  g.columns = columns.map(([label, chosen, cells]) => ({ label, chosen, cells: cells.slice() }));
  g.rests = null;
  g.cursor = null;
  g.final = !!final;
  delete host.dataset.finalDrawnAt;   // a new turn: not drawn to its end yet
  g.selected = selected;
  g.highlight = highlight;
  schedule(g);
}

/**
 * Adds a batch: cells [[token, step, text, prob, hover], …] and column labels [[token, label, chosen], …]; final marks
 * the batch that carries the end of the turn (the grid then records when it was fully drawn).
 */
export function append(host, cells, labels, selected, highlight, final) {
  const g = grids.get(host);
  if (!g) return;
  for (const [t, label, chosen] of labels) { const c = column(g, t); c.label = label; c.chosen = chosen; }
  for (const [t, s, text, prob, hover] of cells) column(g, t).cells[s - 1] = [text, prob, hover];
  const changed = cells.length > 0 || labels.length > 0 || g.final !== !!final;
  g.final = !!final;
  if (changed) { g.selected = selected; g.highlight = highlight; schedule(g); }
  else view(host, selected, highlight);
}

/**
 * A task prompt's truth: per column, what the answer still holds at that token (null past its end). A cell whose top
 * token starts it gets a green bar, any other a red one; the host records how many columns are right at each step.
 */
export function truth(host, rests) {
  const g = grids.get(host);
  if (!g) return;
  g.rests = rests;
  schedule(g);
}

/** Marks the selected token (column) and the scrubbed step (row). */
export function view(host, selected, highlight) {
  const g = grids.get(host);
  if (!g || (g.selected === selected && g.highlight === highlight)) return;
  g.selected = selected;
  g.highlight = highlight;
  schedule(g);
}

function column(g, t) {
  while (g.columns.length <= t) g.columns.push({ label: "#" + g.columns.length, chosen: null, cells: [] });
  return g.columns[t];
}

function schedule(g) {
  if (g.pending) return;
  g.pending = true;
  requestAnimationFrame(() => { g.pending = false; draw(g); });
}

// ---- colour: probability on a light-to-dark blue ramp; text black or white, whichever contrasts more (≥ 4.5:1)

const LIGHT = [240, 246, 255], DARK = [13, 71, 161];

function shade(p) {
  const x = Math.max(0, Math.min(1, p));
  return LIGHT.map((c, i) => Math.round(c + (DARK[i] - c) * x));
}

function luminance([r, g, b]) {
  const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Text colour for a background and the contrast ratio it reaches. */
/** The smallest text contrast over the whole probability ramp (every 1 %), for tests: must be ≥ 4.5. */
export function rampContrast() {
  let min = Infinity;
  for (let i = 0; i <= 100; i++) min = Math.min(min, textFor(shade(i / 100))[1]);
  return min;
}

export function textFor(rgb) {
  const l = luminance(rgb);
  const black = (l + 0.05) / 0.05, white = 1.05 / (l + 0.05);
  return black >= white ? ["#000000", black] : ["#ffffff", white];
}

function draw(g) {
  const { host, canvas, scroll, sizer } = g;
  g.rows = g.columns.reduce((m, c) => Math.max(m, c.cells.length), 0);
  g.cells = g.columns.reduce((n, c) => n + c.cells.filter(Boolean).length, 0);
  const fullW = ROW_HEAD_W + g.columns.length * CELL_W, fullH = HEAD_H + g.rows * CELL_H;
  sizer.style.width = fullW + "px";
  sizer.style.height = fullH + "px";
  host.style.height = Math.min(MAX_H, fullH + 18) + "px";
  const w = host.clientWidth, h = host.clientHeight, ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    canvas.style.width = w + "px";
    canvas.style.height = h + "px";
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.textBaseline = "middle";
  const sx = scroll.scrollLeft, sy = scroll.scrollTop;
  const c0 = Math.max(0, Math.floor(sx / CELL_W)), c1 = Math.min(g.columns.length, Math.ceil((sx + w - ROW_HEAD_W) / CELL_W) + 1);
  const r0 = Math.max(0, Math.floor(sy / CELL_H)), r1 = Math.min(g.rows, Math.ceil((sy + h - HEAD_H) / CELL_H) + 1);
  let minContrast = Infinity;
  for (let t = c0; t < c1; t++) {
    const col = g.columns[t], x = ROW_HEAD_W + t * CELL_W - sx;
    for (let s = r0; s < r1; s++) {
      const y = HEAD_H + s * CELL_H - sy, cell = col.cells[s];
      if (!cell) { ctx.fillStyle = "#eeeeee"; ctx.fillRect(x, y, CELL_W - 1, CELL_H - 1); continue; }
      const [text, prob] = cell, bg = shade(prob), [fg, contrast] = textFor(bg);
      minContrast = Math.min(minContrast, contrast);
      ctx.fillStyle = `rgb(${bg[0]},${bg[1]},${bg[2]})`;
      ctx.fillRect(x, y, CELL_W - 1, CELL_H - 1);
      ctx.fillStyle = fg;
      ctx.font = (col.chosen !== null && col.chosen === text ? "bold " : "") + "12px monospace";
      ctx.fillText(fit(ctx, text, 30) + " " + Math.round(prob * 100), x + 3, y + CELL_H / 2);
      const rest = g.rests ? g.rests[t] : null;
      if (rest != null) { ctx.fillStyle = rest.startsWith(text) ? "#2e7d32" : "#c62828"; ctx.fillRect(x + CELL_W - 5, y, 4, CELL_H - 1); }
    }
  }
  // the scrubbed step: a frame around its row
  if (g.highlight > 0 && g.highlight - 1 >= r0 && g.highlight - 1 < r1) {
    ctx.strokeStyle = "#212121"; ctx.lineWidth = 2;
    ctx.strokeRect(ROW_HEAD_W - sx + 1, HEAD_H + (g.highlight - 1) * CELL_H - sy + 1, g.columns.length * CELL_W - 3, CELL_H - 3);
  }
  // the selected token: a frame around its column
  if (g.selected >= c0 && g.selected < c1) {
    ctx.strokeStyle = "#c2185b"; ctx.lineWidth = 2;
    ctx.strokeRect(ROW_HEAD_W + g.selected * CELL_W - sx + 1, HEAD_H - sy + 1, CELL_W - 3, g.rows * CELL_H - 3);
  }
  if (g.cursor && document.activeElement === scroll) {
    const x = ROW_HEAD_W + g.cursor.t * CELL_W - sx, y = HEAD_H + (g.cursor.s - 1) * CELL_H - sy;
    ctx.strokeStyle = "#000000"; ctx.lineWidth = 3; ctx.strokeRect(x + 1, y + 1, CELL_W - 3, CELL_H - 3);
    ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 1; ctx.strokeRect(x + 3, y + 3, CELL_W - 7, CELL_H - 7);
  }
  // headers last, so that they stay on top while scrolling
  ctx.font = "12px monospace";
  for (let t = c0; t < c1; t++) {
    const x = ROW_HEAD_W + t * CELL_W - sx, sel = t === g.selected;
    ctx.fillStyle = sel ? "#0d47a1" : "#fafafa"; ctx.fillRect(x, 0, CELL_W - 1, HEAD_H - 1);
    ctx.fillStyle = sel ? "#ffffff" : "#212121"; ctx.fillText(fit(ctx, g.columns[t].label, CELL_W - 6), x + 3, HEAD_H / 2);
  }
  for (let s = r0; s < r1; s++) {
    const y = HEAD_H + s * CELL_H - sy, hi = s + 1 === g.highlight;
    ctx.fillStyle = hi ? "#ffe082" : "#fafafa"; ctx.fillRect(0, y, ROW_HEAD_W - 1, CELL_H - 1);
    ctx.fillStyle = "#212121"; ctx.fillText(String(s + 1), 4, y + CELL_H / 2);
  }
  ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, ROW_HEAD_W - 1, HEAD_H - 1);
  ctx.fillStyle = "#212121"; ctx.fillText("step", 4, HEAD_H / 2);
  host.dataset.rows = String(g.rows);
  host.dataset.columns = String(g.columns.length);
  host.dataset.cells = String(g.cells);
  if (minContrast < Infinity) g.minContrast = Math.min(g.minContrast, minContrast);
  host.dataset.minContrast = g.minContrast < Infinity ? g.minContrast.toFixed(2) : "";
  if (g.rests) host.dataset.rightByStep = Array.from({ length: g.rows }, (_, s) =>
    g.columns.filter((c, t) => g.rests[t] != null && c.cells[s] && g.rests[t].startsWith(c.cells[s][0])).length).join(",");
  else delete host.dataset.rightByStep;
  host.dataset.drawnAt = String(Date.now());
  if (g.final) host.dataset.finalDrawnAt = host.dataset.drawnAt;
}

function fit(ctx, text, width) {
  if (ctx.measureText(text).width <= width) return text;
  let s = text;
  while (s.length > 1 && ctx.measureText(s + "…").width > width) s = s.slice(0, -1);
  return s + "…";
}

function cellAt(g, e) {
  const rect = g.scroll.getBoundingClientRect();
  const x = e.clientX - rect.left + g.scroll.scrollLeft - ROW_HEAD_W, y = e.clientY - rect.top + g.scroll.scrollTop - HEAD_H;
  if (x < 0 || y < 0) return null;
  const t = Math.floor(x / CELL_W), s = Math.floor(y / CELL_H) + 1;
  const col = g.columns[t];
  return col && col.cells[s - 1] ? { t, s, cell: col.cells[s - 1] } : null;
}

function hover(g, e) {
  const c = cellAt(g, e);
  if (!c) { g.tip.hidden = true; return; }
  g.tip.textContent = c.cell[2];
  g.tip.hidden = false;
  const rect = g.host.getBoundingClientRect();
  g.tip.style.left = Math.min(e.clientX - rect.left + 12, Math.max(0, rect.width - 260)) + "px";
  g.tip.style.top = (e.clientY - rect.top + 16) + "px";
}

function key(g, e) {
  if (!g.columns.length) return;
  const c = g.cursor || { t: Math.max(0, g.selected), s: 1 };
  const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1], PageUp: [0, -10], PageDown: [0, 10] };
  if (moves[e.key]) {
    const [dt, ds] = moves[e.key];
    c.t = Math.max(0, Math.min(g.columns.length - 1, c.t + dt));
    c.s = Math.max(1, Math.min(Math.max(1, g.columns[c.t].cells.length), c.s + ds));
  } else if (e.key === "Home") c.s = 1;
  else if (e.key === "End") c.s = Math.max(1, g.columns[c.t].cells.length);
  else if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(g, c.t, c.s); return; }
  else return;
  e.preventDefault();
  g.cursor = c;
  reveal(g, c);
  announce(g);
  schedule(g);
}

function reveal(g, c) {
  const x = ROW_HEAD_W + c.t * CELL_W, y = HEAD_H + (c.s - 1) * CELL_H, w = g.scroll.clientWidth, h = g.scroll.clientHeight;
  if (x - ROW_HEAD_W < g.scroll.scrollLeft) g.scroll.scrollLeft = x - ROW_HEAD_W;
  else if (x + CELL_W > g.scroll.scrollLeft + w) g.scroll.scrollLeft = x + CELL_W - w;
  if (y - HEAD_H < g.scroll.scrollTop) g.scroll.scrollTop = y - HEAD_H;
  else if (y + CELL_H > g.scroll.scrollTop + h) g.scroll.scrollTop = y + CELL_H - h;
}

function announce(g) {
  if (!g.cursor) return;
  const cell = g.columns[g.cursor.t] && g.columns[g.cursor.t].cells[g.cursor.s - 1];
  g.live.textContent = cell ? cell[2] : `token #${g.cursor.t}, step ${g.cursor.s}: no step`;
}

function open(g, t, s) {
  g.cursor = { t, s };
  g.dotnet.invokeMethodAsync("OpenCell", t, s);
}
