"""The operator console (`GET /console` on projection-ingest) in headless Chromium, against a real
ingest on a fresh Postgres schema and its own JetStream stream.

Two poison facts are quarantined by the store itself (a CHECK constraint refuses their amount). The
page must load without console errors and show the numbers `/admin/ingestion` has; pause and resume
work from its buttons; the quarantine browser filters, shows a raw fact, re-drives one (after the
constraint, what made it poison, is dropped) so that it appears in the store, and skips the other,
which leaves an audit record.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import subprocess
import time
import urllib.parse
import uuid

import nats
import psycopg
import pytest
from selenium.webdriver.common.by import By

from conftest import BIN_DIR, REPO, console_errors, http, screenshot, connect_fixtures

PG_DSN = connect_fixtures.PG_DSN
NATS_URL = os.environ.get("PROJECTION_NATS_URL", "nats://127.0.0.1:4222")
TOKEN = "browser-test-admin-token"
PLACED = "orders.order_placed.v1"
# Generous guards for "it eventually happens" on a busy machine; nothing is timed.
DEADLINE = 120


def eventually(check, what: str, timeout: float = DEADLINE):
    """Polls `check` until it returns a truthy value; fails naming `what` after the deadline."""
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.2)


def order(i: int, tenant: str, amount: int) -> tuple[str, dict]:
    day = 1 + i % 28
    data = {"order_id": f"o-{i}", "customer_id": f"c-{i % 7}", "amount_cents": amount, "currency": "EUR",
            "placed_at": f"2026-11-{day:02d}T10:00:00Z"}
    event = {"specversion": "1.0", "id": f"placed-{i}", "source": "/browser-test", "type": PLACED, "time": data["placed_at"],
             "datacontenttype": "application/json", "tenantid": tenant, "data": data}
    return f"placed-{i}", event


async def _publish(stream: str, prefix: str, events: list[tuple[str, str, dict]]) -> None:
    nc = await nats.connect(NATS_URL)
    js = nc.jetstream()
    try:
        await js.stream_info(stream)
    except nats.js.errors.NotFoundError:
        await js.add_stream(name=stream, subjects=[prefix + ".>"])
    await asyncio.gather(*(js.publish(f"{prefix}.{tenant}.{PLACED}", json.dumps(event).encode(), headers={"Nats-Msg-Id": id_})
                           for tenant, id_, event in events))
    await nc.close()


async def _delete_stream(stream: str) -> None:
    nc = await nats.connect(NATS_URL)
    try:
        await nc.jetstream().delete_stream(stream)
    except nats.js.errors.NotFoundError:
        pass
    await nc.close()


@contextlib.contextmanager
def running_ingest(tmp_path_factory, partitions: int | None = None):
    """projection-ingest (orders-analytics, Postgres) on a fresh schema whose orders table refuses
    amounts of 1,000,000 cents and more, consuming its own stream (with `partitions`: a replica running
    that many partitions, a stream each); the admin token is set."""
    name = f"browser_{uuid.uuid4().hex[:12]}"
    stream, prefix = name.upper(), name
    streams = [(stream, prefix)] if partitions is None else [(f"{stream}_P{p}", f"{prefix}.p{p}") for p in range(partitions)]
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    dsn = connect_fixtures._with_path(PG_DSN, urllib.parse.urlsplit(PG_DSN).path, f"options=-csearch_path%3D{name}")
    proc = None
    try:
        connect_fixtures._migrate("postgres_table", dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("ALTER TABLE orders ADD CONSTRAINT browser_amount CHECK (amount_cents < 1000000)")
        for s, p in streams:
            asyncio.run(_publish(s, p, []))
        port = connect_fixtures.free_port()
        log = tmp_path_factory.mktemp("ingest") / "ingest.log"
        env = dict(os.environ, PROJECTION_NAME="orders-analytics", PROJECTION_STORE_KIND="postgres_table", PROJECTION_STORE_DSN=dsn,
                   PROJECTION_NATS_URL=NATS_URL, PROJECTION_STREAM=stream, PROJECTION_SUBJECTS=prefix + ".>", PROJECTION_DURABLE=name,
                   PORT_HTTP=str(port), PROJECTION_HTTP_HOST="127.0.0.1", PROJECTION_ADMIN_TOKEN=TOKEN, PROJECTION_BATCH_LINGER_MS="50")
        if partitions is not None:
            env.update(PROJECTION_PARTITIONS=str(partitions), PROJECTION_STREAM=stream + "_P{partition}", PROJECTION_SUBJECTS=prefix + ".p{partition}.>",
                       PROJECTION_DURABLE=name + "-p{partition}", PROJECTION_LEASE_BUCKET=name + "_leases", PROJECTION_REPLICA_ID="browser-replica")
        proc = subprocess.Popen([str(BIN_DIR / "projection-ingest")], env=env, cwd=REPO, stdout=log.open("w"), stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"

        def ready():
            assert proc.poll() is None, f"projection-ingest exited: {log.read_text()}"
            try:
                return http("GET", url + "/readyz", timeout=5)[0] == 200
            except OSError:
                return False

        eventually(ready, "projection-ingest to be ready")
        yield {"url": url, "dsn": dsn, "stream": stream, "prefix": prefix, "streams": streams, "durable": name, "log": log}
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        for s, _ in streams:
            asyncio.run(_delete_stream(s))
        if partitions is not None:
            asyncio.run(_delete_stream(f"KV_{name}_leases"))
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@pytest.fixture(scope="module")
def ingest(tmp_path_factory):
    with running_ingest(tmp_path_factory) as running:
        yield running


def status(ingest) -> dict:
    code, body = http("GET", ingest["url"] + "/admin/ingestion")
    assert code == 200, body
    return body


def caught_up(ingest, quarantined: int):
    s = status(ingest)
    return s if s["lag"] == 0 and s["checkpoint"] == s["stream_last_sequence"] and s["facts_quarantined"] == quarantined else None


SHOWN = ["checkpoint", "stream_last_sequence", "lag", "facts_applied", "facts_quarantined", "facts_duplicate",
         "nats_connected", "consumer_bound", "store_writable", "paused", "stalled", "draining"]


def page_numbers(browser) -> dict:
    """The cards' values, read in one script: the page redraws them every 2 s."""
    return browser.execute_script(
        "const out = {}; for (const k of arguments[0]) { const e = document.getElementById('stat-' + k); out[k] = e ? e.dataset.value : null; } return out;", SHOWN)


