/// The query explorer: one self-contained page (inline CSS, JavaScript and SVG charts, relative URLs
/// only), so it works through a port-forward and fetches nothing from elsewhere.
enum ExplorerPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>projection-query explorer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f4f6f9; }
  header { background: #1d2330; color: #fff; padding: 10px 18px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 17px; margin: 0; font-weight: 600; }
  .layout { display: grid; grid-template-columns: 230px 1fr; gap: 14px; padding: 14px 18px; }
  nav, section { background: #fff; border: 1px solid #d9dee7; border-radius: 6px; padding: 10px 12px; }
  nav button { display: block; width: 100%; text-align: left; margin: 2px 0; padding: 5px 6px; border: 1px solid transparent; background: none; cursor: pointer; border-radius: 4px; font: inherit; }
  nav button.active { background: #e6eefb; border-color: #b8cdf0; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  form { display: grid; grid-template-columns: max-content 1fr; gap: 6px 10px; align-items: center; max-width: 640px; }
  form .hint { grid-column: 2; font-size: 12px; color: #5b6475; margin-top: -4px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 8px; }
  th, td { border-bottom: 1px solid #e3e7ee; padding: 4px 6px; text-align: left; }
  td { font-variant-numeric: tabular-nums; }
  pre { background: #f4f6f9; padding: 8px; overflow: auto; white-space: pre-wrap; word-break: break-all; }
  svg.chart { width: 100%; height: 220px; background: #fbfcfd; border: 1px solid #e3e7ee; border-radius: 4px; margin-top: 8px; }
  .bad { color: #b3261e; } .muted { color: #5b6475; }
  #result > * { margin-top: 8px; }
</style>
</head>
<body>
<header>
  <h1>projection-query explorer</h1>
  <label>Tenant <input id="tenant" autocomplete="off"></label>
  <label>Token <input id="token" type="password" autocomplete="off" placeholder="bearer token, if required"></label>
  <span id="service" class="muted"></span>
</header>
<div class="layout">
  <nav><h2>RPCs</h2><div id="methods"></div></nav>
  <main>
    <section>
      <h2 id="method-name">–</h2>
      <form id="form"></form>
      <p><button id="run" type="button">Run</button> <span id="status" class="muted"></span></p>
      <div id="result">
        <svg class="chart" id="chart" style="display: none"></svg>
        <table id="table"><thead></thead><tbody></tbody></table>
        <h2>curl</h2>
        <pre id="curl"></pre>
      </div>
    </section>
  </main>
</div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let catalog = null, current = null;
for (const id of ["tenant", "token"]) {
  $(id).value = sessionStorage.getItem("projection-explorer-" + id) || "";
  $(id).addEventListener("change", () => sessionStorage.setItem("projection-explorer-" + id, $(id).value));
}
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = String(text);
  return e;
}
function shellQuote(s) { return "'" + String(s).replace(/'/g, "'\\''") + "'"; }

function isInteger(schema) { return ["int32", "uint32", "int64", "uint64"].includes(schema.format); }
function describe(field) {
  const s = field.schema, parts = [];
  parts.push(s.format || (Array.isArray(s.type) ? s.type.join("|") : s.type) || "message");
  if (field.repeated) parts.push("repeated, comma-separated");
  if (field.required) parts.push("required");
  if (s.minimum !== undefined) parts.push("min " + s.minimum);
  if (s.maximum !== undefined) parts.push("max " + s.maximum);
  if (s.default !== undefined) parts.push("default " + s.default);
  if (s.format === "date") parts.push("YYYY-MM-DD");
  if (s.format === "date-time") parts.push("RFC 3339");
  if (s.format === "byte") parts.push("base64");
  if (s.enum) parts.push("one of " + s.enum.filter(v => typeof v === "string").join(" "));
  return parts.join(", ");
}

function select(method) {
  current = method;
  for (const b of $("methods").children) b.classList.toggle("active", b.dataset.method === method.name);
  $("method-name").textContent = method.name;
  const form = $("form");
  form.replaceChildren();
  for (const f of method.request) {
    const id = "field-" + f.name;
    const input = el("input", { id, name: f.name });
    if (f.schema.type === "boolean") input.type = "checkbox";
    else if (isInteger(f.schema) && !f.repeated) {
      input.type = "number";
      if (f.schema.minimum !== undefined) input.min = f.schema.minimum;
      if (f.schema.maximum !== undefined) input.max = f.schema.maximum;
    }
    if (f.schema.default !== undefined) input.placeholder = String(f.schema.default);
    if (f.required) input.required = true;
    form.append(el("label", { for: id }, f.name + (f.required ? " *" : "")), input, el("div", { class: "hint" }, describe(f)));
  }
  $("status").textContent = "";
  $("table").tHead.replaceChildren(); $("table").tBodies[0].replaceChildren();
  showChart(false);
  updateCurl();
}

function requestBody() {
  const body = {};
  for (const f of current.request) {
    const input = $("field-" + f.name);
    if (f.schema.type === "boolean") { if (input.checked) body[f.json_name] = true; continue; }
    const raw = input.value.trim();
    if (raw === "") continue;
    const one = (v) => {
      if (isInteger(f.schema) && /^-?\d+$/.test(v)) return f.schema.format.endsWith("64") ? v : Number(v);
      if (f.schema.type === "number") return Number(v);
      return v;
    };
    body[f.json_name] = f.repeated ? raw.split(",").map(v => one(v.trim())) : one(raw);
  }
  return body;
}
function requestHeaders() {
  const h = { "Content-Type": "application/json" };
  const tenant = $("tenant").value.trim(), token = $("token").value.trim();
  if (tenant) h[catalog.tenant_header] = tenant;
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}
function updateCurl() {
  if (!current) return;
  const h = requestHeaders();
  const lines = ["curl -sS -X POST " + shellQuote(location.origin + current.path)];
  for (const [k, v] of Object.entries(h)) lines.push("  -H " + shellQuote(k + ": " + (k === "Authorization" ? "Bearer $TOKEN" : v)));
  lines.push("  -d " + shellQuote(JSON.stringify(requestBody())));
  $("curl").textContent = lines.join(" \\\n");
}
document.addEventListener("input", updateCurl);

function rowsOf(method, answer) {
  if (method.response.kind === "rows") return answer[method.response.field] || [];
  if (method.response.kind === "single") return answer[method.response.field] ? [answer[method.response.field]] : [];
  return [answer];
}
function cell(v) {
  if (v === undefined || v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}
function render(method, answer) {
  const rows = rowsOf(method, answer);
  const names = method.columns.map(c => c.json_name);
  for (const r of rows) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
  const head = el("tr");
  for (const n of names) head.append(el("th", {}, n));
  $("table").tHead.replaceChildren(head);
  const body = $("table").tBodies[0];
  body.replaceChildren();
  for (const r of rows) {
    const tr = el("tr");
    for (const n of names) tr.append(el("td", { "data-column": n }, cell(r[n])));
    body.append(tr);
  }
  $("status").textContent = rows.length + " row(s)";
  chart(method, rows, names);
}

// ---- SVG chart: numeric columns over the day/hour column, one line each.
const SVG = "http://www.w3.org/2000/svg";
// SVG elements have no hidden property (it is HTML's): the style it is.
function showChart(on) { $("chart").style.display = on ? "" : "none"; }
const COLORS = ["#2f6fd0", "#d0552f", "#2f9d5a", "#8a4fd0", "#c09a1a", "#1a9cc0"];
function chart(method, rows, names) {
  const svg = $("chart");
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  // A chart when a column is a day or an hour (other timestamps are not buckets).
  const axisColumn = method.columns.find(c => c.axis === "day" || c.axis === "hour");
  const timeOf = (v) => typeof v === "string" ? Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? v + "T00:00:00Z" : v) : NaN;
  if (!axisColumn || rows.length < 1) { showChart(false); return; }
  const points = rows.map(r => ({ t: timeOf(r[axisColumn.json_name]), r })).filter(p => isFinite(p.t)).sort((a, b) => a.t - b.t);
  // Proto3 JSON omits zeros: a missing numeric value is 0. 64-bit integers are strings.
  const numeric = names.filter(n => n !== axisColumn.json_name && rows.some(r => r[n] !== undefined) &&
    rows.every(r => r[n] === undefined || typeof r[n] === "number" || (typeof r[n] === "string" && /^-?\d+(\.\d+)?$/.test(r[n]))));
  if (points.length < 1 || numeric.length === 0) { showChart(false); return; }
  showChart(true);
  svg.dataset.axis = axisColumn.json_name;
  const w = svg.clientWidth || 600, h = svg.clientHeight || 220, left = 60, right = 12, top = 24, bottom = 22;
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  const add = (tag, attrs, text) => { const e = document.createElementNS(SVG, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text !== undefined) e.textContent = text; svg.appendChild(e); return e; };
  const val = (r, n) => r[n] === undefined ? 0 : Number(r[n]);
  const all = points.flatMap(p => numeric.map(n => val(p.r, n)));
  const ymax = Math.max(...all, 0), ymin = Math.min(...all, 0);
  const t0 = points[0].t, t1 = points[points.length - 1].t;
  const sx = (t) => points.length === 1 ? (left + w - right) / 2 : left + (t - t0) / (t1 - t0) * (w - left - right);
  const sy = (y) => h - bottom - (y - ymin) / Math.max(1e-9, ymax - ymin) * (h - bottom - top);
  add("line", { x1: left, y1: h - bottom, x2: w - right, y2: h - bottom, stroke: "#c5ccd8" });
  add("line", { x1: left, y1: top, x2: left, y2: h - bottom, stroke: "#c5ccd8" });
  add("text", { x: left - 4, y: top + 4, "text-anchor": "end", "font-size": 10, fill: "#5b6475" }, String(ymax));
  add("text", { x: left - 4, y: h - bottom, "text-anchor": "end", "font-size": 10, fill: "#5b6475" }, String(ymin));
  add("text", { x: left, y: h - 5, "font-size": 10, fill: "#5b6475" }, cell(points[0].r[axisColumn.json_name]));
  add("text", { x: w - right, y: h - 5, "text-anchor": "end", "font-size": 10, fill: "#5b6475" }, cell(points[points.length - 1].r[axisColumn.json_name]));
  numeric.forEach((n, i) => {
    const color = COLORS[i % COLORS.length];
    const d = points.map((p, j) => (j ? "L" : "M") + sx(p.t).toFixed(1) + " " + sy(val(p.r, n)).toFixed(1)).join(" ");
    add("path", { d, fill: "none", stroke: color, "stroke-width": 1.5, "data-series": n });
    for (const p of points) add("circle", { cx: sx(p.t).toFixed(1), cy: sy(val(p.r, n)).toFixed(1), r: 2.5, fill: color });
    add("text", { x: left + 8 + i * 130, y: 14, "font-size": 11, fill: color }, "— " + n);
  });
}

async function run() {
  if (!current) return;
  updateCurl();
  $("status").textContent = "running…";
  $("status").className = "muted";
  try {
    const r = await fetch(current.path.replace(/^\//, ""), { method: "POST", headers: requestHeaders(), body: JSON.stringify(requestBody()) });
    const answer = await r.json();
    if (!r.ok) {
      $("table").tHead.replaceChildren(); $("table").tBodies[0].replaceChildren(); showChart(false);
      $("status").textContent = `${r.status} ${answer.code}: ${answer.message}`;
      $("status").className = "bad";
      return;
    }
    render(current, answer);
  } catch (e) {
    $("status").textContent = e.message;
    $("status").className = "bad";
  }
}
$("run").addEventListener("click", run);

(async () => {
  const r = await fetch("explorer/catalog.json");
  catalog = await r.json();
  $("service").textContent = catalog.service + (catalog.multi_tenant ? " — tenant header " + catalog.tenant_header : "") + (catalog.tokens_required ? " — token required" : "");
  for (const m of catalog.methods) {
    const b = el("button", { "data-method": m.name, type: "button" }, m.name);
    b.addEventListener("click", () => select(m));
    $("methods").append(b);
  }
  if (catalog.methods.length) select(catalog.methods[0]);
  document.body.dataset.loaded = "true";
})();
</script>
</body>
</html>
"""#
}
