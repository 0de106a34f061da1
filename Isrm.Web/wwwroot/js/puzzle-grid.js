// The Puzzles page's canvases: the maze grid or the bit strip shaded by each cell's probability at one step, wrong
// cells marked against the ground truth, and (prefix sums) the bits × steps space-time picture. Frames arrive in
// batches from the server; all are kept (for the scrubber) but the canvas is redrawn at most every DRAW_MS with the
// newest one, so drawing never falls behind the model.
const DRAW_MS = 80;
const MAX_PX = 560;
const WALL = [38, 50, 56], PATH = [25, 118, 210], EMPTY = [250, 250, 250];
const WRONG_ON = [229, 57, 53], WRONG_OFF = [255, 160, 0], START = [67, 160, 71], END = [142, 36, 170];
const BIT0 = [224, 224, 224], BIT1 = [84, 84, 84];

const views = new Map();

function mix(a, b, t) { return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]; }

// Colour of one answer cell: blue by probability when right; red (wrongly on) or amber (wrongly off) when wrong.
function answerColour(p, target) {
  const on = p >= 128, t = p / 255;
  if (on === (target === 1)) return mix(EMPTY, PATH, t);
  return on ? mix(EMPTY, WRONG_ON, 0.45 + 0.55 * t) : mix(EMPTY, WRONG_OFF, 0.7);
}

function put(data, index, rgb) {
  data[index * 4] = rgb[0]; data[index * 4 + 1] = rgb[1]; data[index * 4 + 2] = rgb[2]; data[index * 4 + 3] = 255;
}

export function init(id, grid, spacetime, start, editor) {
  const maze = start.grid;   // a 2-D task's grid (a maze); otherwise a strip of cells over its answer row
  const rows = maze ? start.height : 2;
  const scale = Math.max(1, Math.min(maze ? 24 : 16, Math.floor(MAX_PX / start.width)));
  grid.width = start.width * scale;
  grid.height = rows * scale;
  grid.style.width = Math.min(grid.width, MAX_PX) + "px";
  grid.dataset.size = start.height + "x" + start.width;   // which instance the canvas is laid out for (tests wait on it)
  const view = {
    grid, spacetime, start, maze, rows, scale, steps: [], probs: [], correct: [], shown: -1, follow: true, timer: null,
    pendingDraw: false, space: null, spaceRows: 0,
  };
  if (spacetime && !maze) {
    spacetime.width = start.width;
    spacetime.height = 1;
    view.space = spacetime.getContext("2d").createImageData(start.width, Math.max(1, start.maxFrames));
  }
  views.set(id, view);
  if (maze && editor) editable(view, editor);
  draw(view, -1);
}

// Maze editing by hand: a click on a cell asks the page to toggle it (wall ↔ open), a drag from S or E to another
// cell to move that mark there. The page edits the maze's text and checks it as it checks a pasted maze.
function editable(view, editor) {
  const cellAt = e => {
    const box = view.grid.getBoundingClientRect();
    const x = (e.clientX - box.left) * view.grid.width / box.width, y = (e.clientY - box.top) * view.grid.height / box.height;
    return [Math.floor(y / view.scale), Math.floor(x / view.scale)];
  };
  let from = null;
  view.grid.onpointerdown = e => { from = cellAt(e); };
  view.grid.onpointerup = e => {
    if (!from) return;
    const [r, c] = from, [tr, tc] = cellAt(e);
    from = null;
    if (r < 0 || c < 0 || tr < 0 || tc < 0 || r >= view.start.height || tr >= view.start.height || c >= view.start.width || tc >= view.start.width) return;
    editor.invokeMethodAsync("Edit", r, c, tr, tc);
  };
  view.grid.style.cursor = "pointer";
}

export function push(id, steps, bytes, correct) {
  const view = views.get(id);
  if (!view) return;
  const cells = view.start.height * view.start.width;
  for (let i = 0; i < steps.length; i++) {
    const probs = bytes.subarray(i * cells, (i + 1) * cells);
    view.steps.push(steps[i]); view.probs.push(probs); view.correct.push(correct[i]);
    if (view.space) addSpaceRow(view, probs);
  }
  if (view.follow) schedule(view);
}

// Draws the newest frame now (Stop, end of the stream).
export function flush(id) {
  const view = views.get(id);
  if (!view) return;
  if (view.timer) { clearTimeout(view.timer); view.timer = null; }
  if (view.follow) draw(view, view.steps.length - 1);
}

// Shows frame `index` (0-based) for the scrubber; following resumes when it is the newest.
export function show(id, index) {
  const view = views.get(id);
  if (!view) return;
  view.follow = index >= view.steps.length - 1;
  draw(view, Math.min(index, view.steps.length - 1));
}

export function dispose(id) {
  const view = views.get(id);
  if (view && view.timer) clearTimeout(view.timer);
  views.delete(id);
}

