"""Seeded generator of annotated projections and facts, and the independent model of what the stores
must hold afterwards (the value domains and parity rules of notes/SPEC-13, issue 13).

Nothing here talks to a server: `generate(seed, features)` returns a `Projection` (its .proto text and
the schema as plain data) and `facts(...)` the facts to publish; `Model` replays them in stream order.
"""
from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, getcontext

getcontext().prec = 200  # decimals are exact here: never rounded by the context (38 digits + sums)

ALL_FEATURES = {
    "decimal",       # DECIMAL(p,s) columns and measures
    "minmax_null",   # MIN/MAX measures some fact type does not source (or optional): NULL until fed
    "ties",          # LATEST versions drawn from small pools: equal versions, the later fact wins
    "composite",     # idempotency_key_parts with data and envelope parts
    "exception",     # strings that look like ClickHouse / Postgres exceptions
    "key_limits",    # primary-key strings at 2000 bytes and idempotency keys at 1000 bytes (and one past)
    "partition",     # partition_by on a date/timestamp column
    "ttl",           # ttl on a date/timestamp column, long enough that no domain value has expired (its expression must not wrap)
    "bool_constant", # constant "true"/"false" into bool columns
    "hostile",       # out-of-domain values (quarantined)
    "kill",          # a share of runs kill -9 the ingest mid-way
    "optimize",      # ClickHouse OPTIMIZE ... FINAL, then read and hash again
    "nul",           # strings (data, keys, subject) holding U+0000 (quarantined)
    "narrow_sum",    # SUM over int32 / decimal(p<38) in a table that also has MIN/MAX measures
    "long_literals", # number literals longer than 17 significant digits (must round correctly)
    "float17",       # 17-significant-digit doubles (shortest round-trip texts of random doubles)
    "int_exponent",  # integers written with a fraction or exponent (5.000, 42E0, 9.2e18): exactly integral
    "sum_overflow",  # SUM measures fed values near a tenth of their bound (one sign per column): totals leave the
                     # domain, and the fact that makes them is quarantined as store_rejected naming the column
    "sum_mixed",     # with sum_overflow: some columns fed values of both signs near a quarter of their bound, so a total
                     # leaves its domain mid-batch while the batch's net fits: the fact that takes the running total out
                     # is refused, wherever batches end (the model applies facts one by one)
    "ts_forms",      # RFC 3339 forms beyond the common one: t / z, a space, 9-digit fractions, leap seconds (23:59:60 UTC
                     # under any offset; :60 at another minute is refused)
    "data_message",  # bindings declare data_message (a message tree of their paths, some custom json_names); producers
                     # write fields as proto names or json names, a few under both (the annotated one wins)
    "encoding",      # non-ASCII characters written as JSON \\u escapes (surrogate pairs included); hostile: a truncated
                     # UTF-8 sequence or a lone surrogate (the body is no JSON: quarantined whole)
    "tenant_edges",  # a 256-byte tenant (the longest); hostile: 257 bytes, a NUL (refused naming tenantid)
    "key_types",     # aggregate keys of uint64 and decimal(18,2), partition_by a key column of aggregate tables, and
                     # aggregate / latest sort keys in another order than their primary key
    "float_keys",    # float64 aggregate and latest key columns, drawn from small pools of one double in several notations
                     # (0.1 / 0.10 / 1e-1 / "0.1", 0 / -0.0 / "-0", 1e21 / 1000000000000000000000, the extremes)
    "number_strings", # numbers in strings beyond the common forms: "007", "-0", "1E+2" (the same numbers); hostile: "+5",
                     # ".5", "5.", "0x10", "0x1p3", " 1", "Infinity" (refused naming the field, in every numeric column)
    "append_sort",   # append tables sorted by value columns drawn from small pools (ties), not only (tenant, sequence);
                     # queries order by the sort key, then the sequence, as a user writes a deterministic page
    "key_notation",  # integer idempotency keys in other notations (7.0, 70e-1, "7", -0, 7e25): one key each; 7.5 refused
    "number_overflow", # JSON number literals beyond double range (1e400): quarantined naming the field
    "int64_min",     # -9223372036854775808 (the int64 lower bound, inside the domain)
    "domain",        # well-formed values one past a domain bound (dates 1969/2149-06-07, 2^63, 1e400, too many digits)
    "query",         # a query RPC per table (projection-query on both stores, JSON / binary / the official client)
}

EPOCH = dt.date(1970, 1, 1)
# A TTL no domain value has reached yet (1900-01-01 + 50,000 days is 2036-11-24), so both stores keep every
# row: what it tests is that ClickHouse's expression does not wrap (a 2150 timestamp expired on insert).
TTL_DAYS = 50_000
DATE_MIN, DATE_MAX = 0, (dt.date(2149, 6, 6) - EPOCH).days
TS_MIN = (dt.date(1900, 1, 1) - EPOCH).days * 86_400_000
TS_MAX = (dt.date(2300, 1, 1) - EPOCH).days * 86_400_000 - 1
I32 = (-2**31, 2**31 - 1)
I64 = (-2**63, 2**63 - 1)
U64 = (0, 2**63 - 1)
ENVELOPE_NAMES = {"id": "ID", "time": "TIME", "subject": "SUBJECT", "tenant": "TENANT",
                  "stream_sequence": "STREAM_SEQUENCE", "source": "SOURCE", "type": "TYPE"}


class Num:
    """A JSON number written exactly as `text` (so 1e400, 9.2e18 or 30-digit literals survive)."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = str(text)

    def __repr__(self):
        return f"Num({self.text})"

    def __eq__(self, other):
        return isinstance(other, Num) and other.text == self.text

    def __hash__(self):
        return hash(("num", self.text))


def to_json(value) -> str:
    """Compact JSON; `Num` verbatim, strings with json's escaping (NUL becomes \\u0000)."""
    import json
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Num):
        return value.text
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ",".join(to_json(k) + ":" + to_json(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    raise TypeError(type(value))


# ----------------------------------------------------------------------------- column types

@dataclass(frozen=True)
class CType:
    name: str            # string int32 int64 uint64 float64 bool date timestamp decimal
    p: int = 0
    s: int = 0

    def __str__(self):
        return f"decimal({self.p},{self.s})" if self.name == "decimal" else self.name

    @property
    def numeric(self):
        return self.name in ("int32", "int64", "uint64", "float64", "decimal")


def zero(t: CType):
    return {"string": "", "int32": 0, "int64": 0, "uint64": 0, "float64": 0.0, "bool": False,
            "date": 0, "timestamp": 0, "decimal": Decimal(0)}[t.name]


class Reject(Exception):
    def __init__(self, code, field, detail=""):
        super().__init__(f"{code}: {field}: {detail}")
        self.code, self.field, self.detail = code, field, detail


# ASCII digits only and the whole string (`\Z` or fullmatch): `\d` takes any Unicode digit and `$` a
# trailing newline, which the stores refuse.
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_TS = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})\Z")
_INT_STR = re.compile(r"-?[0-9]+")
_FLOAT_STR = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_PLAIN_DEC = re.compile(r"^(-?)([0-9]+)(?:\.([0-9]+))?\Z")


def days_of(y, m, d):
    try:
        return (dt.date(y, m, d) - EPOCH).days
    except ValueError:
        return None


