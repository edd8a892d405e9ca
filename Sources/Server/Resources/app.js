// The page's script (index.html): the JSON API on the same origin, one text (label, scores, token shading) and
// files (table, summary, histogram, CSV download).
"use strict";
const $ = (id) => document.getElementById(id);
const state = { models: [], rows: [], labels: [], sort: { key: "row", dir: 1 }, fileName: "results" };

// ---- API --------------------------------------------------------------------------------------------------
async function api(path, body, attempt = 0) {
  const response = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (response.status === 503 && attempt < 5) {   // load shedding: wait as told, then retry
    const wait = Number(response.headers.get("Retry-After") || "1");
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 10) * 1000));
    return api(path, body, attempt + 1);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error ? data.error.message : "HTTP " + response.status);
    error.status = response.status;
    throw error;
  }
  return data;
}

function labelColor(label) {
  const l = String(label).toLowerCase();
  if (/pos|^5|^4|joy|happ/.test(l)) return "#2b8a3e";
  if (/neg|^1|^2|ang|sad|hate/.test(l)) return "#c92a2a";
  if (/neu|^3|none|other/.test(l)) return "#868e96";
  const palette = ["#1971c2", "#9c36b5", "#e67700", "#0c8599", "#5f3dc4"];
  let h = 0; for (const c of l) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return palette[h % palette.length];
}
const pct = (x) => (100 * x).toFixed(1) + "%";

async function loadModels() {
  try {
    const data = await api("/v1/models");
    state.models = data.models.filter((m) => m.task === "classify");
    const select = $("model");
    select.innerHTML = "";
    for (const m of state.models) {
      const option = document.createElement("option");
      option.value = m.id; option.textContent = m.id; option.selected = m.default;
      select.appendChild(option);
    }
    $("status").textContent = state.models.length ? "ready" : "no classifier loaded";
  } catch (error) {
    $("status").textContent = "not ready: " + error.message;
    setTimeout(loadModels, 2000);
  }
}
const currentModel = () => state.models.find((m) => m.id === $("model").value);

// ---- one text ---------------------------------------------------------------------------------------------
async function classifyText() {
  const text = $("text").value;
  $("single-error").textContent = "";
  if (!text.trim()) { $("single-error").textContent = "Type a text first."; return; }
  $("classify").disabled = true;
  try {
    const model = currentModel();
    const data = await api("/v1/classify", { texts: [text], model: model && model.id,
                                             top_k: model ? model.labels.length : 10, explain: true });
    showSingle(text, data.results[0], data.importance_method, data.timing);
  } catch (error) {
    $("single-error").textContent = error.message;
  } finally {
    $("classify").disabled = false;
  }
}

function showSingle(text, result, method, timing) {
  $("single-result").classList.remove("hidden");
  const color = labelColor(result.label);
  $("label").textContent = result.label;
  $("label").style.color = color;
  $("confidence").textContent = pct(result.score);
  $("confidence-bar").style.width = pct(result.score);
  $("confidence-bar").style.background = color;
  const scores = $("scores");
  scores.innerHTML = "";
  for (const s of result.scores) {
    const name = document.createElement("div"); name.className = "name"; name.textContent = s.label;
    const bar = document.createElement("div"); bar.className = "bar";
    const fill = document.createElement("div"); fill.style.width = pct(s.score); fill.style.background = labelColor(s.label);
    bar.appendChild(fill);
    const value = document.createElement("div"); value.className = "pct"; value.textContent = pct(s.score);
    scores.append(name, bar, value);
  }
  renderTokens(text, result.tokens || [], color);
  $("importance-note").textContent = (result.tokens ? "Shading: " + (method || "token importance") + ". " : "This model gives no token importance. ")
    + "Server time " + timing.total_ms.toFixed(1) + " ms.";
}

