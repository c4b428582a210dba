/// The operator console: one self-contained page (inline CSS, JavaScript and SVG charts, relative URLs
/// only), so it works through a port-forward and fetches nothing from elsewhere.
enum ConsolePage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>projection-ingest console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f4f6f9; }
  header { background: #1d2330; color: #fff; padding: 10px 18px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 17px; margin: 0; font-weight: 600; }
  header input { width: 220px; }
  main { padding: 14px 18px; display: grid; gap: 14px; }
  section { background: #fff; border: 1px solid #d9dee7; border-radius: 6px; padding: 12px 14px; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
  .card { border: 1px solid #e3e7ee; border-radius: 4px; padding: 6px 8px; }
  .card .k { font-size: 11px; color: #5b6475; text-transform: uppercase; letter-spacing: .03em; }
  .card .v { font-size: 18px; font-variant-numeric: tabular-nums; }
  .ok { color: #137333; } .bad { color: #b3261e; } .warn { color: #a05a00; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 10px; }
  svg.chart { width: 100%; height: 140px; background: #fbfcfd; border: 1px solid #e3e7ee; border-radius: 4px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { border-bottom: 1px solid #e3e7ee; padding: 4px 6px; text-align: left; vertical-align: top; }
  td.num { font-variant-numeric: tabular-nums; }
  pre { background: #f4f6f9; padding: 8px; overflow: auto; max-height: 260px; white-space: pre-wrap; word-break: break-all; }
  button { cursor: pointer; }
  .row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
  #message { min-height: 1.2em; }
  .muted { color: #5b6475; }
</style>
</head>
<body>
<header>
  <h1>projection-ingest console</h1>
  <label>Admin token <input id="token" type="password" autocomplete="off" placeholder="PROJECTION_ADMIN_TOKEN"></label>
  <span id="updated" class="muted"></span>
</header>
<main>
  <section>
    <h2>Status</h2>
    <div class="cards" id="cards"></div>
    <p id="last-error" class="muted"></p>
    <div class="row">
      <button id="pause">Pause</button><button id="resume">Resume</button>
      <span id="message"></span>
    </div>
    <p class="muted" id="rebuild">Rebuild progress: a rebuild runs in <code>projection-migrate rebuild</code> with its own consumer and
      tables, so ingest cannot observe it; its progress is in that command's output. During a cutover this ingest shows
      <em>paused</em> until the rebuild resumes it.</p>
  </section>
  <section id="partitions-section" hidden>
    <h2>Partitions and leases</h2>
    <table id="partitions"><thead><tr><th>partition</th><th>lease epoch</th><th>stream</th><th>checkpoint</th><th>stream end</th><th>lag</th><th>lag s</th><th>ready</th></tr></thead><tbody></tbody></table>
  </section>
  <section>
    <h2>Last minutes</h2>
    <div class="charts">
      <div><div class="muted">facts applied per second</div><svg class="chart" id="chart-throughput"></svg></div>
      <div><div class="muted">batch commit latency, ms (mean per second)</div><svg class="chart" id="chart-latency"></svg></div>
      <div><div class="muted">lag, facts</div><svg class="chart" id="chart-lag"></svg></div>
    </div>
  </section>
  <section>
    <h2>Quarantine</h2>
    <div class="row">
      <label>tenant <input id="q-tenant"></label>
      <label>type <input id="q-type"></label>
      <label>reason contains <input id="q-reason"></label>
      <label>partition <input id="q-partition" size="4"></label>
      <label>skip note <input id="q-note" placeholder="why skip (audit record)"></label>
      <button id="q-load">Load</button>
      <span id="q-count" class="muted"></span>
    </div>
    <table id="quarantine"><thead><tr><th>partition</th><th>sequence</th><th>tenant</th><th>type</th><th>fact id</th><th>reason</th><th></th></tr></thead><tbody></tbody></table>
    <pre id="raw" hidden></pre>
  </section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const tokenInput = $("token");
tokenInput.value = sessionStorage.getItem("projection-admin-token") || "";
tokenInput.addEventListener("change", () => sessionStorage.setItem("projection-admin-token", tokenInput.value));

function authHeaders() {
  const t = tokenInput.value.trim();
  return t ? { "Authorization": "Bearer " + t } : {};
}
function say(text, cls) { const m = $("message"); m.textContent = text; m.className = cls || ""; }
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = String(text);
  return e;
}
async function call(method, path, body) {
  const init = { method, headers: authHeaders() };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  const r = await fetch(path, init);
  const text = await r.text();
  if (!r.ok) throw new Error(r.status + " " + text.trim());
  return text ? JSON.parse(text) : {};
}

// ---- SVG charts: a line over time, its min and max on the axis.
const SVG = "http://www.w3.org/2000/svg";
function lineChart(svg, points) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const w = svg.clientWidth || 300, h = svg.clientHeight || 140, left = 46, bottom = 16, top = 8, right = 8;
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  const ys = points.map(p => p.y).filter(y => y !== null && isFinite(y));
  const add = (tag, attrs, text) => { const e = document.createElementNS(SVG, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text !== undefined) e.textContent = text; svg.appendChild(e); return e; };
  add("line", { x1: left, y1: h - bottom, x2: w - right, y2: h - bottom, stroke: "#c5ccd8" });
  add("line", { x1: left, y1: top, x2: left, y2: h - bottom, stroke: "#c5ccd8" });
  if (points.length < 2 || ys.length === 0) { add("text", { x: left + 8, y: h / 2, fill: "#5b6475", "font-size": 12 }, "no data yet"); return; }
  const x0 = points[0].x, x1 = points[points.length - 1].x, ymax = Math.max(...ys, 0), ymin = Math.min(...ys, 0);
  const sx = (x) => left + (x - x0) / Math.max(1e-9, x1 - x0) * (w - left - right);
  const sy = (y) => h - bottom - (y - ymin) / Math.max(1e-9, ymax - ymin) * (h - bottom - top);
  const fmt = (v) => Math.abs(v) >= 1000 ? v.toFixed(0) : (Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
  add("text", { x: left - 4, y: top + 9, "text-anchor": "end", fill: "#5b6475", "font-size": 10 }, fmt(ymax));
  add("text", { x: left - 4, y: h - bottom, "text-anchor": "end", fill: "#5b6475", "font-size": 10 }, fmt(ymin));
  add("text", { x: left, y: h - 3, fill: "#5b6475", "font-size": 10 }, `-${Math.round(x1 - x0)} s`);
  add("text", { x: w - right, y: h - 3, "text-anchor": "end", fill: "#5b6475", "font-size": 10 }, "now");
  let d = "", pen = false;
  for (const p of points) {
    if (p.y === null || !isFinite(p.y)) { pen = false; continue; }
    d += (pen ? "L" : "M") + sx(p.x).toFixed(1) + " " + sy(p.y).toFixed(1) + " ";
    pen = true;
  }
  add("path", { d, fill: "none", stroke: "#2f6fd0", "stroke-width": 1.5 });
  // Dots too: a value between two gaps (a second without batches has no latency) has no segment.
  for (const p of points) if (p.y !== null && isFinite(p.y)) add("circle", { cx: sx(p.x).toFixed(1), cy: sy(p.y).toFixed(1), r: 1.8, fill: "#2f6fd0" });
}

// ---- status
const fields = [
  ["checkpoint", "checkpoint"], ["stream_last_sequence", "stream end"], ["lag", "lag, facts"], ["lag_seconds", "lag, seconds"],
  ["facts_applied", "facts applied"], ["facts_quarantined", "quarantined"], ["facts_duplicate", "duplicates"],
  ["nats_connected", "NATS"], ["consumer_bound", "consumer"], ["store_writable", "store"], ["paused", "paused"], ["stalled", "stalled"], ["draining", "draining"],
];
function shown(key, value) {
  if (value === undefined || value === null) return "–";
  if (key === "lag_seconds") return Number(value).toFixed(1);
  if (typeof value === "boolean") {
    if (key === "nats_connected" || key === "consumer_bound") return value ? "connected" : "down";
    if (key === "store_writable") return value ? "writable" : "failing";
    return value ? "yes" : "no";
  }
  return String(value);
}
function health(key, value) {
  if (typeof value !== "boolean") return "";
  const good = ["nats_connected", "consumer_bound", "store_writable"].includes(key) ? value : !value;
  return good ? "ok" : (key === "paused" ? "warn" : "bad");
}
function renderStatus(doc) {
  const cards = $("cards");
  cards.replaceChildren();
  // Replica mode: the replica's view, then each partition below; the cards sum the partitions.
  const replica = Array.isArray(doc.partitions);
  let s = doc;
  if (replica) {
    s = { checkpoint: 0, stream_last_sequence: 0, lag: 0, lag_seconds: 0, facts_applied: 0, facts_quarantined: 0, facts_duplicate: 0,
          nats_connected: doc.partitions.every(p => p.status.nats_connected), consumer_bound: doc.partitions.every(p => p.status.consumer_bound),
          store_writable: doc.partitions.every(p => p.status.store_writable), paused: doc.partitions.some(p => p.status.paused),
          stalled: doc.partitions.some(p => p.status.stalled), draining: doc.draining };
    for (const p of doc.partitions) for (const k of ["checkpoint", "stream_last_sequence", "lag", "facts_applied", "facts_quarantined", "facts_duplicate"]) s[k] += p.status[k];
    s.lag_seconds = Math.max(0, ...doc.partitions.map(p => p.status.lag_seconds || 0));
    for (const [k, label, v] of [["replica", "replica", doc.replica], ["live_replicas", "live replicas", doc.live_replicas], ["leases_reachable", "leases", doc.leases_reachable ? "reachable" : "unreachable"]]) {
      const c = el("div", { class: "card" }); c.append(el("div", { class: "k" }, label), el("div", { class: "v", id: "stat-" + k }, v)); cards.append(c);
    }
  }
  for (const [key, label] of fields) {
    const c = el("div", { class: "card" });
    c.append(el("div", { class: "k" }, label), el("div", { class: "v " + health(key, s[key]), id: "stat-" + key, "data-value": String(s[key]) }, shown(key, s[key])));
    cards.append(c);
  }
  $("last-error").textContent = s.last_error ? `last error (${s.last_error_at || "?"}): ${s.last_error}` : (s.freshness_problem || "");
  $("partitions-section").hidden = !replica;
  if (replica) {
    const body = $("partitions").tBodies[0];
    body.replaceChildren();
    for (const p of doc.partitions) {
      const tr = el("tr", { "data-partition": p.partition });
      const ready = p.status.nats_connected && p.status.consumer_bound && p.status.store_writable && !p.status.draining && !p.status.freshness_problem;
      for (const v of [p.partition, p.lease_epoch, p.stream, p.status.checkpoint, p.status.stream_last_sequence, p.status.lag, shown("lag_seconds", p.status.lag_seconds)]) tr.append(el("td", { class: "num" }, v));
      tr.append(el("td", { class: ready ? "ok" : "bad" }, ready ? "ready" : "not ready"));
      body.append(tr);
    }
    $("pause").disabled = $("resume").disabled = $("q-load").disabled = true;
    $("q-count").textContent = "a replica does not serve the quarantine (it acts on one consumer): use an ingest started with PROJECTION_PARTITION";
    $("pause").title = $("resume").title = "pause and resume act on one consumer; a replica does not serve them";
  }
}
async function refresh() {
  try {
    const [doc, history] = await Promise.all([call("GET", "admin/ingestion"), call("GET", "admin/ingestion/history")]);
    renderStatus(doc);
    const pts = (f) => history.samples.map(s => ({ x: s.time, y: f(s) }));
    lineChart($("chart-throughput"), pts(s => s.applied_per_second));
    lineChart($("chart-latency"), pts(s => s.commit_seconds_mean === undefined || s.commit_seconds_mean === null ? null : s.commit_seconds_mean * 1000));
    lineChart($("chart-lag"), pts(s => s.lag));
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.loaded = "true";
  } catch (e) {
    $("updated").textContent = "status unavailable: " + e.message;
  }
}

// ---- actions
$("pause").addEventListener("click", async () => {
  say("pausing…");
  try { const r = await call("POST", "admin/pause"); say(r.idle ? "paused (idle)" : "paused (a batch was still failing)", "ok"); } catch (e) { say(e.message, "bad"); }
  refresh();
});
$("resume").addEventListener("click", async () => {
  try { await call("POST", "admin/resume"); say("resumed", "ok"); } catch (e) { say(e.message, "bad"); }
  refresh();
});

// ---- quarantine browser: tenant and partition filter on the server, type and reason in the page.
function decodeRaw(b64) {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { return text; }
}
function partitionParam() {
  const p = $("q-partition").value.trim();
  return p === "" ? undefined : Number(p);
}
async function loadQuarantine() {
  const body = $("quarantine").tBodies[0];
  // Its contents are raw facts: only with the token (asking without one would just fail).
  if (!tokenInput.value.trim()) { $("q-count").textContent = "the quarantine needs the admin token"; body.replaceChildren(); return; }
  const params = new URLSearchParams({ limit: "1000" });
  const tenant = $("q-tenant").value.trim();
  if (tenant) params.set("tenant", tenant);
  if (partitionParam() !== undefined) params.set("partition", String(partitionParam()));
  let facts;
  try { facts = (await call("GET", "admin/quarantine?" + params)).facts; }
  catch (e) { $("q-count").textContent = e.message.startsWith("401") || e.message.startsWith("403") ? "the quarantine needs the admin token" : e.message; body.replaceChildren(); return; }
  const type = $("q-type").value.trim(), reason = $("q-reason").value.trim().toLowerCase();
  facts = facts.filter(f => (!type || f.fact_type === type) && (!reason || f.reason.toLowerCase().includes(reason)));
  $("q-count").textContent = facts.length + " quarantined fact(s)";
  body.replaceChildren();
  for (const f of facts) {
    const tr = el("tr", { "data-sequence": f.sequence });
    for (const v of [f.partition, f.sequence, f.tenant, f.fact_type, f.fact_id, f.reason]) tr.append(el("td", {}, v));
    const actions = el("td");
    const view = el("button", { class: "view" }, "view");
    view.addEventListener("click", () => { const raw = $("raw"); raw.hidden = false; raw.textContent = `sequence ${f.sequence} on ${f.subject}\nheaders ${JSON.stringify(f.headers)}\n\n` + decodeRaw(f.raw_base64); });
    const redrive = el("button", { class: "redrive" }, "re-drive");
    redrive.addEventListener("click", async () => {
      try { const r = await call("POST", "admin/quarantine/redrive", { sequences: [f.sequence], partition: f.partition, consumer: f.consumer }); say(`re-drove ${r.redriven.length} fact(s)` + (r.redriven[0] ? ` as sequence ${r.redriven[0].new_sequence}` : ""), "ok"); }
      catch (e) { say(e.message, "bad"); }
      loadQuarantine();
    });
    const skip = el("button", { class: "skip" }, "skip");
    skip.addEventListener("click", async () => {
      const note = $("q-note").value.trim();
      if (!note) { say("a skip needs a note: say why in 'skip note' (it is kept in the audit record)", "bad"); return; }
      try { const r = await call("POST", "admin/quarantine/skip", { sequences: [f.sequence], partition: f.partition, consumer: f.consumer, note }); say(`skipped ${r.skipped.length} fact(s); audit record written`, "ok"); }
      catch (e) { say(e.message, "bad"); }
      loadQuarantine();
    });
    actions.append(view, " ", redrive, " ", skip);
    tr.append(actions);
    body.append(tr);
  }
}
$("q-load").addEventListener("click", loadQuarantine);

refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
"""#
}
