"""Static checks of compose/: the Compose file, the Dockerfile and the files they mount.

Docker does not run here, so these parse the files and check the wiring that would otherwise only
fail at `docker compose up`: dependencies and health checks, the runtime-contract environment,
read-only users for the query API, unique host ports, and that every mounted file exists.

    .dev/venv/bin/python -m pytest Tests/DevStackTests/test_compose.py -q -p no:cacheprovider
"""

from __future__ import annotations

import re
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_DIR = REPO / "compose"
COMPOSE_FILE = COMPOSE_DIR / "docker-compose.yml"
DOCKERFILE = COMPOSE_DIR / "Dockerfile"
USERS_XML = COMPOSE_DIR / "clickhouse" / "users.d" / "projection.xml"
INITDB_SQL = COMPOSE_DIR / "postgres" / "initdb" / "01-readonly-role.sql"

STORES = {"clickhouse": "clickhouse", "postgres": "postgres_table"}  # service suffix -> PROJECTION_STORE_KIND
MIGRATE = {f"migrate-{s}" for s in STORES}
INGEST = {f"ingest-{s}" for s in STORES}
QUERY = {"query-clickhouse-1", "query-clickhouse-2", "query-postgres"}
EXPECTED_SERVICES = {"nats", "clickhouse", "postgres"} | MIGRATE | INGEST | QUERY

# The runtime contract (README) plus the one role-specific setting each kind of service needs.
CONTRACT = {"PROJECTION_NAME", "PROJECTION_STORE_KIND", "PROJECTION_STORE_DSN", "PROJECTION_NATS_URL", "PORT_HTTP"}
ENV_BY_ROLE = {
    "migrate": {"PROJECTION_NAME", "PROJECTION_STORE_KIND", "PROJECTION_STORE_DSN"},
    "ingest": CONTRACT | {"PROJECTION_DURABLE"},
    "query": {"PROJECTION_NAME", "PROJECTION_STORE_KIND", "PROJECTION_STORE_DSN", "PORT_HTTP",
              "PROJECTION_TENANT_HEADER"},
}
EXECUTABLE_BY_ROLE = {"migrate": "projection-migrate", "ingest": "projection-ingest", "query": "projection-query"}
PORT_BY_ROLE = {"ingest": 8081, "query": 8080}

# The only passwords allowed in plain text: the dev defaults that compose/README.md documents.
DEV_PASSWORDS = {"projection", "projection_ro"}
READ_ONLY_USERS = {"projection_ro"}

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def interpolate(value: str) -> str:
    """Resolves `${VAR:-default}` the way Compose does with VAR unset; a bare `${VAR}` must not occur."""

    def replace(m: re.Match) -> str:
        assert m.group(2) is not None, f"{m.group(0)} has no default; `up` would need it set"
        return m.group(2)

    return VARIABLE.sub(replace, value)


def role(name: str) -> str:
    return name.split("-", 1)[0]


def store_of(name: str) -> str:
    return name.split("-")[1]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):  # KEY=value list form
        env = dict(item.split("=", 1) for item in env)
    return {k: interpolate(str(v)) for k, v in env.items()}


def depends(service: dict) -> dict[str, str]:
    deps = service.get("depends_on", {})
    assert isinstance(deps, dict), "depends_on must use the long form with conditions"
    return {name: spec["condition"] for name, spec in deps.items()}