// Shade each token by weight / max weight. Offsets are Unicode code points, hence Array.from.
function renderTokens(text, tokens, color) {
  const box = $("tokens");
  box.innerHTML = "";
  box.classList.toggle("hidden", tokens.length === 0);
  const chars = Array.from(text);
  const max = Math.max(1e-9, ...tokens.map((t) => t.weight));
  let at = 0;
  const rgb = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)).join(",");
  for (const t of tokens.slice().sort((a, b) => a.start - b.start)) {
    if (t.start < at) continue;
    if (t.start > at) box.appendChild(document.createTextNode(chars.slice(at, t.start).join("")));
    const span = document.createElement("span");
    span.className = "tok";
    span.textContent = chars.slice(t.start, t.end).join("");
    span.style.background = "rgba(" + rgb + "," + (0.08 + 0.72 * t.weight / max).toFixed(3) + ")";
    span.title = t.token + ": " + t.weight.toFixed(4);
    box.appendChild(span);
    at = t.end;
  }
  if (at < chars.length) box.appendChild(document.createTextNode(chars.slice(at).join("")));
}

// ---- files ------------------------------------------------------------------------------------------------
// RFC 4180 parsing: quoted fields may hold delimiters, doubled quotes and newlines.
function parseDelimited(text, delimiter) {
  const rows = []; let row = []; let field = ""; let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false; }
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); field = "";
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.length > 1 || row[0] !== "") rows.push(row);
  return rows;
}

const TEXT_COLUMNS = ["text", "review", "reviews", "tweet", "tweet_text", "sentence", "content", "comment", "body", "message", "post", "phrase"];

function readTable(name, content) {
  content = content.replace(/^\uFEFF/, "");
  if (/\.txt$/i.test(name)) {
    return { header: ["text"], rows: content.split(/\r?\n/).filter((l) => l.trim()).map((l) => [l]) };
  }
  const firstLine = content.split(/\r?\n/, 1)[0];
  const delimiter = /\.tsv$/i.test(name) || (firstLine.includes("\t") && !firstLine.includes(",")) ? "\t" : ",";
  const rows = parseDelimited(content, delimiter);
  if (rows.length === 0) return { header: ["text"], rows: [] };
  return { header: rows[0].map((h, i) => h.trim() || "column " + (i + 1)), rows: rows.slice(1) };
}

function guessTextColumn(header, rows) {
  const named = header.findIndex((h) => TEXT_COLUMNS.includes(h.toLowerCase()));
  if (named >= 0) return named;
  let best = 0, bestLength = -1;   // otherwise the column with the longest texts
  header.forEach((_, i) => {
    const length = rows.slice(0, 50).reduce((sum, r) => sum + (r[i] || "").length, 0);
    if (length > bestLength) { best = i; bestLength = length; }
  });
  return best;
}

async function onFile() {
  const file = $("file").files[0];
  if (!file) return;
  $("file-error").textContent = "";
  state.fileName = file.name.replace(/\.[^.]+$/, "");
  state.table = readTable(file.name, await file.text());
  const column = $("column");
  column.innerHTML = "";
  state.table.header.forEach((h, i) => {
    const option = document.createElement("option"); option.value = i; option.textContent = h; column.appendChild(option);
  });
  column.value = guessTextColumn(state.table.header, state.table.rows);
  column.disabled = state.table.header.length < 2;
  await classifyFile();
}

