// Plotly charts drawn from plain JSON the pages send (one interop call per frame budget), and the trajectory chart:
// confidence / entropy on top, delta / residual on a log axis below, the scrubbed step marked.
const PLOTLY_SRC = "_content/Plotly.Blazor/plotly-3.7.0.min.js";
let loading = null;

export function ensurePlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = PLOTLY_SRC;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => reject(new Error("Plotly could not be loaded from " + PLOTLY_SRC));
      document.head.appendChild(script);
    });
  }
  return loading;
}

/** Starts loading Plotly (4.6 MB to parse) when a page opens, so that the first live draw does not wait for it. */
export function preload() {
  ensurePlotly().catch(() => { /* the first draw reports the failure */ });
}

const CONFIG = { responsive: true, displayModeBar: false };

/** Draws (or redraws) a chart from traces and a layout; marks the element with the number of drawn points. */
export async function react(el, data, layout) {
  if (!el) return;
  const Plotly = await ensurePlotly();
  await Plotly.react(el, data, Object.assign({ autosize: true }, layout), CONFIG);
  el.dataset.points = String(data.reduce((n, t) => n + (t.x ? t.x.length : 0), 0));
}

/** Frees a chart's resources when its component goes away. */
export function purge(el) {
  if (el && window.Plotly) window.Plotly.purge(el);
}

// ---- the trajectory chart ---------------------------------------------------------------------------------

const charts = new WeakMap();

/** Clean ticks on a log axis: one per decade (every other one over 8 decades), or 1-2-5 within a decade or two. */
export function logTicks(min, max) {
  if (!(min > 0) || !(max > 0)) return { tickvals: [], ticktext: [] };
  if (max < min) [min, max] = [max, min];
  const lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max));
  const vals = [];
  if (hi - lo >= 3) {
    const stride = hi - lo > 8 ? 2 : 1;
    for (let d = lo; d <= hi; d += stride) vals.push(Math.pow(10, d));
  } else {
    for (let d = lo; d <= hi; d++) for (const m of [1, 2, 5]) vals.push(m * Math.pow(10, d));
  }
  const inside = vals.filter(v => v >= min / 1.0001 && v <= max * 1.0001);
  const chosen = inside.length >= 2 ? inside : vals;
  return { tickvals: chosen, ticktext: chosen.map(formatTick) };
}

function formatTick(v) {
  if (v >= 1e-3 && v < 1e5) return String(Number(v.toPrecision(3)));
  const e = Math.round(Math.log10(v));
  const m = v / Math.pow(10, e);
  return (Math.abs(m - 1) < 1e-9 ? "1" : String(Number(m.toPrecision(2)))) + "e" + e;
}

function positive(values) {
  return values.filter(v => typeof v === "number" && v > 0);
}

function state(el) {
  let s = charts.get(el);
  if (!s) {
    s = { key: null, steps: [], conf: [], ent: [], delta: [], resid: [], hover: [], mark: 0, range: null, drawPending: false };
    charts.set(el, s);
  }
  return s;
}

/**
 * Replaces (reset) or extends the points of a trajectory chart. points: arrays step, conf, ent, delta, resid, hover.
 * The draw itself waits for the next animation frame, so several updates in one frame cost one draw.
 */
export function trajectory(el, key, reset, points, mark, range) {
  if (!el) return;
  const s = state(el);
  if (key && (reset || s.key !== key)) {
    s.key = key;
    for (const name of ["steps", "conf", "ent", "delta", "resid", "hover"]) s[name] = [];
  }
  const rangeKey = JSON.stringify(range || null);
  if (!points && s.mark === (mark || 0) && s.rangeKey === rangeKey) return;   // nothing new: no redraw
  s.rangeKey = rangeKey;
  if (points) {
    s.steps.push(...points.step);
    s.conf.push(...points.conf);
    s.ent.push(...points.ent);
    s.delta.push(...points.delta.map(v => (v > 0 ? v : null)));
    s.resid.push(...points.resid.map(v => (v > 0 ? v : null)));
    s.hover.push(...points.hover);
  }
  s.mark = mark || 0;
  s.range = range || null;
  schedule(el, s);
}

/** Moves the scrubbed-step marker only. */
export function mark(el, step) {
  if (!el) return;
  const s = state(el);
  s.mark = step || 0;
  schedule(el, s);
}