def healthcheck_command(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def dsn_credentials(dsn: str) -> tuple[str, str, str]:
    u = urllib.parse.urlsplit(dsn)
    return u.scheme, urllib.parse.unquote(u.username or ""), urllib.parse.unquote(u.password or "")


# -- shape ----------------------------------------------------------------------------------------


def test_compose_spec_without_version_key(compose):
    assert "version" not in compose
    assert EXPECTED_SERVICES <= set(compose["services"])


def test_anchors_keep_projection_services_on_one_image(services):
    raw = COMPOSE_FILE.read_text()
    assert "x-projection-common: &common" in raw
    projection = MIGRATE | INGEST | QUERY
    images = {services[name]["image"] for name in projection}
    assert len(images) == 1
    for name in projection:
        build = services[name]["build"]
        assert build == {"context": "..", "dockerfile": "compose/Dockerfile"}
        assert (COMPOSE_DIR / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE


def test_each_service_runs_its_executable(services):
    for name in MIGRATE | INGEST | QUERY:
        command = services[name]["command"]
        assert command[0] == EXECUTABLE_BY_ROLE[role(name)], name
    for name in MIGRATE:
        assert services[name]["command"] == ["projection-migrate", "apply"]
        assert services[name]["restart"] == "no"


# -- health and ordering ----------------------------------------------------------------------------


def test_infrastructure_has_healthchecks(services):
    nats = services["nats"]
    assert nats["image"].startswith("nats:2.10") and "alpine" in nats["image"]
    for flag in ("-js", "-sd", "-m"):
        assert flag in nats["command"]
    assert "wget" in healthcheck_command(nats)
    assert ":8222/healthz?js-enabled-only=true" in healthcheck_command(nats)

    assert services["clickhouse"]["image"].startswith("clickhouse/clickhouse-server:")
    assert "8123/ping" in healthcheck_command(services["clickhouse"])
    assert services["clickhouse"]["environment"]["CLICKHOUSE_DB"] == "projection"
    assert services["clickhouse"]["ulimits"]["nofile"] == {"soft": 262144, "hard": 262144}

    pg = services["postgres"]
    assert pg["image"] == "postgres:15"
    check = healthcheck_command(pg)
    assert check.startswith("CMD pg_isready") and "-U projection" in check and "-d projection" in check
    assert {k: interpolate(v) for k, v in pg["environment"].items()} == {
        "POSTGRES_USER": "projection", "POSTGRES_PASSWORD": "projection", "POSTGRES_DB": "projection",
        # Created without a locale, as the dev stack's initdb: text keys compare by bytes, as in ClickHouse.
        "POSTGRES_INITDB_ARGS": "--encoding=UTF8 --no-locale"}

    for name in ("nats", "clickhouse", "postgres"):
        named = [v.split(":")[0] for v in services[name]["volumes"] if not v.startswith(".")]
        assert named, f"{name} keeps its data in a named volume"


def test_named_volumes_are_declared(compose, services):
    declared = set(compose.get("volumes") or {})
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} uses undeclared volume {source}"


def test_migrate_waits_for_a_healthy_store(services):
    for name in MIGRATE:
        assert depends(services[name]) == {store_of(name): "service_healthy"}


def test_ingest_waits_for_nats_and_its_migration(services):
    for name in INGEST:
        assert depends(services[name]) == {
            "nats": "service_healthy", f"migrate-{store_of(name)}": "service_completed_successfully"}


def test_query_waits_for_its_migration(services):
    for name in QUERY:
        assert depends(services[name]) == {f"migrate-{store_of(name)}": "service_completed_successfully"}


def test_long_running_services_check_readyz_on_their_port(services):
    for name in INGEST | QUERY:
        check = healthcheck_command(services[name])
        assert check.startswith("CMD curl -fsS")
        assert check.endswith(f"http://127.0.0.1:{PORT_BY_ROLE[role(name)]}/readyz"), name


def test_dependencies_name_existing_services(services):
    for name, service in services.items():
        for dep, condition in depends(service).items():
            assert dep in services, f"{name} depends on unknown {dep}"
            if condition == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep} to be healthy but it has no check"
            if condition == "service_completed_successfully":
                assert services[dep].get("restart") == "no", f"{dep} is a one-shot job"


# -- ports ------------------------------------------------------------------------------------------


def published_ports(services) -> list[tuple[str, int, int]]:
    found = []
    for name, service in services.items():
        for port in service.get("ports", []):
            host, container = interpolate(str(port)).rsplit(":", 1)
            found.append((name, int(host.rsplit(":", 1)[-1]), int(container)))
    return found


def test_published_host_ports_are_unique(services):
    hosts = [host for _, host, _ in published_ports(services)]
    assert len(hosts) == len(set(hosts)), sorted(hosts)


def test_published_ports_target_the_service_port(services):
    ports = {name: (host, container) for name, host, container in published_ports(services)}
    for name in INGEST | QUERY:
        assert ports[name][1] == PORT_BY_ROLE[role(name)], name
        assert env_of(services[name])["PORT_HTTP"] == str(PORT_BY_ROLE[role(name)])
    assert ports["nginx"][0] == 8080, "the documented curl goes to localhost:8080"


# -- runtime contract -------------------------------------------------------------------------------


def test_projection_services_set_exactly_the_contract_env(services):
    for name in MIGRATE | INGEST | QUERY:
        env = env_of(services[name])
        assert set(env) == ENV_BY_ROLE[role(name)], name
        assert env["PROJECTION_NAME"] == "orders-analytics"
        assert env["PROJECTION_STORE_KIND"] in {"clickhouse", "postgres_table"}
        assert env["PROJECTION_STORE_KIND"] == STORES[store_of(name)], name
        scheme, _, _ = dsn_credentials(env["PROJECTION_STORE_DSN"])
        host = urllib.parse.urlsplit(env["PROJECTION_STORE_DSN"]).hostname
        if env["PROJECTION_STORE_KIND"] == "clickhouse":
            assert scheme == "http" and host == "clickhouse"
        else:
            assert scheme == "postgresql" and host == "postgres"
        assert urllib.parse.urlsplit(env["PROJECTION_STORE_DSN"]).path == "/projection"
        if "PORT_HTTP" in env:
            assert 1 <= int(env["PORT_HTTP"]) <= 65535
        if "PROJECTION_NATS_URL" in env:
            assert env["PROJECTION_NATS_URL"] == "nats://nats:4222"


