"""Both services' /metrics read by the official Prometheus Python client's parser (`prometheus_client`,
from PyPI), on each store: the text parses, every family has a type and help text, and every family is
one docs/OPERATIONS.md's metrics table lists."""

from __future__ import annotations

import re
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from conftest import REPO


def documented() -> dict[str, str]:
    """docs/OPERATIONS.md's metrics table: name → type."""
    table = {}
    for line in (REPO / "docs" / "OPERATIONS.md").read_text().splitlines():
        m = re.match(r"\| `(projection_[a-z_]+)` \| (counter|gauge|histogram) \|", line)
        if m:
            table[m.group(1)] = m.group(2)
    return table


def scrape(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url + "/metrics", timeout=30) as r:
        return r.headers.get("Content-Type", ""), r.read().decode("utf-8")


def test_both_services_metrics_parse_with_help_and_are_documented(projection):
    table = documented()
    assert len(table) >= 20, table
    seen = set()
    for url in (projection.ingest_url, f"http://127.0.0.1:{projection.query_port}"):
        content_type, text = scrape(url)
        assert content_type.startswith("text/plain; version=0.0.4"), content_type
        families = list(text_string_to_metric_families(text))
        assert families, text
        for family in families:
            # The parser drops a counter's _total suffix from the family name.
            name = family.name + "_total" if family.type == "counter" else family.name
            assert family.documentation, f"{name} has no # HELP"
            assert table.get(name) == family.type, f"{name} ({family.type}) is not in OPERATIONS.md's table as such"
            seen.add(name)
    # Both services' own families are there from the start.
    assert {"projection_build_info", "projection_facts_applied_total", "projection_store_errors_total",
            "projection_ingress_requests_total"} <= seen, seen
