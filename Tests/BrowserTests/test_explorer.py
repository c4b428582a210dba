"""The query explorer (`GET /explorer` on projection-query) in headless Chromium, on both stores.

The Connect client tests' fixtures fill a fresh ClickHouse database and Postgres schema and start a
real projection-query on each. For each call the explorer's form is filled and run; its table must
hold the API's answer (a plain JSON POST) cell for cell, a day or hour column must give a chart, and
the curl it shows must return the same answer when run.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import time

import pytest
from selenium.webdriver.common.by import By

from conftest import console_errors, http, screenshot, connect_fixtures

ORDERS_SERVICE = connect_fixtures.SERVICE
SENSORS_SERVICE = connect_fixtures.SENSORS_SERVICE

# (RPC, form fields by proto name, chart expected)
ORDER_CALLS = [
    ("GetDailySales", {"from_day": "2026-11-01", "to_day": "2026-11-28"}, True),
    ("GetDailySales", {"from_day": "2026-12-01", "to_day": "2026-12-31"}, False),
    ("GetTopCustomers", {"from_day": "2026-10-01", "to_day": "2026-11-30", "limit": "2"}, False),
    ("GetOrder", {"order_id": "ö5"}, False),
]
SENSOR_CALLS = [
    ("GetSiteHourly", {"site_id": "s1", "from_hour": "2026-06-01T00:00:00Z", "to_hour": "2026-06-01T23:00:00Z"}, True),
    ("ListSensors", {"site_id": "s1"}, False),
]


def js_string(v) -> str:
    """What the page shows for a proto3 JSON value (JavaScript's String(), JSON.stringify for objects)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e21:
            return str(int(v))
        return repr(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    return str(v)


def api_rows(method: dict, answer: dict) -> list[dict]:
    kind = method["response"]["kind"]
    if kind == "rows":
        return answer.get(method["response"]["field"], [])
    if kind == "single":
        return [answer[method["response"]["field"]]] if method["response"]["field"] in answer else []
    return [answer]


def wait(check, what: str, timeout: float = 60):
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.1)


def explore(browser, server, service: str, tenant: str, calls, tmp_path, shot: str | None = None):
    # A page left open by an earlier test (the console, polling an ingest since stopped) logs its own
    # errors: leave it, and start from an empty log.
    browser.get("about:blank")
    console_errors(browser)
    browser.get(server.url + "/explorer")
    wait(lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "true", "the explorer to load")
    assert console_errors(browser) == []
    code, catalog = http("GET", server.url + "/explorer/catalog.json")
    assert code == 200 and catalog["service"] == service
    # The RPCs listed are the proto's (the same as the OpenAPI document's paths).
    _, openapi = http("GET", server.url + "/openapi.json")
    listed = [b.get_attribute("data-method") for b in browser.find_elements(By.CSS_SELECTOR, "#methods button")]
    assert ["/" + service + "/" + m for m in listed] == list(openapi["paths"])
    methods = {m["name"]: m for m in catalog["methods"]}
    tenant_box = browser.find_element(By.ID, "tenant")
    tenant_box.clear()
    tenant_box.send_keys(tenant)
    for rpc, fields, chart in calls:
        method = methods[rpc]
        browser.find_element(By.CSS_SELECTOR, f'#methods button[data-method="{rpc}"]').click()
        # A form field per request field, with its type's limits.
        inputs = {i.get_attribute("name"): i for i in browser.find_elements(By.CSS_SELECTOR, "#form input")}
        assert list(inputs) == [f["name"] for f in method["request"]]
        for f in method["request"]:
            if "maximum" in f["schema"]:
                assert inputs[f["name"]].get_attribute("max") == str(f["schema"]["maximum"])
        for name, value in fields.items():
            inputs[name].clear()
            inputs[name].send_keys(value)
        browser.execute_script('document.getElementById("status").textContent = ""')
        browser.find_element(By.ID, "run").click()
        status = wait(lambda: (lambda t: t if t and t != "running…" else None)(browser.find_element(By.ID, "status").text), f"{rpc} to answer")
        # The API's answer to the same request (JSON names, as the page sends them).
        body = {}
        for f in method["request"]:
            if f["name"] in fields:
                body[f["json_name"]] = int(fields[f["name"]]) if f["schema"].get("type") == "integer" else fields[f["name"]]
        code, answer = http("POST", server.url + method["path"], body=body, headers={"x-tenant-id": tenant})
        if code != 200:
            assert status.startswith(f"{code} {answer['code']}"), (rpc, status, answer)
            continue
        rows = api_rows(method, answer)
        assert status == f"{len(rows)} row(s)", (rpc, status)
        header = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#table thead th")]
        shown = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in browser.find_elements(By.CSS_SELECTOR, "#table tbody tr")]
        assert set(header) >= {k for r in rows for k in r}, (rpc, header)
        assert shown == [[js_string(r.get(h)) for h in header] for r in rows], rpc
        svg = browser.find_element(By.ID, "chart")
        if chart:
            assert svg.is_displayed(), rpc
            series = svg.find_elements(By.CSS_SELECTOR, "path[data-series]")
            assert series and all(len(p.get_attribute("d").split("L")) == len(rows) for p in series), rpc
        else:
            assert not svg.is_displayed(), rpc
        # The curl shown, run as shown, answers the same.
        curl = browser.find_element(By.ID, "curl").text
        assert server.url + method["path"] in curl and f"{catalog['tenant_header']}: {tenant}" in curl
        result = subprocess.run(["bash", "-c", curl.replace("curl -sS", "curl -sS --max-time 30", 1)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == answer, rpc
        if shot and rpc == shot:
            screenshot(browser, "explorer.png", tmp_path)
            shot = None
    assert console_errors(browser) == []


@pytest.fixture(scope="module", params=["clickhouse", "postgres"])
def store(request):
    return request.param


def test_explorer_orders(browser, servers, store, tmp_path):
    server = servers.get("orders", store)
    explore(browser, server, ORDERS_SERVICE, "acme", ORDER_CALLS, tmp_path, shot="GetDailySales" if store == "clickhouse" else None)


def test_explorer_sensors_hourly_chart(browser, servers, store, tmp_path):
    server = servers.get("sensors", store)
    explore(browser, server, SENSORS_SERVICE, "acme", SENSOR_CALLS, tmp_path)


def test_explorer_routes_keep_the_query_api_rules(servers):
    server = servers.get("orders", "postgres")
    code, page = http("GET", server.url + "/explorer")
    assert code == 200 and page.startswith("<!doctype html>")
    assert "https://" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    # One spelling per route, as for the RPCs: a trailing slash or an empty segment is not_found.
    for path in ("/explorer/", "//explorer", "/explorer//catalog.json", "/explorer/catalog.json/"):
        code, body = http("GET", server.url + path)
        assert (code, body["code"]) == (404, "not_found"), path
    assert http("POST", server.url + "/explorer")[0] == 404