def parse_ts(text):
    """RFC 3339 (Z or offset; `t`, `z` and a space as RFC 3339 5.6's note allows) -> epoch ms, fraction
    truncated; None when not a valid timestamp. A leap second (:60) is taken only at 23:59 UTC, as 23:59:59."""
    m = _TS.match(text) if isinstance(text, str) else None
    if not m:
        return None
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    days = days_of(y, mo, d)
    if days is None or h > 23 or mi > 59 or s > 60:
        return None
    frac = (m.group(7) or ".")[1:]
    ms = int((frac + "000")[:3])
    off = 0
    if m.group(8) not in ("Z", "z"):
        oh, om = int(m.group(8)[1:3]), int(m.group(8)[4:6])
        if oh > 23 or om > 59:
            return None
        off = (oh * 60 + om) * 60_000 * (1 if m.group(8)[0] == "+" else -1)
    if s == 60:
        if ((h * 60 + mi) - off // 60_000) % 1440 != 1439:
            return None
        s = 59
    return days * 86_400_000 + ((h * 60 + mi) * 60 + s) * 1000 + ms - off


def convert(raw, t: CType, transform: str, fld: str):
    """The spec's value domains: the column value, or raise Reject naming `fld`."""
    bad = lambda why: Reject("invalid_value", fld, why)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = Num(repr(raw))  # a plain Python number in hand-written data is a JSON number
    if transform in ("to_date", "to_hour"):
        ms = parse_ts(raw)
        if ms is None:
            raise bad("not a timestamp")
        if transform == "to_date":
            days = ms // 86_400_000
            if not DATE_MIN <= days <= DATE_MAX:
                raise bad("date out of domain")
            return days
        hour = ms // 3_600_000 * 3_600_000
        if not TS_MIN <= hour <= TS_MAX:
            raise bad("timestamp out of domain")
        return hour
    n = t.name
    if n == "string":
        if not isinstance(raw, str):
            raise bad("not a string")
        if "\x00" in raw:
            raise bad("NUL")
        return raw
    if n in ("int32", "int64", "uint64"):
        lo, hi = {"int32": I32, "int64": I64, "uint64": U64}[n]
        if isinstance(raw, Num):
            try:
                d = Decimal(raw.text)
            except InvalidOperation:
                raise bad("not a number")
            if d != d.to_integral_value():
                raise bad("not integral")
            v = int(d)
        elif isinstance(raw, str) and _INT_STR.fullmatch(raw):
            v = int(raw)
        else:
            raise bad("not an integer")
        if not lo <= v <= hi:
            raise bad("out of domain")
        return v
    if n == "float64":
        if isinstance(raw, Num):
            v = float(raw.text)
        elif isinstance(raw, str) and _FLOAT_STR.fullmatch(raw):
            v = float(raw)
        else:
            raise bad("not a number")
        if v != v or v in (float("inf"), float("-inf")):
            raise bad("not finite")
        return v + 0.0  # -0.0 -> 0.0
    if n == "bool":
        if raw is True or raw is False:
            return raw
        raise bad("not a bool")
    if n == "date":
        if isinstance(raw, str) and _DATE.match(raw):
            y, mo, d = (int(x) for x in raw.split("-"))
            days = days_of(y, mo, d)
        else:
            ms = parse_ts(raw)
            days = None if ms is None else ms // 86_400_000
        if days is None:
            raise bad("not a date")
        if not DATE_MIN <= days <= DATE_MAX:
            raise bad("date out of domain")
        return days
    if n == "timestamp":
        ms = parse_ts(raw)
        if ms is None:
            raise bad("not a timestamp")
        if not TS_MIN <= ms <= TS_MAX:
            raise bad("timestamp out of domain")
        return ms
    if n == "decimal":
        text = raw.text if isinstance(raw, Num) else raw if isinstance(raw, str) else None
        m = _PLAIN_DEC.match(text) if text is not None else None
        if not m:
            raise bad("not a plain decimal")
        ints, frac = m.group(2).lstrip("0"), m.group(3) or ""
        if len(ints) > t.p - t.s:
            raise bad("too many integer digits")
        if frac[t.s:].strip("0"):
            raise bad("too many fraction digits")
        return Decimal(text) + 0
    raise AssertionError(n)


# ----------------------------------------------------------------------------- schema

@dataclass
class Source:
    fact: str                 # binding ref
    kind: str                 # data | envelope | constant
    value: str                # path, envelope attribute name, or literal
    transform: str = "none"   # none | to_date | to_hour
    required: bool | None = None

    def is_required(self, column):
        return self.required if self.required is not None else not column.nullable


@dataclass
class Column:
    name: str
    type: CType
    nullable: bool = False
    aggregate: str | None = None  # sum | min | max
    sources: dict = field(default_factory=dict)  # ref -> Source
    low_cardinality: bool = False
    codec: str | None = None
    proto_field: str = "string"   # proto field type to declare
    row_field: str = ""           # the field type in the query RPC's row message (Projection.with_queries)


@dataclass
class Table:
    name: str
    kind: str                 # append | aggregate | latest
    columns: list
    primary_key: list
    version: str | None = None
    partition: tuple | None = None  # (column, MONTH|DAY)
    sort_key: list = field(default_factory=list)  # sort_key_order: an append table's order, else a permutation of the key
    ttl: str | None = None    # the TTL column (TTL_DAYS days)

    def col(self, name):
        return next(c for c in self.columns if c.name == name)

    @property
    def order_key(self):
        """The columns rows are ordered by: the primary key, or an append table's sort key."""
        return self.primary_key or self.sort_key

    @property
    def refs(self):
        out = []
        for c in self.columns:
            for r in c.sources:
                if r not in out:
                    out.append(r)
        return out


@dataclass
class Filter:
    """A filter parameter of a ListTable RPC: request field `name` on `column`, of `kind` (Projection.FILTER_KINDS)."""
    name: str
    column: "Column"
    kind: str


@dataclass
class Binding:
    ref: str
    type: str
    key_path: str | None = None
    key_parts: list | None = None  # [("data", path) | ("envelope", attr)]
    data_paths: dict = field(default_factory=dict)  # path -> value kind (a generator hint)
    # data_message: the message describing `data` ({component: subtree | None for a leaf}), and per data path
    # each component's other ProtoJSON spelling (None: the same) and the custom json_names given
    data_tree: dict | None = None
    alts: dict = field(default_factory=dict)
    custom_json: dict = field(default_factory=dict)


@dataclass
class Projection:
    seed: int
    name: str
    package: str
    bindings: list
    tables: list
    features: set

    queries: bool = False
    filters: dict = field(default_factory=dict)  # table index -> [Filter] (Projection.with_queries)

    def binding(self, ref):
        return next(b for b in self.bindings if b.ref == ref)

    def data_message_name(self, b):
        return f"Fact{self.bindings.index(b)}Data"

    def data_messages(self) -> list:
        """The data messages of the bindings that declare one (leaves are strings: only paths are checked)."""
        out = []
        for b in self.bindings:
            if b.data_tree is None:
                continue
            pending = [(self.data_message_name(b), (), b.data_tree)]
            counter = 0
            while pending:
                name, prefix, node = pending.pop(0)
                out.append(f"message {name} {{")
                for n, (field_name, child) in enumerate(sorted(node.items()), start=1):
                    custom = b.custom_json.get(prefix + (field_name,))
                    option = f' [json_name = "{custom}"]' if custom else ""
                    if child is None:
                        out.append(f"  string {field_name} = {n}{option};")
                    else:
                        counter += 1
                        child_name = f"{self.data_message_name(b)}M{counter}"
                        out.append(f"  {child_name} {field_name} = {n}{option};")
                        pending.append((child_name, prefix + (field_name,), child))
                out += ["}", ""]
        return out

    # ------------------------------------------------------------------ query RPCs
    @staticmethod
    def row_optional(c):
        """Row fields that may be NULL are proto3 `optional`, so NULL (absent) differs from a zero."""
        return c.nullable or c.aggregate in ("min", "max")

    def with_queries(self):
        """Adds a query RPC per table: `ListTable<i>` answers the caller's tenant's rows in key order (an append
        table's: its sort key, then the sequence), `limit` bounded by a param option. Row field types are drawn
        from a generator of their own, so the tables (and every earlier seed's projection) stay as they were."""
        rng = random.Random(self.seed * 131 + 7)
        for t in self.tables:
            for c in t.columns:
                # Every wire encoding of the column's values: varint, zigzag and fixed width.
                c.row_field = rng.choice({"string": ["string"], "int32": ["int32", "sint32", "sfixed32"],
                                          "int64": ["int64", "sint64", "sfixed64"], "uint64": ["uint64", "fixed64"],
                                          "float64": ["double"], "bool": ["bool"], "date": ["string"], "decimal": ["string"],
                                          "timestamp": ["google.protobuf.Timestamp", "string"]}[c.type.name])
        self.queries = True
        # Filter parameters, drawn by a generator of their own so row fields stay as they were.
        frng = random.Random(self.seed * 137 + 11)
        self.filters = {i: self.draw_filters(t, frng) for i, t in enumerate(self.tables)}
        return self

    # Filter parameter kinds per column type: (proto field declaration, absent means "no filter").
    FILTER_KINDS = {
        "string": ["string"], "int32": ["int64"], "int64": ["int64"], "uint64": ["uint64"], "bool": ["bool"],
        "date": ["date"], "timestamp": ["timestamp", "timestamp_text"], "decimal": ["decimal"],
    }

    def draw_filters(self, t, rng):
        """Up to four `optional` filter fields of ListTable<i>Request, each on one column: `f_<column>`. Only key
        columns of aggregate and latest tables (ClickHouse filters before folding parts), any column of append tables;
        never tenant_id or float64, no integer filter on a column that may be NULL. Absent, each filter keeps every
        row, so `{}` answers the whole table."""
        keys = set(t.order_key) if t.kind != "append" else {c.name for c in t.columns}
        # `c >= <smallest value>` drops NULLs: integer filters only on columns that are never NULL.
        candidates = [c for c in t.columns if c.name != "tenant_id" and c.name in keys and c.type.name in self.FILTER_KINDS
                      and not (self.row_optional(c) and self.FILTER_KINDS[c.type.name][0] in ("int64", "uint64"))]
        rng.shuffle(candidates)
        return [Filter(f"f_{c.name}", c, rng.choice(self.FILTER_KINDS[c.type.name])) for c in candidates[:rng.randint(1, 4)]]

    def filter_clause(self, f, store: str) -> str:
        """The WHERE condition of one filter, on both stores the same: `=` for strings (byte equality), `>=` for
        numbers, dates and times (NULL columns never match), `NOT f OR c` for bools."""
        c, n = f.column.name, f.name
        ch = store == "clickhouse"
        if f.kind == "string":
            return f"({{{n}:String}} = '' OR {c} = {{{n}:String}})" if ch else f"({{{n}}} = '' OR {c} = {{{n}}})"
        if f.kind == "int64":
            return f"{c} >= {{{n}:Int64}}" if ch else f"{c} >= {{{n}}}"
        if f.kind == "uint64":
            return f"{c} >= {{{n}:UInt64}}" if ch else f"{c} >= {{{n}}}"
        if f.kind == "bool":
            return f"(NOT {{{n}:Bool}} OR {c})" if ch else f"(NOT {{{n}}} OR {c})"
        if f.kind == "decimal":
            s = f.column.type.s
            return (f"({{{n}:String}} = '' OR {c} >= toDecimal128OrNull({{{n}:String}}, {s}))" if ch
                    else f"({{{n}}} = '' OR {c} >= CAST(NULLIF({{{n}}}, '') AS numeric))")
        # date / timestamp: absent binds NULL (Nullable placeholders on ClickHouse, a cast for Postgres' IS NULL).
        if ch:
            typ = "Nullable(Date)" if f.kind == "date" else "Nullable(DateTime64(3, 'UTC'))"
            return f"({{{n}:{typ}}} IS NULL OR {c} >= {{{n}:{typ}}})"
        cast = "date" if f.kind == "date" else "timestamptz"
        return f"({{{n}}}::{cast} IS NULL OR {c} >= {{{n}}})"

    @staticmethod
    def filter_field(f, number: int) -> str:
        decl = {"string": "optional string", "int64": "optional int64", "uint64": "optional uint64", "bool": "optional bool",
                "decimal": "optional string", "date": "optional string", "timestamp": "optional google.protobuf.Timestamp",
                "timestamp_text": "optional string"}[f.kind]
        opts = {"int64": " [(projection.v1.param) = { default_value: -9223372036854775808 }]",
                "date": " [(projection.v1.param) = { type: COLUMN_TYPE_DATE }]",
                "timestamp_text": " [(projection.v1.param) = { type: COLUMN_TYPE_TIMESTAMP }]"}.get(f.kind, "")
        return f"  {decl} {f.name} = {number}{opts};"

    def query_messages(self):
        out = []
        for i, t in enumerate(self.tables):
            out += [f"message ListTable{i}Request {{",
                    "  optional uint32 limit = 1 [(projection.v1.param) = { default_value: 1000 min: 1 max: 1000 }];"]
            out += [self.filter_field(f, n) for n, f in enumerate(self.filters.get(i, []), start=2)]
            out += ["}", "",
                    f"message ListTable{i}Response {{", f"  repeated Table{i}Row rows = 1;", "}", "", f"message Table{i}Row {{"]
            for n, c in enumerate(t.columns, start=1):
                out.append(f"  {'optional ' if self.row_optional(c) else ''}{c.row_field} {c.name} = {n};")
            out += ["}", ""]
        return out

    def query_sql(self, store: str) -> dict:
        """`ListTable<i>.sql` per store, as a user would write them: ClickHouse folds unmerged parts (GROUP BY
        for aggregates, FINAL for LATEST); Postgres holds one row per key; strings order by bytes on both."""
        files = {}
        for i, t in enumerate(self.tables):
            names = [c.name for c in t.columns]
            # An append table's sort key may tie: the sequence after it makes the order total, as a user pages.
            keys = t.order_key + (["seq"] if t.kind == "append" and "seq" not in t.order_key else [])
            if store == "clickhouse":
                order = ", ".join(keys)
                where = " AND ".join(["tenant_id = {tenant_id:String}"] + [self.filter_clause(f, store) for f in self.filters.get(i, [])])
                if t.kind == "aggregate":
                    # int32 and decimal SUMs in the column's type (sumWithOverflow): exact across parts a merge
                    # stored wrapped, where sum() would widen first (docs/ANNOTATIONS.md, "Aggregates").
                    agg = lambda c: "sumWithOverflow" if c.aggregate == "sum" and c.type.name in ("int32", "decimal") else c.aggregate
                    inner = [c.name if c.name in t.primary_key else f"{agg(c)}({c.name}) AS a_{c.name}" for c in t.columns]
                    outer = [c.name if c.name in t.primary_key else f"a_{c.name} AS {c.name}" for c in t.columns]
                    sql = (f"SELECT {', '.join(outer)}\nFROM (\n    SELECT {', '.join(inner)}\n    FROM {t.name}\n    WHERE {where}\n"
                           f"    GROUP BY {order}\n)\nORDER BY {order}\nLIMIT {{limit:UInt32}}\n")
                else:
                    final = " FINAL" if t.kind == "latest" else ""
                    sql = f"SELECT {', '.join(names)}\nFROM {t.name}{final}\nWHERE {where}\nORDER BY {order}\nLIMIT {{limit:UInt32}}\n"
            else:
                order = ", ".join(k + (' COLLATE "C"' if t.col(k).type.name == "string" else "") for k in keys)
                where = " AND ".join(["tenant_id = {tenant_id}"] + [self.filter_clause(f, store) for f in self.filters.get(i, [])])
                sql = f"SELECT {', '.join(names)}\nFROM {t.name}\nWHERE {where}\nORDER BY {order}\nLIMIT {{limit}}\n"
            files[f"ListTable{i}.sql"] = f"-- ListTable{i}: the caller's rows of {t.name} ({t.kind}) in key order.\n" + sql
        return files

    def consumes(self, ref):
        return any(ref in t.refs for t in self.tables)

    # ------------------------------------------------------------------ proto text
    def proto(self) -> str:
        out = ['syntax = "proto3";', "", f"package {self.package};", "",
               'import "google/protobuf/timestamp.proto";', 'import "projection/v1/annotations.proto";', "",
               "service GenQuery {", "  option (projection.v1.projection) = {", f'    name: "{self.name}"']
        for b in self.bindings:
            parts = f'type: "{b.type}" ref: "{b.ref}"'
            if b.key_parts:
                for kind, value in b.key_parts:
                    if kind == "data":
                        parts += f' idempotency_key_parts: {{ data: "{value}" }}'
                    else:
                        parts += f" idempotency_key_parts: {{ envelope: ENVELOPE_ATTRIBUTE_{ENVELOPE_NAMES[value]} }}"
            else:
                parts += f' idempotency_key: "{b.key_path}"'
            if b.data_tree is not None:
                parts += f' data_message: "{self.package}.{self.data_message_name(b)}"'
            out.append(f"    facts: {{ {parts} }}")
        out += ["  };"]
        if self.queries:
            for i in range(len(self.tables)):
                out += [f"  rpc ListTable{i}(ListTable{i}Request) returns (ListTable{i}Response) {{",
                        "    option idempotency_level = NO_SIDE_EFFECTS;", "    option (projection.v1.query) = {};", "  }"]
        out += ["}", ""]
        if self.queries:
            out += self.query_messages()
        for i, t in enumerate(self.tables):
            opts = f'name: "{t.name}" kind: TABLE_KIND_{t.kind.upper()}'
            if t.primary_key:
                opts += " primary_key: [" + ", ".join(f'"{k}"' for k in t.primary_key) + "]"
            if t.version:
                opts += f' version_column: "{t.version}"'
            if t.partition:
                opts += f' partition_by: {{ column: "{t.partition[0]}" granularity: PARTITION_GRANULARITY_{t.partition[1]} }}'
            if t.ttl:
                opts += f' ttl: {{ column: "{t.ttl}" days: {TTL_DAYS} }}'
            out += [f"message Table{i} {{", f"  option (projection.v1.table) = {{ {opts} }};"]
            for n, c in enumerate(t.columns, start=1):
                o = []
                if c.nullable:
                    o.append("nullable: true")
                if c.name in t.sort_key:
                    o.append(f"sort_key_order: {t.sort_key.index(c.name) + 1}")
                if c.aggregate:
                    o.append(f"aggregate: AGGREGATE_FUNCTION_{c.aggregate.upper()}")
                if c.low_cardinality:
                    o.append("low_cardinality: true")
                if c.codec:
                    o.append(f'codec: "{c.codec}"')
                if c.type.name == "date":
                    o.append("type: COLUMN_TYPE_DATE")
                if c.type.name == "timestamp" and c.proto_field == "string":
                    o.append("type: COLUMN_TYPE_TIMESTAMP")
                if c.type.name == "decimal":
                    o.append(f"type: COLUMN_TYPE_DECIMAL decimal_precision: {c.type.p} decimal_scale: {c.type.s}")
                for ref, s in c.sources.items():
                    if s.kind == "data":
                        v = f'data: "{s.value}"'
                    elif s.kind == "envelope":
                        v = f"envelope: ENVELOPE_ATTRIBUTE_{ENVELOPE_NAMES[s.value]}"
                    else:
                        v = "constant: " + to_json(s.value)
                    extra = ""
                    if s.transform != "none":
                        extra += f" transform: SOURCE_TRANSFORM_{s.transform.upper()}"
                    if s.required is not None:
                        extra += f" required: {'true' if s.required else 'false'}"
                    o.append(f'source: {{ fact: "{ref}" {v}{extra} }}')
                body = "\n    ".join(o)
                out.append(f"  {c.proto_field} {c.name} = {n} [(projection.v1.column) = {{\n    {body}\n  }}];")
            out += ["}", ""]
        out += self.data_messages()
        return "\n".join(out)


# ----------------------------------------------------------------------------- generation

VALUE_TYPES = ["string", "int32", "int64", "uint64", "float64", "bool", "date", "timestamp", "decimal"]
MEASURE_TYPES = ["int32", "int64", "uint64", "float64", "decimal"]
ENV_FOR = {  # envelope attributes that may fill a column type (validator: sourceProblem)
    "string": ["id", "subject", "tenant", "source", "type"],
    "uint64": ["stream_sequence"], "int64": ["stream_sequence"],
    "timestamp": ["time"], "date": ["time"],  # date only with to_date
}


class Gen:
    def __init__(self, seed, features):
        self.rng = random.Random(seed)
        self.seed = seed
        self.features = features
        self.path_counter = 0
        self.col_counter = 0

    def ctype(self, choices):
        name = self.rng.choice([c for c in choices if c != "decimal" or "decimal" in self.features])
        if name == "decimal":
            p = self.rng.choice([5, 9, 18, 19, 38, self.rng.randint(4, 38)])
            s = self.rng.randint(0, min(p - 2, 10))
            return CType("decimal", p, s)
        return CType(name)

    def new_path(self):
        self.path_counter += 1
        n = self.path_counter
        depth = self.rng.choice([1, 1, 2, 3])
        head = f"v{n}" if depth == 1 else f"n{n}"
        inner = ["inner", "leaf", "x", "deep"]
        return ".".join([head] + [self.rng.choice(inner) + str(i) for i in range(depth - 1)])

    def col_name(self, t: CType, prefix="c"):
        self.col_counter += 1
        return f"{prefix}{self.col_counter}_{t.name}"

    def proto_field(self, t: CType):
        return {"string": "string", "int32": "int32", "int64": self.rng.choice(["int64", "int64", "uint32"]),
                "uint64": "uint64", "float64": self.rng.choice(["double", "double", "float"]), "bool": "bool",
                "date": "string", "timestamp": self.rng.choice(["google.protobuf.Timestamp", "string"]),
                "decimal": "string"}[t.name]

    def source_for(self, column: Column, ref: str, allow_optional=True, allow_constant=True, allow_envelope=True):
        t, r = column.type, self.rng.random()
        if allow_envelope and r < 0.2 and (t.name in ENV_FOR):
            attr = self.rng.choice(ENV_FOR[t.name])
            transform = "to_date" if t.name == "date" else self.rng.choice(["none", "to_hour"]) if t.name == "timestamp" else "none"
            return Source(ref, "envelope", attr, transform)
        if allow_constant and r < 0.3:
            lit = self.constant(t)
            if lit is not None:
                return Source(ref, "constant", lit)
        transform = "none"
        if t.name == "date" and self.rng.random() < 0.35:
            transform = "to_date"
        if t.name == "timestamp" and self.rng.random() < 0.3:
            transform = "to_hour"
        required = None
        if allow_optional and self.rng.random() < 0.3:
            required = self.rng.random() < 0.3 if not column.nullable else self.rng.choice([None, True, False])
        return Source(ref, "data", self.new_path(), transform, required)

    def constant(self, t: CType):
        n = t.name
        if n == "string":
            return self.rng.choice(["const", "x|y", "Code: 1. DB::Exception: fake" if "exception" in self.features else "c"])
        if n in ("int32", "int64"):
            return str(self.rng.choice([1, -7, 42]))
        if n == "uint64":
            return str(self.rng.choice([1, 3]))
        if n == "float64":
            return self.rng.choice(["1", "0.5", "2.25"])
        if n == "bool":
            return self.rng.choice(["true", "false"]) if "bool_constant" in self.features else None
        if n == "date":
            return self.rng.choice(["2024-02-29", "1970-01-01"])
        if n == "decimal":
            return self.rng.choice(["1", "0.5"]) if t.s >= 1 else "1"
        return None


def generate(seed: int, features: set, composite_supported: bool) -> Projection:
    g = Gen(seed, features)
    rng = g.rng
    nfacts = rng.randint(1, 3)
    bindings = []
    for j in range(nfacts):
        ref = f"f{j + 1}"
        b = Binding(ref, f"gen.s{seed}.f{j + 1}.v1")
        if "composite" in features and composite_supported and rng.random() < 0.5:
            parts = [("data", rng.choice(["id", "meta.id"]))]
            for _ in range(rng.randint(1, 2)):
                parts.append(rng.choice([("envelope", "source"), ("envelope", "id"), ("data", "part2"),
                                         ("envelope", "subject"), ("envelope", "time")]))
            rng.shuffle(parts)
            # one data path per name
            seen, b.key_parts = set(), []
            for p in parts:
                if p not in seen:
                    seen.add(p)
                    b.key_parts.append(p)
        else:
            b.key_path = rng.choice(["id", "meta.id", "k.a.b"])
        bindings.append(b)
    refs = [b.ref for b in bindings]

    tables = []
    for i in range(rng.randint(1, 4)):
        kind = rng.choice(["append", "aggregate", "latest"])
        feeding = rng.sample(refs, rng.randint(1, len(refs)))
        tenant = Column("tenant_id", CType("string"), sources={r: Source(r, "envelope", "tenant") for r in feeding},
                        low_cardinality=rng.random() < 0.3)
        cols, pk, version, partition = [tenant], ["tenant_id"], None, None
        if kind == "append":
            seq = Column("seq", CType("uint64"), sources={r: Source(r, "envelope", "stream_sequence") for r in feeding},
                         codec=rng.choice([None, "Delta, ZSTD", "ZSTD(3)"]), proto_field="uint64")
            cols.append(seq)
            pk.append("seq")  # becomes the sort key below: an append table takes no primary key
        elif kind == "aggregate":
            for _ in range(rng.randint(1, 2)):
                t = g.ctype(["string", "int32", "int64", "bool", "date", "timestamp"])
                c = Column(g.col_name(t, "k"), t, proto_field=g.proto_field(t))
                for r in feeding:
                    s = g.source_for(c, r, allow_optional=False)
                    s.required = None
                    if s.kind == "data":
                        s.value += "_dim"  # dimension paths draw from small pools
                    c.sources[r] = s
                cols.append(c)
                pk.append(c.name)
            # Its own dice (the projections of recorded seeds stay as they were without the features).
            krng = random.Random(f"key-types-{seed}-{i}")
            if "key_types" in features:
                # uint64 and decimal dimensions: other key encodings (the ClickHouse sum guard's RowBinary
                # keys among them). Only data-fed ones: a constant or envelope source fits its first type.
                for c in cols[1:]:
                    if all(x.kind == "data" for x in c.sources.values()) and krng.random() < 0.4:
                        new = {"int32": CType("uint64"), "int64": CType("uint64"),
                               "string": CType("decimal", 18, 2) if "decimal" in features else None}.get(c.type.name)
                        if new is not None:
                            old_name = c.name
                            c.type, c.proto_field = new, "uint64" if new.name == "uint64" else "string"
                            c.name = old_name.replace(old_name.split("_", 1)[1], new.name)
                            pk[pk.index(old_name)] = c.name
            if "float_keys" in features:
                frng = random.Random(f"float-keys-{seed}-{i}")
                for c in cols[1:]:
                    if c.type.name in ("int32", "int64") and all(x.kind == "data" for x in c.sources.values()) and frng.random() < 0.4:
                        old_name = c.name
                        c.type, c.proto_field = CType("float64"), frng.choice(["double", "float"])
                        c.name = old_name.replace(old_name.split("_", 1)[1], "float64")
                        pk[pk.index(old_name)] = c.name
            if "partition" in features and krng.random() < 0.3:
                # A key column only: a key's rows then stay in one partition, so both stores fold them alike.
                temporal = [c for c in cols[1:] if c.type.name in ("date", "timestamp")]
                if temporal and "key_types" in features:
                    partition = (krng.choice(temporal).name, krng.choice(["MONTH", "DAY"]))
        else:
            t = g.ctype(["string", "int64"])
            key = Column(g.col_name(t, "k"), t, proto_field=g.proto_field(t))
            for r in feeding:
                key.sources[r] = Source(r, "data", g.new_path() + "_ent")
            if "float_keys" in features and key.type.name == "int64" and random.Random(f"float-keys-{seed}-{i}").random() < 0.5:
                key.type, key.proto_field = CType("float64"), "double"
                key.name = key.name.replace("_int64", "_float64")
            cols.append(key)
            pk.append(key.name)
            vt = CType(rng.choice(["uint64", "timestamp", "date"]))
            ver = Column(g.col_name(vt, "ver"), vt, proto_field=g.proto_field(vt))
            for r in feeding:
                if vt.name == "uint64" and rng.random() < 0.3:
                    ver.sources[r] = Source(r, "envelope", "stream_sequence")
                elif vt.name == "timestamp" and rng.random() < 0.2:
                    ver.sources[r] = Source(r, "envelope", "time")
                else:
                    ver.sources[r] = Source(r, "data", g.new_path() + "_ver", "to_date" if vt.name == "date" and rng.random() < 0.3 else "none")
            cols.append(ver)
            version = ver.name
        if kind == "aggregate":
            n_measures = rng.randint(1, 3)
            for _ in range(n_measures):
                t = g.ctype(MEASURE_TYPES)
                agg = rng.choice(["sum", "min", "max"])
                if agg == "sum" and t.name == "float64":
                    agg = rng.choice(["min", "max"])  # the loader refuses a double SUM (order-dependent)
                if agg == "sum" and "narrow_sum" not in features and t.name == "int32":
                    t = CType("int64")
                if agg == "sum" and "narrow_sum" not in features and t.name == "decimal":
                    t = CType("decimal", 38, t.s)
                if agg == "sum" and t.name == "decimal" and t.p - t.s < 6:
                    # sums of ~300 facts stay inside the precision (no store overflow)
                    t = CType("decimal", max(t.p, 9), min(t.s, max(t.p, 9) - 6))
                c = Column(g.col_name(t, "m"), t, aggregate=agg, proto_field=g.proto_field(t))
                for r in feeding:
                    unfed_ok = agg == "sum" or "minmax_null" in features
                    if unfed_ok and len(c.sources) > 0 and rng.random() < 0.3:
                        continue  # this fact type does not source the measure
                    if agg == "sum" and rng.random() < 0.25:
                        c.sources[r] = Source(r, "constant", "1")
                        continue
                    s = Source(r, "data", g.new_path() + ("_sum" if agg == "sum" else ""))
                    if unfed_ok and rng.random() < 0.2:
                        s.required = False
                    c.sources[r] = s
                if not c.sources:
                    c.sources[feeding[0]] = Source(feeding[0], "constant", "1")
                if agg == "sum" and "sum_overflow" in features and t.name in ("int32", "int64", "uint64", "decimal"):
                    # Its own dice: the projections of recorded seeds stay as they were without the feature.
                    orng = random.Random(f"sum-overflow-{seed}-{c.name}")
                    if orng.random() < 0.5:
                        # One sign per column, so which fact overflows does not depend on where batches end;
                        # constants add +1, so a column with one only grows.
                        grows = t.name == "uint64" or orng.random() < 0.5 or any(x.kind == "constant" for x in c.sources.values())
                        # sum_mixed (dice of its own): both signs on one column, so a total may leave its domain
                        # in the middle of a batch whose net fits; the fact that takes the running total out is
                        # refused wherever batches end (SumExcursion).
                        mixed = ("sum_mixed" in features and t.name != "uint64" and not any(x.kind == "constant" for x in c.sources.values())
                                 and random.Random(f"sum-mixed-{seed}-{c.name}").random() < 0.6)
                        for x in c.sources.values():
                            if x.kind == "data":
                                x.value += "_bigm" if mixed else ("_bigp" if grows else "_bign")
                cols.append(c)
        else:
            for _ in range(rng.randint(1, 5)):
                t = g.ctype(VALUE_TYPES)
                c = Column(g.col_name(t), t, nullable=rng.random() < 0.4, proto_field=g.proto_field(t),
                           low_cardinality=t.name == "string" and rng.random() < 0.2)
                for r in feeding:
                    if rng.random() < 0.2 and len(feeding) > 1 and c.sources:
                        continue  # unfed by this type
                    c.sources[r] = g.source_for(c, r)
                if not c.sources:
                    c.sources[feeding[0]] = g.source_for(c, feeding[0])
                cols.append(c)
            if "partition" in features and rng.random() < 0.3:
                temporal = [c for c in cols if c.type.name in ("date", "timestamp") and not c.nullable]
                if kind == "latest" and "ties" in features:
                    # docs/ANNOTATIONS.md, "Ties in LATEST tables": a version tie between rows in two
                    # partitions is decided by ClickHouse's part order, so tied tables partition by a
                    # column that cannot move a key (a key column or the version).
                    temporal = [c for c in temporal if c.name in pk or c.name == version]
                if temporal:
                    partition = (rng.choice(temporal).name, rng.choice(["MONTH", "DAY"]))
        ttl = None
        # Its own generator, so the projections of seeds recorded before this feature stay the same.
        ttl_rng = random.Random(f"ttl-{seed}-{i}")
        if "ttl" in features and ttl_rng.random() < 0.4:
            temporal = [c.name for c in cols if c.type.name in ("date", "timestamp") and not c.nullable]
            ttl = ttl_rng.choice(temporal) if temporal else None
        order = cols[len(pk) + (1 if version else 0):]
        rng.shuffle(order)
        cols = cols[:len(pk) + (1 if version else 0)] + order
        if kind == "append":
            sort_key = pk
            # Its own dice (the projections of recorded seeds stay as they were without the feature): a sort key
            # of non-nullable value columns whose data paths draw from small pools, so rows tie on it; the tenant
            # first or not, the sequence last or not.
            arng = random.Random(f"append-sort-{seed}-{i}")
            if "append_sort" in features and arng.random() < 0.6:
                candidates = [c for c in cols if c.name not in ("tenant_id", "seq") and not c.nullable]
                if candidates:
                    chosen = arng.sample(candidates, arng.randint(1, min(2, len(candidates))))
                    for c in chosen:
                        for x in c.sources.values():
                            if x.kind == "data" and not x.value.endswith("_dim"):
                                x.value += "_dim"
                    sort_key = (["tenant_id"] if arng.random() < 0.7 else []) + [c.name for c in chosen]
                    sort_key += ["seq"] if arng.random() < 0.3 else []
            tables.append(Table(f"t{i}_{kind}", kind, cols, [], version, partition, sort_key=sort_key, ttl=ttl))
        else:
            # A sort key in another order than the primary key (the same columns: replacing and summing go by
            # it): ClickHouse's ORDER BY and Postgres's sort index differ from the key. Its own dice.
            srng = random.Random(f"sort-key-{seed}-{i}")
            sort_key = []
            if "key_types" in features and len(pk) > 1 and srng.random() < 0.4:
                sort_key = pk[:]
                while sort_key == pk:
                    srng.shuffle(sort_key)
            tables.append(Table(f"t{i}_{kind}", kind, cols, pk, version, partition, sort_key=sort_key, ttl=ttl))
    if "data_message" in features:
        for b in bindings:
            _declare_data_message(b, tables, random.Random(f"data-message-{seed}-{b.ref}"))
    proj = Projection(seed, f"gen-{seed}", f"gen.s{seed}.v1", bindings, tables, features)
    return proj.with_queries() if "query" in features else proj


def json_name(name: str) -> str:
    """protoc's default json_name: lowerCamelCase of the proto name."""
    out, upper = [], False
    for ch in name:
        if ch == "_":
            upper = True
        elif upper:
            out.append(ch.upper())
            upper = False
        else:
            out.append(ch)
    return "".join(out)


def _declare_data_message(b: Binding, tables, rng):
    """Gives `b` a data message over every data path it is read by (sometimes none: not every binding
    declares one), with a custom json_name on some fields."""
    if rng.random() < 0.3:
        return
    paths = {b.key_path} if b.key_path else {v for k, v in (b.key_parts or []) if k == "data"}
    for t in tables:
        for c in t.columns:
            src = c.sources.get(b.ref)
            if src is not None and src.kind == "data":
                paths.add(src.value)
    tree = {}
    for path in sorted(paths):
        node, parts = tree, path.split(".")
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part in node and ((node[part] is None) != last):
                return  # a path that is a prefix of another: no message can describe both
            if last:
                node[part] = None
            else:
                node = node.setdefault(part, {})
    custom = {}
    def names(prefix, node):
        for name, child in node.items():
            key = prefix + (name,)
            if rng.random() < 0.2:
                custom[key] = json_name(name) + "J"
            if child is not None:
                names(key, child)
    names((), tree)
    b.data_tree, b.custom_json = tree, custom
    for path in paths:
        parts = path.split(".")
        alts = []
        for i, part in enumerate(parts):
            other = custom.get(tuple(parts[:i + 1]), json_name(part))
            alts.append(None if other == part else other)
        b.alts[path] = alts


# ----------------------------------------------------------------------------- values

STRINGS = ["alpha", "", "ünïcødé ✓", "emoji 😀", "quote ' \" \\ back", "tab\tnew\nline", "x|y\\z", "   "]
EXCEPTIONS = ["Code: 1. DB::Exception: Syntax error", "Code: 62. DB::Exception: x (SYNTAX_ERROR)",
              "ERROR:  duplicate key value violates unique constraint", "DB::Exception", "\\N", "NULL",
              "'); DROP TABLE t0; --", "Exception: Code: 27. DB::Exception: Cannot parse input"]
FLOATS17 = ["0.30000000000000004", "1.7976931348623157e308", "2.2250738585072014e-308", "5e-324",
            "-0.0", "123456789.12345679", "0.1000000000000000055511151231257827", "9007199254740993",
            "-1.0000000000000002", "3.141592653589793"]


def _date_text(days):
    return (EPOCH + dt.timedelta(days=days)).isoformat()


def _ts_text(ms, rng):
    d, rem = divmod(ms, 86_400_000)
    base = dt.datetime(1970, 1, 1) + dt.timedelta(days=d, milliseconds=rem)
    text = base.strftime("%Y-%m-%dT%H:%M:%S")
    frac = rng.choice(["", f".{base.microsecond // 1000:03d}", f".{base.microsecond // 1000:03d}999", f".{base.microsecond // 1000:03d}4"])
    if frac == "" and base.microsecond:
        frac = f".{base.microsecond // 1000:03d}"
    if rng.random() < 0.25:  # the same instant written with an offset
        off = rng.choice([-300, 60, 330, -720])
        local = base + dt.timedelta(minutes=off)
        sign = "+" if off >= 0 else "-"
        return local.strftime("%Y-%m-%dT%H:%M:%S") + frac + f"{sign}{abs(off) // 60:02d}:{abs(off) % 60:02d}"
    return text + frac + "Z"


class Values:
    """Random raw JSON values per column type: mostly valid (bounds included), some one past a domain
    bound ("domain"), some of the wrong shape ("hostile")."""

    dirty = True

    def __init__(self, rng, features, hostile_rate, seed=0):
        self.rng, self.features, self.hostile_rate = rng, features, hostile_rate
        # Its own dice: the values of recorded seeds stay as they were without the feature.
        self.forms = random.Random(seed * 15_485_863 + 5) if "ts_forms" in features else None
        self.strings = random.Random(seed * 49_979_687 + 19) if "number_strings" in features else None

    def number_string(self, n):
        """Now and then a number in a string of an unusual form ("number_strings"): a plain one (the
        same number), or, hostile, one that Swift's own parsers took but the documented grammar does not."""
        r = self.strings
        if r is None or r.random() >= 0.04:
            return None
        if self.dirty and "hostile" in self.features and r.random() < 0.5:
            if n == "float64":
                return r.choice(["+1.5", ".5", "5.", "0x10", "0x1p3", " 1", "1 ", "Infinity", "inf", "nan", "1e", "1_0"])
            return r.choice(["+5", "0x10", " 5", "5 ", "1_0", "", "-"])
        if n == "float64":
            return r.choice(["1E+2", "-2.50e-3", "0.10", "1e-1", "-0", "-0.0", "007.5", "0e0"])
        v = r.randrange(0, 4)
        return r.choice([f"00{v}", "-0", f"0{v}"]) if n == "uint64" else r.choice([f"00{v}", "-0", f"-00{v}"])

    def ts_forms(self, text):
        """The same instant in another of the forms RFC 3339 allows."""
        r = self.forms
        if r.random() < 0.15:
            text = text[:10] + r.choice(["t", " "]) + text[11:]
        if text.endswith("Z") and r.random() < 0.15:
            text = text[:-1] + "z"
        if r.random() < 0.1:
            m = re.match(r"^(.{19})(\.\d+)?(.*)$", text)
            text = m.group(1) + ((m.group(2) or ".000") + "123456789")[:10] + m.group(3)
        return text

    def leap_second(self, lo, hi):
        """23:59:60 UTC of a day in lo...hi, in UTC or another offset (or, hostile, :60 at another minute)."""
        r = self.forms
        first, last = -(-lo // 86_400_000), (hi + 1) // 86_400_000 - 1
        day = r.choice([first, last, r.randrange(first, last + 1)])
        frac = r.choice(["", ".5", ".999"])
        off = r.choice([0, 0, -300, 330, 60])
        # Hostile: the local minute one after 23:59 UTC's, under the same offset: no time at all.
        wrong = 1 if self.dirty and "hostile" in self.features and r.random() < 0.3 else 0
        local = dt.datetime(1970, 1, 1) + dt.timedelta(days=day, hours=23, minutes=59) + dt.timedelta(minutes=off + wrong)
        zone = "Z" if off == 0 else f"{'+' if off > 0 else '-'}{abs(off) // 60:02d}:{abs(off) % 60:02d}"
        return local.strftime("%Y-%m-%dT%H:%M") + ":60" + frac + zone

    def bad(self, domain, hostile):
        """A domain or hostile value when the dice say so (and the features allow), else None."""
        if not self.dirty or self.rng.random() >= self.hostile_rate:
            return None
        pool = (domain if "domain" in self.features else []) + (hostile if "hostile" in self.features else [])
        return self.rng.choice(pool) if pool else None

    def ts_range(self):
        # Without "domain", timestamps stay where every transform's date fits too.
        return (TS_MIN, TS_MAX) if "domain" in self.features else (0, (DATE_MAX + 1) * 86_400_000 - 1)

    def value(self, t: CType, transform="none", small=False, summable=False):
        rng, f = self.rng, self.features
        if transform in ("to_date", "to_hour"):
            return self.timestamp(small, transform)
        n = t.name
        if n == "string":
            b = self.bad([], ["a\x00b", "\x00"] * ("nul" in f) + [17, True, {"x": 1}])
            if b is not None:
                return b
            if small:
                # "\u00e9" and "e\u0301" are canonically equivalent but different bytes: different keys in
                # both stores, so never one row (Swift's String == would call them equal).
                return rng.choice(["red", "green", "blue", "ü", "a|b", "\u00e9", "e\u0301", "x" * (rng.choice([1, 5]))])
            pool = STRINGS + (EXCEPTIONS if "exception" in f else [])
            return rng.choice(pool + [f"s{rng.randrange(1000)}"])
        if n in ("int32", "int64", "uint64"):
            lo, hi = {"int32": I32, "int64": I64, "uint64": U64}[n]
            b = self.bad([Num(hi + 1), Num(lo - 1), str(hi + 1)], [Num("1.5"), "12abc", "", True, "0x10", "1.0"] + [Num("1e400")] * ("number_overflow" in f))
            if b is not None:
                return b
            ns = self.number_string(n)
            if ns is not None:
                return ns
            if small:
                return Num(rng.randrange(0 if n == "uint64" else -2, 4))
            if summable is not True and summable == 2:
                # Both signs, a quarter of the bound or a little more: a key's running total wanders out now and then.
                v = rng.choice((1, -1)) * (hi // 4 + rng.randrange(hi // 8))
                return rng.choice([Num(v), str(v)])
            if summable is not True and summable:
                # A tenth of the bound or a little more, one sign: a key's total leaves the domain after seven to ten.
                v = summable * (hi // 10 + rng.randrange(hi // 20))
                return rng.choice([Num(v), str(v)])
            if summable:
                v = rng.randrange(0 if n == "uint64" else -1000, 100_000)
                forms = [Num(v), Num(v), str(v)] + ([Num(f"{v}.0"), Num(f"{v}e0")] if "int_exponent" in f else [])
                return rng.choice(forms)
            v = rng.choice([lo, hi, 0, rng.randrange(lo, hi), rng.randrange(-1000, 1000) if lo < 0 else rng.randrange(1000)])
            if v == I64[0] and "int64_min" not in f:
                v = I64[0] + 1
            forms = [Num(v), Num(v), str(v)]
            if "int_exponent" in f:
                forms += [Num(f"{v}.000"), Num(f"{v}E0") if abs(v) < 10**15 else Num(v),
                          Num("9.2e18") if n != "int32" else Num("2.147483647e9")]
            return rng.choice(forms)
        if n == "float64":
            b = self.bad([Num("1e400"), Num("-1e400")] * ("number_overflow" in f) + ["1e400"], ["NaN", "Infinity", "-Infinity", "nan", "1.5x", True])
            if b is not None:
                return b
            ns = self.number_string(n)
            if ns is not None:
                return ns
            if small:
                # "float_keys": one double in several notations, both zeros, the extremes; keys fold by value.
                return rng.choice([Num("0.1"), Num("0.10"), Num("1e-1"), "0.1", Num("0"), Num("-0.0"), "-0", Num("0.0"),
                                   Num("1e21"), Num("1000000000000000000000"), "1E+21", Num("-2.5"), Num("5e-324"),
                                   Num("1.7976931348623157e308"), Num("3"), Num("3.0")])
            if summable:
                return rng.choice([Num(rng.randrange(-400, 4000) / 4), str(rng.randrange(100) / 2)])
            if "float17" in f:
                pool = FLOATS17 if "long_literals" in f else [x for x in FLOATS17 if len(x.strip("-").replace(".", "").lstrip("0")) <= 17]
                return rng.choice([Num(rng.choice(pool)), Num(repr(rng.uniform(-1e6, 1e6))), Num(repr(rng.random())),
                                   rng.choice(FLOATS17[:3]), Num(rng.randrange(-10, 10)), Num("1e300"),
                                   Num("12345678901234567890") if "long_literals" in f else Num("1234567890123456")])
            return rng.choice([Num(repr(round(rng.uniform(-1e6, 1e6), 4))), Num("0.1"), Num("-0.0"), Num("1e300"), "2.5",
                               Num(rng.randrange(-10, 10)), Num("5e-324"), Num("1.7976931348623157e308")])
        if n == "bool":
            b = self.bad([], ["true", 1, 0, "false", "yes"])
            return b if b is not None else rng.random() < 0.5
        if n == "date":
            b = self.bad(["1969-12-31", "2149-06-07", "1969-12-31T23:59:59Z", "2149-06-06T23:00:00-05:00", "9999-12-31"],
                         ["2023-02-29", "2024-13-01", "2024-00-10", "2024-1-5", "24-01-01", "", 20240101, "2024-01-01 "])
            if b is not None:
                return b
            if small:
                return _date_text(rng.choice([0, 19000, 19001, DATE_MAX]))
            days = rng.choice([DATE_MIN, DATE_MAX, rng.randrange(DATE_MIN, DATE_MAX), 19782, 11016])
            if rng.random() < 0.2:
                return _ts_text(days * 86_400_000 + rng.randrange(86_400_000), rng)
            return _date_text(days)
        if n == "timestamp":
            return self.timestamp(small, "none")
        if n == "decimal":
            big = "9" * (t.p - t.s + 1)
            b = self.bad([big, "-" + big, "1." + "1" * (t.s + 1)], ["1e2", Num("1e2"), "NaN", "0x1A", "+1", ".5", "1.", "", True])
            if b is not None:
                return b
            if summable is not True and summable == 2:
                whole = 10 ** (t.p - t.s)
                ints = str(whole // 4 + rng.randrange(whole // 8))
                frac = "".join(rng.choice("0123456789") for _ in range(t.s))
                text = rng.choice(("", "-")) + ints + ("." + frac if t.s else "")
                return rng.choice([text, Num(text)])
            if summable is not True and summable:
                whole = 10 ** (t.p - t.s)
                ints = str(whole // 10 + rng.randrange(whole // 20))
                frac = "".join(rng.choice("0123456789") for _ in range(t.s))
                text = ("-" if summable < 0 else "") + ints + ("." + frac if t.s else "")
                return rng.choice([text, Num(text)])
            if summable:
                ints = str(rng.randrange(0, 10 ** max(0, min(t.p - t.s - 3, 6))))
            else:
                ints = rng.choice(["0", "9" * (t.p - t.s), str(rng.randrange(10 ** (t.p - t.s))).lstrip("0") or "0"])
            frac = "".join(rng.choice("0123456789") for _ in range(t.s))
            text = ints + ("." + frac if t.s and rng.random() < 0.8 else "")
            if t.s and rng.random() < 0.2:
                text = ints + "." + frac + "000"  # zeros beyond the scale are fine
            if rng.random() < 0.3 and text != "0":
                text = "-" + text
            return rng.choice([text, Num(text), text])
        raise AssertionError(n)

    def timestamp(self, small, transform):
        rng = self.rng
        b = self.bad(["1899-12-31T23:59:59.999Z", "2300-01-01T00:00:00Z", "1900-01-01T00:30:00+01:00"]
                     + (["1969-12-31T23:59:59.999Z", "2149-06-07T00:00:00Z"] if transform == "to_date" else []),
                     ["2024-02-30T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00", "2024-01-01", "garbage",
                      Num(1700000000), "", "2024-01-01T00:00:00+24:00"])
        if b is not None:
            return b
        if small:
            return rng.choice(["2024-03-01T10:15:00Z", "2024-03-01T10:45:59.999Z", "2024-03-02T00:00:00+01:00"])
        lo, hi = self.ts_range()
        if transform == "to_date":
            lo, hi = 0, (DATE_MAX + 1) * 86_400_000 - 1
        ms = rng.choice([lo, hi, 0, rng.randrange(lo, hi), 1_709_251_200_123])
        if ms == TS_MAX and rng.random() < 0.5:
            text = "2299-12-31T23:59:59.999999Z"
        else:
            text = _ts_text(ms, rng)
        if self.forms is None:
            return text
        if self.forms.random() < 0.05:
            return self.leap_second(lo, hi)
        return self.ts_forms(text)


@dataclass
class Fact:
    ref: str
    type: str
    tenant: str | None
    id: str
    source: str
    time: object | None
    subject: object | None
    data: dict
    nats_subject: str = ""
    body: bytes = b""
    bad_body: str | None = None  # why the body is no valid JSON (the fact is quarantined whole)


def set_path(data, path, value):
    parts = path.split(".")
    cur = data
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = value


def get_path(data, path, alts=None):
    """The value at `path`: at each step the member spelled as annotated, else its other spelling (`alts`,
    a binding's data message), as ingest reads it; no step is retried another way."""
    cur = data
    for i, p in enumerate(path.split(".")):
        if not isinstance(cur, dict):
            return None, False
        if p not in cur:
            other = alts[i] if alts else None
            if other is None or other not in cur:
                return None, False
            p = other
        cur = cur[p]
    return cur, True


def set_path_spelled(data, path, value, alts, rng):
    """`set_path` as a producer with a data message writes it: each member under its proto name or its
    json name, now and then the leaf under both, the other spelling holding a decoy (the annotated one wins)."""
    parts = path.split(".")
    spelled = [a if a is not None and rng.random() < 0.5 else p for p, a in zip(parts, alts)]
    cur = data
    for p in spelled[:-1]:
        nxt = cur.setdefault(p, {})
        if not isinstance(nxt, dict):
            return  # another path's leaf took the name: this value is not written
        cur = nxt
    cur[spelled[-1]] = value
    if alts[-1] is not None and spelled[-1] == parts[-1] and rng.random() < 0.1:
        cur[alts[-1]] = "decoy"


def _key_notation(n: int, rng, hostile: bool):
    """The integer key `n` as a producer may write it: the same integer in another notation or as a
    string (one key with `n`), another integer by exponent (`7e25`), or, hostile, a number that is no
    integer (refused naming the field)."""
    # JSON numbers have no leading zeros: forms that would put one before 0 are left out for n = 0.
    if hostile and rng.random() < 0.1:
        return Num(rng.choice([f"{n}.5", f"{n}5e-1" if n else "5e-1"]))
    r = rng.random()
    if r < 0.3:
        return n
    if r < 0.4:
        return str(n)
    forms = [f"{n}.0", f"{n}e0", f"{n}E+0", f"{n}.000", f"{n * 1000}e-3", f"{n}e25"]
    if n:
        forms += [f"{n}0e-1", f"{n}00E-2"]
    else:
        forms += ["-0", "-0.0", "0e5", "0.0e1"]
    return Num(rng.choice(forms))


def _encoded(body: bytes, rng, hostile: bool):
    """The body with its non-ASCII characters written as JSON escapes (`\\u00fc`, a surrogate pair for
    U+1F600), or, hostile, no valid JSON text: a truncated UTF-8 sequence or a lone surrogate escape.
    Answers the body and why it is invalid (None: valid, the same values)."""
    if hostile and rng.random() < 0.05:
        if rng.random() < 0.5:
            return body.replace(b'"specversion"', b'"spec\xc3version"', 1), "invalid_json"
        return body.replace(b'"specversion"', b'"spec\\udc00version"', 1), "invalid_json"
    if rng.random() < 0.3:
        text = body.decode()
        escaped = "".join(ch if ord(ch) < 0x80 or rng.random() < 0.5 else
                          "".join(f"\\u{unit:04x}" for unit in _utf16(ch)) for ch in text)
        return escaped.encode(), None
    return body, None


def _utf16(ch: str):
    code = ord(ch)
    if code < 0x10000:
        return [code]
    code -= 0x10000
    return [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]


def make_facts(proj: Projection, count: int, seed: int, subject_prefix: str, hostile_rate=0.04):
    """Facts in publish order (with redeliveries and key reuse); bodies filled in."""
    rng = random.Random(seed * 7919 + 1)
    vals = Values(rng, proj.features, hostile_rate, seed)
    tenants = ["t1", "t2", "tenant-ü", None]
    # Per (ref, path) the column type and transform, to draw a fitting value.
    wants = {}
    for t in proj.tables:
        for c in t.columns:
            for ref, s in c.sources.items():
                if s.kind == "data":
                    small = s.value.endswith(("_dim", "_ent")) or (s.value.endswith("_ver") and "ties" in proj.features)
                    wants[(ref, s.value)] = (c.type, s.transform, small, c.aggregate == "sum", s.is_required(c) or c.aggregate)
                    if s.value.endswith(("_bigp", "_bign", "_bigm")):
                        wants[(ref, s.value)] = (c.type, s.transform, small, {"_bigp": 1, "_bign": -1, "_bigm": 2}[s.value[-5:]], True)
    keys_used = {}
    # Its own dice: the facts of recorded seeds stay as they were without the feature.
    notation_rng = random.Random(seed * 104_729 + 3)
    spell_rng = random.Random(seed * 1_299_709 + 11)
    tenant_rng = random.Random(seed * 15_485_867 + 13)
    encoding_rng = random.Random(seed * 32_452_843 + 17)
    out = []
    for n in range(count):
        if out and rng.random() < 0.05:  # a redelivery: the very same body again
            f = rng.choice(out)
            out.append(f)
            continue
        b = rng.choice(proj.bindings)
        tenant = rng.choice(tenants)
        if "tenant_edges" in proj.features and tenant_rng.random() < 0.04:
            tenant = "T" * 256  # the longest tenant (the query API's header takes it too)
        data = {}

        def put(data, path, value, b=b):
            if path in b.alts:
                set_path_spelled(data, path, value, b.alts[path], spell_rng)
            else:
                set_path(data, path, value)
        vals.dirty = dirty = rng.random() < 0.35  # the other facts carry no absent or hostile value
        if "tenant_edges" in proj.features and dirty and "hostile" in proj.features and tenant_rng.random() < 0.03:
            tenant = tenant_rng.choice(["T" * 257] + ["t\x00n"] * ("nul" in proj.features))  # refused naming tenantid
        for (ref, path), (t, transform, small, summable, required) in wants.items():
            if ref != b.ref:
                continue
            r = rng.random() if dirty else 1.0
            if r < 0.04:
                continue  # absent
            if r < 0.06:
                put(data, path, None)
                continue
            if path.endswith("_ver") and "ties" not in proj.features:
                # versions unique (almost surely): no tie decides the row
                ms = rng.randrange(0, DATE_MAX * 86_400_000)
                put(data, path, Num(rng.randrange(2**62)) if t.name == "uint64" else
                         _ts_text(ms, rng) if t.name == "timestamp" or transform == "to_date" else _date_text(ms // 86_400_000))
                continue
            if path.endswith("_ent") and t.name == "string" and "key_limits" in proj.features and rng.random() < 0.05:
                limit = 2000 - len((tenant or "").encode())
                put(data, path, "k" * (limit + rng.choice([0, 1])))
                continue
            put(data, path, vals.value(t, transform, small=small, summable=summable))
        # the idempotency key (or its data parts)
        reuse = keys_used.get((b.ref, tenant))
        if reuse and rng.random() < 0.15:
            key = rng.choice(reuse)
        else:
            key = rng.choice([f"key-{n}", f"key|{n}", f"key\\{n}", n, f"ü-{n}", f"\u00e9-{n % 7}", f"e\u0301-{n % 7}"]
                             + [f"Code: 1. DB::Exception: key {n}"] * ("exception" in proj.features))
            if "key_limits" in proj.features and rng.random() < 0.03:
                key = "K" * rng.choice([1000, 1001])
            if dirty and "hostile" in proj.features and rng.random() < 0.02:
                key = rng.choice(["", None, {"x": 1}] + ["k\x00ey"] * ("nul" in proj.features))
            keys_used.setdefault((b.ref, tenant), []).append(key)
        if "key_notation" in proj.features and type(key) is int:
            key_written = _key_notation(key, notation_rng, hostile=dirty and "hostile" in proj.features)
        else:
            key_written = key
        paths = [b.key_path] if b.key_path else [v for k, v in b.key_parts if k == "data"]
        for p in paths:
            if p == "part2":
                put(data, p, rng.choice(["a", "a|b", "b", "a\\", "\\|"]))
            elif key is not None:
                put(data, p, key_written)
        source = rng.choice(["/gen", "/gen|x", "/svc/a", "Code: 1. DB::Exception" if "exception" in proj.features else "/s"])
        fixed = [1_709_251_200_000, 0] if "ties" in proj.features else []
        time = _ts_text(rng.choice(fixed + [rng.randrange(*vals.ts_range())]), rng)
        if dirty and rng.random() < 0.05:
            time = None
        else:
            bad = vals.bad(["2300-01-01T00:00:00Z", "1899-12-31T23:59:59Z"], ["not-a-time", "2024-02-30T00:00:00Z"])
            time = time if bad is None else bad
        subject = None
        if rng.random() < 0.3:
            subject = rng.choice(["subj-1", "subj|2", "a\x00b" if dirty and "nul" in proj.features and rng.random() < 0.1 else "s"])
        f = Fact(b.ref, b.type, tenant, f"ev-{seed}-{n}", source, time, subject, data)
        tok = "default" if tenant is None else "t" + str(tenants.index(tenant)) if tenant in tenants else f"tx{len(tenant)}"
        f.nats_subject = f"{subject_prefix}.{tok}.{b.ref}"
        ev = {"specversion": "1.0", "id": f.id, "source": f.source, "type": f.type}
        if time is not None:
            ev["time"] = time
        if subject is not None:
            ev["subject"] = subject
        ev["datacontenttype"] = "application/json"
        if tenant is not None:
            ev["tenantid"] = tenant
        ev["data"] = data
        f.body = to_json(ev).encode()
        if "encoding" in proj.features:
            f.body, f.bad_body = _encoded(f.body, encoding_rng, hostile=dirty and "hostile" in proj.features)
        out.append(f)
    return out


# ----------------------------------------------------------------------------- the model

def esc(part: str) -> str:
    return part.replace("\\", "\\\\").replace("|", "\\|")


class Model:
    """Replays facts in stream order (sequence = index + 1) by the spec's rules."""

    def __init__(self, proj: Projection):
        self.proj = proj
        self.seen = set()
        self.quarantined = {}   # seq -> list of acceptable field names
        self.applied = []
        self.duplicates = []
        self.rows = {t.name: {} for t in proj.tables}   # table -> key -> row (append: seq key)

    def envelope(self, f: Fact, attr, seq):
        return {"id": f.id, "time": f.time, "subject": f.subject if f.subject is not None else f.nats_subject,
                "tenant": f.tenant or "", "stream_sequence": Num(seq), "source": f.source, "type": f.type}[attr]

    def key_of(self, f: Fact, b: Binding, seq):
        def one(kind, value):
            if kind == "data":
                raw, present = get_path(f.data, value, b.alts.get(value))
                fld = "data." + value
            else:
                raw, present, fld = self.envelope(f, value, seq), True, value
                present = raw is not None
            if not present or raw is None or raw == "":
                raise Reject("missing_field", fld, "key part missing")
            if isinstance(raw, bool) or not isinstance(raw, (str, int, Num)):
                raise Reject("invalid_value", fld, "key must be a string or an integer")
            if isinstance(raw, str) and "\x00" in raw:
                raise Reject("invalid_value", fld, "NUL in key")
            if isinstance(raw, Num):
                # The integer the literal denotes, in canonical digits, whatever its notation.
                exact = Decimal(raw.text)
                if exact != exact.to_integral_value():
                    raise Reject("invalid_value", fld, "key number is no integer")
                return str(int(exact))
            return raw if isinstance(raw, str) else str(raw)
        if b.key_parts:
            key = "|".join(esc(one(k, v)) for k, v in b.key_parts)
            flds = ["data." + v if k == "data" else v for k, v in b.key_parts]
        else:
            key = one("data", b.key_path)
            flds = ["data." + b.key_path]
        if len(key.encode()) > 1000 and "key_limits" in self.proj.features:
            raise Reject("invalid_value", flds, "key longer than 1000 bytes")
        return key

    def map_row(self, f: Fact, t: Table, seq):
        row = {}
        for c in t.columns:
            s = c.sources.get(f.ref)
            if s is None:
                row[c.name] = None if (c.nullable or c.aggregate in ("min", "max")) else zero(c.type)
                if c.aggregate in ("min", "max") and "minmax_null" not in self.proj.features:
                    row[c.name] = zero(c.type)
                continue
            if s.kind == "data":
                raw, present = get_path(f.data, s.value, self.proj.binding(f.ref).alts.get(s.value))
                fld = "data." + s.value
            elif s.kind == "envelope":
                raw, fld = self.envelope(f, s.value, seq), s.value
            else:
                raw, fld = s.value, c.name
            if raw is None:
                if s.is_required(c):
                    raise Reject("missing_field", fld, f"required by {c.name}")
                if c.aggregate in ("min", "max"):
                    row[c.name] = None if "minmax_null" in self.proj.features else zero(c.type)
                else:
                    row[c.name] = None if c.nullable else zero(c.type)
                continue
            if s.kind == "constant" and c.type.name == "bool":
                raw = raw == "true"
            row[c.name] = convert(raw, c.type, s.transform, fld)
        key_strings = [row[k] for k in t.primary_key if isinstance(row[k], str)]
        if sum(len(x.encode()) for x in key_strings) > 2000 and "key_limits" in self.proj.features:
            fields = []
            for k in t.primary_key:
                s = t.col(k).sources.get(f.ref)
                if t.col(k).type.name == "string" and s is not None:
                    fields.append("data." + s.value if s.kind == "data" else s.value if s.kind == "envelope" else k)
            raise Reject("invalid_value", fields, "key strings over 2000 bytes")
        return row

    def apply(self, facts):
        for i, f in enumerate(facts):
            seq = i + 1
            if f.bad_body is not None:
                self.quarantined[seq] = [f.bad_body]
                continue
            b = self.proj.binding(f.ref)
            if not self.proj.consumes(f.ref):
                continue
            problems = []
            tenant = f.tenant or ""
            if len(tenant.encode()) > 256 or "\x00" in tenant:
                problems.append(Reject("invalid_value", "tenantid", "no NUL, at most 256 bytes"))
            key = None
            try:
                key = self.key_of(f, b, seq)
            except Reject as r:
                problems.append(r)
            rows = {}
            for t in self.proj.tables:
                if f.ref not in t.refs:
                    continue
                try:
                    rows[t.name] = self.map_row(f, t, seq)
                except Reject as r:
                    problems.append(r)
                    # collect every failing field of this table, not just the first
                    problems.extend(self._all_problems(f, t, seq))
            if problems:
                names = set()
                for p in problems:
                    names.update(p.field if isinstance(p.field, list) else [p.field])
                self.quarantined[seq] = sorted(names)
                continue
            ident = (f.type, f.tenant or "", key)
            if ident in self.seen:
                self.duplicates.append(seq)
                continue
            # A SUM whose total would leave its column's domain: the store refuses the fact whole (isolated
            # from its batch), naming the column; its key does not count as seen.
            overflowing = self.overflowing(rows)
            if overflowing:
                self.quarantined[seq] = overflowing
                continue
            self.seen.add(ident)
            self.applied.append(seq)
            for t in self.proj.tables:
                if t.name in rows:
                    self.fold(t, rows[t.name], seq)

    SUM_BOUNDS = {"int32": I32, "int64": I64, "uint64": U64}
    PG_CLASS = {"int32": "integer", "int64": "bigint", "uint64": "bigint", "decimal": "numeric"}

    def overflowing(self, rows):
        """The names a store may give for the SUM columns these rows would take out of their domain ([] if
        none): `table.column` (the stores' checks and the batch's own fold) and Postgres's
        `table.{a,b}` for a table whose total overflowed in its upsert."""
        names = []
        for t in self.proj.tables:
            if t.kind != "aggregate" or t.name not in rows:
                continue
            row = rows[t.name]
            old = self.rows[t.name].get(tuple(row[k] for k in t.primary_key))
            sums = [c for c in t.columns if c.aggregate == "sum"]
            for c in sums:
                total = row[c.name] + (old[c.name] if old is not None else 0)
                if c.type.name == "decimal":
                    fits = abs(total) < Decimal(10) ** (c.type.p - c.type.s)
                elif c.type.name in self.SUM_BOUNDS:
                    lo, hi = self.SUM_BOUNDS[c.type.name]
                    fits = lo <= total <= hi
                else:
                    fits = True
                if not fits:
                    names.append(f"{t.name}.{c.name}")
                    # Postgres names the SUM measures of the type its message names (integer, bigint, numeric).
                    same = [x.name for x in sums if self.PG_CLASS.get(x.type.name) == self.PG_CLASS.get(c.type.name)]
                    if len(same) > 1:
                        names.append(f"{t.name}.{{{','.join(same)}}}")
        return sorted(set(names))

    def _all_problems(self, f, t, seq):
        out = []
        for c in t.columns:
            sub = Table(t.name, "append", [c], [])
            try:
                self.map_row(f, sub, seq)
            except Reject as r:
                out.append(r)
        return out

    def fold(self, t: Table, row, seq):
        store = self.rows[t.name]
        if t.kind == "append":
            store[seq] = row
            return
        key = tuple(row[k] for k in t.primary_key)
        if t.kind == "latest":
            old = store.get(key)
            if old is None or (row[t.version], seq) >= (old[0][t.version], old[1]):
                store[key] = (row, seq)
            return
        old = store.get(key)
        if old is None:
            store[key] = dict(row)
            return
        for c in t.columns:
            if c.aggregate == "sum":
                old[c.name] = old[c.name] + row[c.name]
            elif c.aggregate in ("min", "max"):
                a, b = old[c.name], row[c.name]
                if a is None or b is None:
                    old[c.name] = a if b is None else b
                else:
                    old[c.name] = min(a, b) if c.aggregate == "min" else max(a, b)

    def table_rows(self, t: Table):
        """Expected rows as tuples in column order."""
        store = self.rows[t.name]
        rows = store.values() if t.kind != "latest" else (r for r, _ in store.values())
        return [tuple(r[c.name] for c in t.columns) for r in rows]