function schedule(view) {
  if (view.timer) return;
  view.timer = setTimeout(() => { view.timer = null; if (view.follow) draw(view, view.steps.length - 1); }, DRAW_MS);
}

function addSpaceRow(view, probs) {
  const row = view.spaceRows++;
  if (row >= view.space.height) return;
  const target = view.start.target, data = view.space.data, w = view.start.width;
  for (let c = 0; c < w; c++) {
    const p = probs[c], right = (p >= 128) === (target[c] === 1);
    const confidence = Math.abs(p - 127.5) / 127.5;
    put(data, row * w + c, right ? mix([200, 230, 201], [27, 94, 32], confidence) : mix([255, 205, 210], [183, 28, 28], confidence));
  }
}

function draw(view, index) {
  view.shown = index;
  const { start, scale, maze } = view;
  const ctx = view.grid.getContext("2d");
  const w = start.width, rows = view.rows, cells = start.height * start.width;
  const image = ctx.createImageData(w, rows);
  const probs = index >= 0 ? view.probs[index] : null;
  let wrong = 0;
  for (let i = 0; i < cells; i++) {
    const code = start.cells[i], target = start.target[i];
    if (probs && ((probs[i] >= 128) !== (target === 1))) wrong++;
    if (maze) {
      let rgb = code === 0 ? WALL : EMPTY;
      if (probs && (code !== 0 || (probs[i] >= 128))) rgb = answerColour(probs[i], target);
      if (code === 2 && (!probs || scale < 6)) rgb = START;
      if (code === 3 && (!probs || scale < 6)) rgb = END;
      put(image.data, i, rgb);
    } else {
      put(image.data, i, code === 1 ? BIT1 : BIT0);
      put(image.data, w + i, probs ? answerColour(probs[i], target) : EMPTY);
    }
  }
  // Native resolution first (one pixel per cell), then scaled without smoothing so cells stay crisp.
  const native = new OffscreenCanvas(w, rows);
  native.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, view.grid.width, view.grid.height);
  ctx.drawImage(native, 0, 0, w * scale, rows * scale);
  if (scale >= 6) marks(view, ctx, probs);
  view.grid.dataset.frames = String(view.steps.length);
  view.grid.dataset.step = index >= 0 ? String(view.steps[index]) : "0";
  view.grid.dataset.wrong = probs ? String(wrong) : "";
  if (view.space) drawSpace(view, index);
}

// Crosses on wrong cells, rings on S and E, when cells are big enough to carry them.
function marks(view, ctx, probs) {
  const { start, scale, maze } = view, w = start.width;
  const rowOf = i => (maze ? Math.floor(i / w) : 1), colOf = i => i % w;
  ctx.lineWidth = Math.max(1, scale / 8);
  for (let i = 0; i < start.height * w; i++) {
    const x = colOf(i) * scale, y = rowOf(i) * scale, code = start.cells[i];
    if (maze && probs && (code === 2 || code === 3)) {
      ctx.strokeStyle = code === 2 ? "rgb(67,160,71)" : "rgb(142,36,170)";
      ctx.strokeRect(x + ctx.lineWidth / 2, y + ctx.lineWidth / 2, scale - ctx.lineWidth, scale - ctx.lineWidth);
    }
    if (probs && ((probs[i] >= 128) !== (start.target[i] === 1))) {
      ctx.strokeStyle = "rgba(33,33,33,0.85)";
      ctx.beginPath();
      ctx.moveTo(x + scale * 0.25, y + scale * 0.25); ctx.lineTo(x + scale * 0.75, y + scale * 0.75);
      ctx.moveTo(x + scale * 0.75, y + scale * 0.25); ctx.lineTo(x + scale * 0.25, y + scale * 0.75);
      ctx.stroke();
    }
  }
}

function drawSpace(view, index) {
  // One pixel per bit and step, scaled to the element without smoothing: time runs down, bits run right; the shown
  // step is outlined.
  const canvas = view.spacetime, rows = Math.max(1, Math.min(view.spaceRows, view.space.height));
  const width = canvas.clientWidth || MAX_PX, height = canvas.clientHeight || 220;
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const native = new OffscreenCanvas(view.space.width, rows);
  native.getContext("2d").putImageData(view.space, 0, 0, 0, 0, view.space.width, rows);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, width, height);
  ctx.drawImage(native, 0, 0, view.space.width, rows, 0, 0, width, height);
  if (index >= 0 && index < rows) {
    const rowHeight = height / rows;
    ctx.strokeStyle = "rgb(13,71,161)";
    ctx.lineWidth = 2;
    ctx.strokeRect(1, index * rowHeight + 1, width - 2, Math.max(2, rowHeight - 2));
  }
  canvas.dataset.rows = String(view.spaceRows);
}