def test_ingest_durables_are_distinct(services):
    durables = [env_of(services[name])["PROJECTION_DURABLE"] for name in INGEST]
    assert len(set(durables)) == len(durables)
    for durable in durables:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", durable)


def test_two_query_instances_serve_the_same_store(services):
    one, two = env_of(services["query-clickhouse-1"]), env_of(services["query-clickhouse-2"])
    assert one == two
    assert one["PROJECTION_TENANT_HEADER"] == "x-tenant-id"


def test_query_api_uses_read_only_users_and_writers_do_not(services):
    for name in QUERY:
        _, user, _ = dsn_credentials(env_of(services[name])["PROJECTION_STORE_DSN"])
        assert user in READ_ONLY_USERS, name
    for name in MIGRATE | INGEST:
        _, user, _ = dsn_credentials(env_of(services[name])["PROJECTION_STORE_DSN"])
        assert user == "projection", name


def test_nginx_balances_both_clickhouse_query_instances(services):
    nginx = services["nginx"]
    mounts = {v.split(":")[1]: COMPOSE_DIR / v.split(":")[0] for v in nginx["volumes"]}
    conf = mounts["/etc/nginx/nginx.conf"].read_text()
    upstream = re.search(r"upstream\s+(\w+)\s*\{([^}]*)\}", conf)
    assert upstream, "nginx.conf has an upstream block"
    servers = re.findall(r"^\s*server\s+([\w.-]+):(\d+)", upstream.group(2), re.M)
    assert sorted(servers) == [("query-clickhouse-1", "8080"), ("query-clickhouse-2", "8080")]
    assert f"proxy_pass http://{upstream.group(1)};" in conf
    assert conf.count("{") == conf.count("}")
    assert depends(nginx) == {"query-clickhouse-1": "service_healthy", "query-clickhouse-2": "service_healthy"}


# -- mounted files ----------------------------------------------------------------------------------


def test_bind_mounted_files_exist(services):
    sources = []
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                sources.append((COMPOSE_DIR / source).resolve())
    assert USERS_XML.resolve() in sources
    assert INITDB_SQL.parent.resolve() in sources
    for source in sources:
        assert source.exists(), source


def test_clickhouse_users_xml(services):
    root = ET.parse(USERS_XML).getroot()
    assert root.tag == "clickhouse"
    profile = root.find("profiles/projection_ro")
    assert profile is not None and profile.findtext("readonly") == "1"

    writer, reader = root.find("users/projection"), root.find("users/projection_ro")
    assert writer is not None and reader is not None
    assert reader.findtext("profile") == "projection_ro"
    assert [q.text for q in reader.findall("grants/query")] == ["GRANT SELECT ON projection.*"]
    assert [q.text for q in writer.findall("grants/query")] == ["GRANT ALL ON projection.*"]
    assert writer.findtext("profile") != "projection_ro"

    # Passwords come from the container environment, which compose fills.
    ch_env = services["clickhouse"]["environment"]
    for user, expected in ((writer, "projection"), (reader, "projection_ro")):
        password = user.find("password")
        assert password is not None and not (password.text or "").strip(), "no literal password in the XML"
        var = password.get("from_env")
        assert var in ch_env and interpolate(ch_env[var]) == expected


def test_clickhouse_readonly_profile_allows_the_query_api_settings():
    # The query API sends these with every query; under readonly=1 each must be marked
    # changeable_in_readonly, or ClickHouse rejects every query.
    executor = REPO / "Sources" / "ClickHouseBackend" / "Query" / "ClickHouseQueryExecutor.swift"
    block = re.search(r"func settings\(timeout: Duration\) -> \[String: String\] \{(.*?)\n    \}", executor.read_text(), re.S)
    assert block, "the executor's settings(timeout:) was not found: update this test with it"
    sent = set(re.findall(r'"([a-z0-9_]+)":', block.group(1))) - {"readonly"}
    assert {"max_execution_time", "output_format_json_quote_64bit_integers", "output_format_json_quote_denormals"} <= sent
    constraints = ET.parse(USERS_XML).getroot().find("profiles/projection_ro/constraints")
    assert constraints is not None
    for setting in sent:
        node = constraints.find(setting)
        assert node is not None and node.find("changeable_in_readonly") is not None, setting