/** The y ranges a chart's data spans, so that two charts can share one scale. */
export function extent(el) {
  const s = charts.get(el);
  if (!s) return null;
  const top = s.conf.concat(s.ent).filter(v => typeof v === "number");
  const norms = positive(s.delta.concat(s.resid));
  return { top: top.length ? [Math.min(...top), Math.max(...top)] : null, log: norms.length ? [Math.min(...norms), Math.max(...norms)] : null };
}

function schedule(el, s) {
  if (s.drawPending) return;
  s.drawPending = true;
  requestAnimationFrame(() => { s.drawPending = false; draw(el, s); });
}

async function draw(el, s) {
  const n = s.steps.length;
  const norms = s.range && s.range.log ? s.range.log : (() => { const p = positive(s.delta.concat(s.resid)); return p.length ? [Math.min(...p), Math.max(...p)] : null; })();
  const ticks = norms ? logTicks(norms[0], norms[1]) : { tickvals: [], ticktext: [] };
  const top = s.range && s.range.top ? s.range.top : null;
  const xMax = Math.max(n, s.mark, (s.range && s.range.xMax) || 0, n ? 1 : 8);
  const line = (name, y, color, extra) => Object.assign({ name, x: s.steps, y, type: "scatter", mode: n > 1 ? "lines+markers" : "markers", line: { color, width: 2 } }, extra);
  const data = [
    line("confidence", s.conf, "#1565c0", { marker: { size: 5 }, customdata: s.hover, hovertemplate: "confidence %{y:.3f}<br>%{customdata}<extra></extra>" }),
    line("entropy (nats)", s.ent, "#2e7d32", { marker: { size: 5, symbol: "diamond" }, hovertemplate: "entropy %{y:.3f} nats<extra></extra>" }),
    // residual first and wide, delta dashed on top: equal values (α = 1) still show both
    line("residual ‖f−y‖", s.resid, "#6a1b9a", { yaxis: "y2", line: { color: "#6a1b9a", width: 4 }, opacity: 0.75, marker: { size: 10, symbol: "square-open", line: { width: 2 } }, hovertemplate: "residual %{y:.3g}<extra></extra>" }),
    line("delta ‖α(f−y)‖", s.delta, "#e65100", { yaxis: "y2", line: { color: "#e65100", width: 2, dash: "dash" }, marker: { size: 6, symbol: "circle" }, hovertemplate: "delta %{y:.3g}<extra></extra>" }),
  ];
  const layout = {
    height: el.clientWidth < 500 ? 360 : 420,
    margin: { l: 58, r: 12, t: 8, b: 48 },
    font: { size: 13, color: "#212121" },
    hovermode: "x unified",
    showlegend: true,
    legend: { orientation: "h", y: 1.14, x: 0 },
    // whole steps only: every step up to 12, then about 12 round-numbered ticks
    xaxis: Object.assign({ title: { text: "refinement step" }, anchor: "y2", tickformat: "d", range: [0.5, xMax + 0.5] },
      xMax <= 12 ? { tick0: 1, dtick: 1 } : { nticks: 12 }),
    yaxis: { domain: [0.56, 1], title: { text: "prob / nats" }, range: top ? [Math.min(0, top[0]), top[1] * 1.05 + 0.01] : undefined },
    yaxis2: {
      domain: [0, 0.44], type: "log", title: { text: "norm (log)" }, tickmode: "array", tickvals: ticks.tickvals, ticktext: ticks.ticktext,
      range: norms ? [Math.log10(norms[0]) - 0.15, Math.log10(norms[1]) + 0.15] : undefined,
    },
    shapes: s.mark > 0 ? [{ type: "line", xref: "x", yref: "paper", x0: s.mark, x1: s.mark, y0: 0, y1: 1, line: { color: "#424242", width: 2, dash: "dot" } }] : [],
    annotations: s.mark > 0 ? [{ xref: "x", yref: "paper", x: s.mark, y: 1.0, text: "step " + s.mark, showarrow: false, yanchor: "bottom", font: { size: 12, color: "#212121" }, bgcolor: "#ffffff" }] : [],
  };
  await react(el, data, layout);
  el.dataset.steps = String(n);
  el.dataset.mark = String(s.mark);
  el.dataset.logTicks = ticks.ticktext.join(" ");
  el.dataset.drawnAt = String(Date.now());
}