def page_text(browser, element_id: str) -> str:
    return browser.execute_script("const e = document.getElementById(arguments[0]); return e ? e.textContent : null;", element_id)


def api_numbers(doc: dict) -> dict:
    return {k: (str(doc[k]).lower() if isinstance(doc[k], bool) else str(doc[k])) for k in SHOWN}


def test_console(browser, ingest, tmp_path):
    # 300 good orders in three bursts (so the charts have something to show), and two the store refuses.
    poison = {"o-900": 5_000_000, "o-901": 7_000_000}
    for burst in range(3):
        asyncio.run(_publish(ingest["stream"], ingest["prefix"],
                             [("t1" if i % 2 else "t2",) + order(i, "t1" if i % 2 else "t2", 100 + i) for i in range(burst * 100, burst * 100 + 100)]))
        time.sleep(1.5)
    for o, amount in poison.items():  # one at a time: o-900 is 301, o-901 is 302
        asyncio.run(_publish(ingest["stream"], ingest["prefix"], [("t1",) + order(int(o[2:]), "t1", amount)]))
    eventually(lambda: caught_up(ingest, quarantined=2), "ingest to apply 300 facts and quarantine 2")

    browser.get(ingest["url"] + "/console")
    eventually(lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "true", "the console to load")

    # The numbers shown are /admin/ingestion's (ingest is idle, so they hold still between the two reads).
    def same_numbers():
        shown, api = page_numbers(browser), api_numbers(status(ingest))
        return shown == api or None
    eventually(same_numbers, "the console to show /admin/ingestion's numbers", timeout=30)
    assert console_errors(browser) == []
    doc = status(ingest)
    assert doc["checkpoint"] == 302 and doc["facts_applied"] == 300 and doc["facts_quarantined"] == 2
    assert page_text(browser, "stat-checkpoint") == "302"
    assert page_text(browser, "stat-store_writable") == "writable"
    # The history behind the charts: one sample a second; the throughput chart draws a line.
    eventually(lambda: len(http("GET", ingest["url"] + "/admin/ingestion/history")[1]["samples"]) >= 3, "three history samples")
    eventually(lambda: browser.execute_script("return document.querySelectorAll('#chart-throughput path').length") > 0, "the throughput chart")

    # Without the token the quarantine says it needs one (the page does not ask: no failed request).
    browser.find_element(By.ID, "q-load").click()
    eventually(lambda: "needs the admin token" in browser.find_element(By.ID, "q-count").text, "the quarantine to ask for the token")

    token = browser.find_element(By.ID, "token")
    token.send_keys(TOKEN)

    # Pause and resume from the buttons.
    browser.find_element(By.ID, "pause").click()
    eventually(lambda: status(ingest)["paused"] is True, "ingest to pause")
    eventually(lambda: page_numbers(browser)["paused"] == "true", "the console to show paused")
    browser.find_element(By.ID, "resume").click()
    eventually(lambda: status(ingest)["paused"] is False, "ingest to resume")
    eventually(lambda: page_numbers(browser)["paused"] == "false", "the console to show resumed")

    # The quarantine: both refused facts, filtered by tenant, type and reason.
    def rows():
        return {int(r.get_attribute("data-sequence")): r for r in browser.find_elements(By.CSS_SELECTOR, "#quarantine tbody tr")}

    def load(tenant="", type_="", reason=""):
        for field, value in (("q-tenant", tenant), ("q-type", type_), ("q-reason", reason)):
            box = browser.find_element(By.ID, field)
            box.clear()
            box.send_keys(value)
        # The count is cleared first, so the list read is the one this click loaded.
        browser.execute_script('document.getElementById("q-count").textContent = ""')
        browser.find_element(By.ID, "q-load").click()
        eventually(lambda: "quarantined fact(s)" in page_text(browser, "q-count"), "the quarantine list")
        return rows()

    assert set(load()) == {301, 302}
    assert set(load(tenant="t1", type_=PLACED, reason="23514")) == {301, 302}
    eventually(lambda: set(load(tenant="t2")) == set(), "no quarantined fact of t2")
    eventually(lambda: set(load(type_="orders.order_refunded.v1")) == set(), "no quarantined refund")
    eventually(lambda: set(load(reason="no such reason")) == set(), "the reason filter")
    listed = eventually(lambda: load(reason="check constraint") if set(load(reason="check constraint")) == {301, 302} else None, "both by reason")
    api = {f["sequence"]: f for f in http("GET", ingest["url"] + "/admin/quarantine", headers={"Authorization": "Bearer " + TOKEN})[1]["facts"]}
    for sequence, row in listed.items():
        cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")][:6]
        f = api[sequence]
        assert cells == [str(f["partition"]), str(f["sequence"]), f["tenant"], f["fact_type"], f["fact_id"], f["reason"]]

    # The raw fact.
    listed[301].find_element(By.CSS_SELECTOR, "button.view").click()
    raw = browser.find_element(By.ID, "raw").text
    assert '"order_id": "o-900"' in raw and '"amount_cents": 5000000' in raw
    # The picture for the docs: the whole page, both refused facts listed and one of them open.
    browser.set_window_size(1280, 1320)
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, "console.png", tmp_path)
    browser.set_window_size(1280, 900)

    # Fix what made it poison, then re-drive 301 from the page: it reaches the store.
    with psycopg.connect(ingest["dsn"], autocommit=True) as conn:
        conn.execute("ALTER TABLE orders DROP CONSTRAINT browser_amount")
    listed[301].find_element(By.CSS_SELECTOR, "button.redrive").click()
    eventually(lambda: "re-drove 1 fact(s)" in browser.find_element(By.ID, "message").text, "the re-drive to answer")

    def in_store():
        with psycopg.connect(ingest["dsn"], autocommit=True) as conn:
            return conn.execute("SELECT amount_cents FROM orders WHERE tenant_id = 't1' AND order_id = 'o-900'").fetchall()
    assert eventually(in_store, "the re-driven fact in the store") == [(5_000_000,)]
    eventually(lambda: caught_up(ingest, quarantined=2) and status(ingest)["facts_applied"] == 301, "ingest to apply the re-driven fact")

    # Skip 302 with a note: it leaves the quarantine, an audit record keeps it, and it is not applied.
    remaining = eventually(lambda: load() if set(load()) == {302} else None, "only 302 left in the quarantine")
    remaining[302].find_element(By.CSS_SELECTOR, "button.skip").click()
    assert "needs a note" in browser.find_element(By.ID, "message").text
    browser.find_element(By.ID, "q-note").send_keys("duplicate of o-900, confirmed with the producer")
    remaining[302].find_element(By.CSS_SELECTOR, "button.skip").click()
    eventually(lambda: "skipped 1 fact(s)" in browser.find_element(By.ID, "message").text, "the skip to answer")
    eventually(lambda: set(load()) == set(), "an empty quarantine")
    code, audit = http("GET", ingest["url"] + "/admin/quarantine/skipped", headers={"Authorization": "Bearer " + TOKEN})
    assert code == 200
    [record] = audit["skipped"]
    assert (record["sequence"], record["partition"], record["tenant"], record["fact_type"]) == (302, 0, "t1", PLACED)
    assert (record["projection"], record["consumer"], record["entry_consumer"]) == ("orders-analytics", ingest["durable"], ingest["durable"])
    assert record["note"] == "duplicate of o-900, confirmed with the producer"
    assert json.loads(base64.b64decode(record["raw_base64"]))["data"]["order_id"] == "o-901"
    assert "23514" in record["reason"]
    with psycopg.connect(ingest["dsn"], autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM orders WHERE order_id = 'o-901'").fetchone() == (0,)
    # Actions without the token are refused.
    assert http("POST", ingest["url"] + "/admin/quarantine/skip", body={"sequences": [1], "note": "x"})[0] == 401
    assert http("GET", ingest["url"] + "/admin/quarantine/skipped")[0] == 401

    # The numbers still match, and nothing in the session logged an error to the browser console.
    browser.find_element(By.ID, "q-note").clear()
    eventually(same_numbers, "the console to show /admin/ingestion's numbers after the re-drive", timeout=30)
    assert console_errors(browser) == []


def test_console_page_is_self_contained(ingest):
    code, page = http("GET", ingest["url"] + "/console")
    assert code == 200 and page.startswith("<!doctype html>")
    # Relative URLs only (a port-forward or a path prefix keeps working), and no external fetch.
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "https://" not in page
    for path in ("admin/ingestion", "admin/ingestion/history", "admin/quarantine", "admin/pause"):
        assert f'"{path}' in page, path
    assert '"/admin' not in page


def test_console_replica_partitions(browser, tmp_path_factory):
    """A replica running two partitions: the console lists each with its lease, and its cards sum them."""
    with running_ingest(tmp_path_factory, partitions=2) as replica:
        for p, (stream, prefix) in enumerate(replica["streams"]):
            asyncio.run(_publish(stream, prefix, [("t1",) + order(1000 * p + i, "t1", 100 + i) for i in range(10 + 5 * p)]))

        def both_caught_up():
            doc = status(replica)
            parts = doc["partitions"]
            return doc if len(parts) == 2 and all(x["status"]["lag"] == 0 and x["status"]["checkpoint"] == 10 + 5 * x["partition"] for x in parts) else None
        doc = eventually(both_caught_up, "both partitions to catch up")
        browser.get("about:blank")
        console_errors(browser)
        browser.get(replica["url"] + "/console")
        eventually(lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "true", "the console to load")

        def table():
            return browser.execute_script(
                "return Array.from(document.querySelectorAll('#partitions tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent));")
        shown = eventually(lambda: table() or None, "the partitions table")
        doc = status(replica)
        assert shown == [[str(x["partition"]), str(x["lease_epoch"]), x["stream"], str(x["status"]["checkpoint"]), str(x["status"]["stream_last_sequence"]),
                          str(x["status"]["lag"]), f'{x["status"]["lag_seconds"]:.1f}', "ready"] for x in doc["partitions"]]
        assert [x["stream"] for x in doc["partitions"]] == [s for s, _ in replica["streams"]]
        numbers = page_numbers(browser)
        assert numbers["checkpoint"] == "25" and numbers["facts_applied"] == "25" and numbers["lag"] == "0"
        assert page_text(browser, "stat-replica") == "browser-replica"
        assert browser.find_element(By.ID, "pause").get_attribute("disabled") is not None
        assert browser.find_element(By.ID, "q-load").get_attribute("disabled") is not None  # not served by a replica
        assert console_errors(browser) == []