def test_postgres_initdb_creates_the_read_only_role(services):
    sql = INITDB_SQL.read_text()
    normalized = " ".join(re.sub(r"--[^\n]*", "", sql).split())
    assert "CREATE ROLE projection_ro WITH LOGIN PASSWORD 'projection_ro'" in normalized
    for grant in ("GRANT CONNECT ON DATABASE projection TO projection_ro",
                  "GRANT USAGE ON SCHEMA public TO projection_ro",
                  "GRANT SELECT ON ALL TABLES IN SCHEMA public TO projection_ro",
                  "ALTER DEFAULT PRIVILEGES FOR ROLE projection IN SCHEMA public GRANT SELECT ON TABLES TO projection_ro"):
        assert grant in normalized, grant
    assert not re.search(r"GRANT\s+(INSERT|UPDATE|DELETE|TRUNCATE|ALL)\b", normalized, re.I)
    mounts = {v.split(":")[1]: v.split(":")[0] for v in services["postgres"]["volumes"]}
    assert (COMPOSE_DIR / mounts["/docker-entrypoint-initdb.d"]).resolve() == INITDB_SQL.parent.resolve()


# -- Dockerfile -------------------------------------------------------------------------------------


def dockerfile_stages() -> list[tuple[str, list[str]]]:
    """(FROM line, instructions) per stage, with continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append((line, []))
        elif stages:
            stages[-1][1].append(line)
    return stages


def test_dockerfile_builds_all_products_and_copies_sql():
    stages = dockerfile_stages()
    assert len(stages) == 2
    (build_from, build), (run_from, runtime) = stages
    assert build_from.endswith(" AS build") and "SWIFT_IMAGE" in build_from
    default_image = re.search(r"ARG SWIFT_IMAGE=(\S+)", DOCKERFILE.read_text()).group(1)
    assert re.fullmatch(r"swift:6\.\d+-bookworm", default_image)
    assert run_from.startswith("FROM debian:bookworm-slim")

    build_text = "\n".join(build)
    for package in ("libnats-dev", "libpq-dev", "libcurl4-openssl-dev", "zlib1g-dev"):
        assert package in build_text
    assert "swift build -c release --static-swift-stdlib" in build_text

    products = set(re.findall(r'\.executable\(name: "([^"]+)"', (REPO / "Package.swift").read_text()))
    # The image ships the three service executables; projection-bench is a development tool.
    shipped = {"projection-ingest", "projection-migrate", "projection-query"}
    assert shipped <= products
    for product in shipped:
        assert product in build_text

    runtime_text = "\n".join(runtime)
    for package in ("libnats3.4", "libpq5", "libcurl4", "ca-certificates", "curl"):
        assert re.search(rf"\s{re.escape(package)}(\s|$)", runtime_text), package
    assert "COPY --from=build /out/bin/ /usr/local/bin/" in runtime
    assert "COPY sql/ /app/sql/" in runtime
    assert "WORKDIR /app" in runtime
    user = [line.split()[1] for line in runtime if line.startswith("USER ")]
    assert user and user[-1].split(":")[0] not in ("root", "0")


def test_dockerignore_keeps_local_state_out_of_the_context():
    ignored = {line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".build", ".dev"} <= ignored
    for needed in ("sql", "Sources", "Package.swift", "compose", "Tests"):
        assert needed not in ignored


# -- secrets ----------------------------------------------------------------------------------------


def test_no_plaintext_secret_beyond_the_dev_defaults(services):
    for name, service in services.items():
        for key, value in env_of(service).items():
            if key.endswith("_DSN") or "://" in value:
                _, _, password = dsn_credentials(value)
                assert password in DEV_PASSWORDS | {""}, f"{name}.{key}"
            elif "PASSWORD" in key or "SECRET" in key or "TOKEN" in key:
                assert value in DEV_PASSWORDS, f"{name}.{key}"
    for path in (COMPOSE_FILE, USERS_XML, INITDB_SQL, COMPOSE_DIR / "nginx.conf", DOCKERFILE):
        text = path.read_text()
        for literal in re.findall(r"PASSWORD\s+'([^']*)'", text, re.I):
            assert literal in DEV_PASSWORDS, path
        assert not re.search(r"<password>[^<]+</password>", text), path
        assert not re.search(r"password_sha256_hex>[^<]+<", text), path
    readme = (COMPOSE_DIR / "README.md").read_text()
    for password in DEV_PASSWORDS:
        assert password in readme, "the dev defaults are documented"