async function classifyFile() {
  const table = state.table;
  if (!table || table.rows.length === 0) { $("file-error").textContent = "The file has no rows."; return; }
  const index = Number($("column").value);
  const model = currentModel();
  state.rows = table.rows.map((r, i) => ({ row: i + 1, text: (r[index] || "").trim(), label: "", score: NaN, scores: [], error: "" }));
  const todo = state.rows.filter((r) => r.text);
  state.rows.filter((r) => !r.text).forEach((r) => { r.error = "empty"; });
  const chunk = 32; let done = 0;
  $("progress").textContent = "classifying " + todo.length + " texts…";
  const chunks = [];
  for (let i = 0; i < todo.length; i += chunk) chunks.push(todo.slice(i, i + chunk));
  // A few requests in flight at once; the server merges them into batches.
  const worker = async () => {
    while (chunks.length) {
      const part = chunks.shift();
      const run = async (rows) => {
        const data = await api("/v1/classify", { texts: rows.map((r) => r.text), model: model && model.id,
                                                 top_k: model ? model.labels.length : 10 });
        data.results.forEach((result, k) => { Object.assign(rows[k], { label: result.label, score: result.score, scores: result.scores }); });
      };
      try {
        await run(part);
      } catch (error) {
        // A rule broken by one text (422, e.g. too long) must not cost its neighbours: retry one by one.
        if (error.status === 422 && part.length > 1) {
          for (const r of part) { try { await run([r]); } catch (e) { r.error = e.message; } }
        } else {
          part.forEach((r) => { r.error = error.message; });
        }
      }
      done += part.length;
      $("progress").textContent = "classified " + done + " / " + todo.length;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  state.labels = model ? model.labels.slice() : [...new Set(state.rows.map((r) => r.label).filter(Boolean))];
  const filter = $("filter-label");
  filter.innerHTML = '<option value="">all</option>';
  for (const l of state.labels) { const o = document.createElement("option"); o.value = l; o.textContent = l; filter.appendChild(o); }
  $("progress").textContent = "done: " + todo.length + " texts";
  $("batch-result").classList.remove("hidden");
  renderBatch();
}

function flagged(r) { return !r.error && r.score < Number($("threshold").value); }

function renderBatch() {
  renderSummary(); renderHistogram(); renderTable();
}

function renderSummary() {
  const box = $("summary"); box.innerHTML = "";
  const add = (name, value, color) => {
    const div = document.createElement("div"); div.className = "count";
    div.innerHTML = "<b></b><span></span>";
    div.firstChild.textContent = value; div.lastChild.textContent = name;
    if (color) div.firstChild.style.color = color;
    div.dataset.name = name;
    box.appendChild(div);
  };
  add("texts", state.rows.filter((r) => !r.error).length);
  for (const l of state.labels) add(l, state.rows.filter((r) => r.label === l).length, labelColor(l));
  add("flagged for review", state.rows.filter(flagged).length, "var(--warn)");
  const errors = state.rows.filter((r) => r.error).length;
  if (errors) add("skipped / errors", errors, "var(--neg)");
}

// Ten bins of confidence, each bar stacked by label.
function renderHistogram() {
  const svg = $("histogram"); const W = 400, H = 150, bins = 10;
  const counts = Array.from({ length: bins }, () => ({}));
  for (const r of state.rows) {
    if (r.error) continue;
    const b = Math.min(bins - 1, Math.floor(r.score * bins));
    counts[b][r.label] = (counts[b][r.label] || 0) + 1;
  }
  const totals = counts.map((c) => Object.values(c).reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const threshold = Number($("threshold").value);
  let out = "";
  counts.forEach((c, b) => {
    let y = H; const x = b * (W / bins) + 3, w = W / bins - 6;
    for (const l of state.labels) {
      const h = (c[l] || 0) / max * (H - 14);
      if (h > 0) { y -= h; out += '<rect x="' + x + '" y="' + y + '" width="' + w + '" height="' + h + '" fill="' + labelColor(l) + '"><title>' + l + ": " + (c[l] || 0) + "</title></rect>"; }
    }
    if (totals[b]) out += '<text x="' + (x + w / 2) + '" y="' + (y - 3) + '" font-size="10" text-anchor="middle" fill="#667085">' + totals[b] + "</text>";
  });
  for (let b = 0; b <= bins; b += 2) {   // ticks on bin edges: bin b holds confidences in [b/10, (b+1)/10)
    const anchor = b === 0 ? "start" : b === bins ? "end" : "middle";
    out += '<text x="' + (b * W / bins) + '" y="' + (H + 14) + '" font-size="10" text-anchor="' + anchor + '" fill="#667085">' + (b / bins).toFixed(1) + "</text>";
  }
  const tx = threshold * W;
  out += '<line x1="' + tx + '" x2="' + tx + '" y1="0" y2="' + H + '" stroke="#e8590c" stroke-dasharray="4 3"><title>review threshold</title></line>';
  svg.setAttribute("viewBox", "0 0 " + W + " " + (H + 18));
  svg.innerHTML = out;
}

function visibleRows() {
  const label = $("filter-label").value, onlyFlagged = $("only-flagged").checked;
  const query = $("search").value.trim().toLowerCase();
  const { key, dir } = state.sort;
  return state.rows
    .filter((r) => (!label || r.label === label) && (!onlyFlagged || flagged(r)) && (!query || r.text.toLowerCase().includes(query)))
    .map((r) => ({ ...r, flagged: flagged(r) ? 1 : 0 }))
    .sort((a, b) => {
      const x = a[key], y = b[key];
      if (typeof x === "number" || typeof y === "number") return dir * ((isNaN(x) ? -1 : x) - (isNaN(y) ? -1 : y));
      return dir * String(x).localeCompare(String(y));
    });
}

function renderTable() {
  const body = document.querySelector("#results tbody");
  body.innerHTML = "";
  const rows = visibleRows();
  const fragment = document.createDocumentFragment();
  for (const r of rows.slice(0, 2000)) {   // the download always has every row
    const tr = document.createElement("tr");
    if (r.flagged) tr.className = "flagged";
    const cell = (text, cls) => { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; };
    cell(r.row, "num");
    cell(r.text || "(empty)");
    const labelCell = cell("");
    if (r.label) { const b = document.createElement("span"); b.className = "badge"; b.textContent = r.label; b.style.background = labelColor(r.label); labelCell.appendChild(b); }
    else labelCell.textContent = r.error;
    cell(isNaN(r.score) ? "" : pct(r.score), "num");
    const review = cell(r.flagged ? "review" : "");
    review.className = "review";
    fragment.appendChild(tr);
  }
  body.appendChild(fragment);
  $("shown").textContent = rows.length + " of " + state.rows.length + " rows";
  document.querySelectorAll("#results th").forEach((th) => {
    th.setAttribute("aria-sort", th.dataset.key === state.sort.key ? (state.sort.dir > 0 ? "ascending" : "descending") : "none");
  });
}

function csvField(value) {
  const s = String(value);
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function resultsCSV() {
  const header = ["row", "text", "label", "score", ...state.labels.map((l) => "score_" + l), "needs_review", "error"];
  const lines = [header.map(csvField).join(",")];
  for (const r of state.rows) {
    const byLabel = Object.fromEntries(r.scores.map((s) => [s.label, s.score]));
    lines.push([r.row, r.text, r.label, isNaN(r.score) ? "" : r.score.toFixed(6),
                ...state.labels.map((l) => byLabel[l] === undefined ? "" : byLabel[l].toFixed(6)),
                flagged(r) ? "yes" : "no", r.error].map(csvField).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

function download() {
  const blob = new Blob([resultsCSV()], { type: "text/csv;charset=utf-8" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = state.fileName + "-sentiment.csv";
  document.body.appendChild(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

// ---- wiring -----------------------------------------------------------------------------------------------
$("classify").addEventListener("click", classifyText);
$("text").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) classifyText(); });
$("file").addEventListener("change", onFile);
$("column").addEventListener("change", classifyFile);
$("model").addEventListener("change", () => { if (state.table) classifyFile(); });
$("threshold").addEventListener("input", () => { if (state.rows.length) renderBatch(); });
$("filter-label").addEventListener("change", renderTable);
$("only-flagged").addEventListener("change", renderTable);
$("search").addEventListener("input", renderTable);
$("download").addEventListener("click", download);
document.querySelectorAll("#results th").forEach((th) => th.addEventListener("click", () => {
  state.sort = { key: th.dataset.key, dir: state.sort.key === th.dataset.key ? -state.sort.dir : 1 };
  renderTable();
}));
loadModels();
