import Foundation

/// The `evo` projection in four versions, as annotated protos the evolution tests compile with `protoc` into a
/// temporary directory (nothing committed to keep in sync). Each version is one upgrade step of
/// `SchemaEvolutionTests`:
///
/// - v1: `views` (append; partition, TTL 3650 days, a nullable column with codec ZSTD(3)) and `item_totals`
///   (aggregate, one measure), both fed by `evo.item_viewed.v1`.
/// - v2, additive: a new fact binding `evo.item_purchased.v1`, which feeds the existing `item_totals` (key
///   columns) and two **new measures** there, and a **new table** `purchases`; `views` gets a **nullable column**
///   (`session_id`), a **non-null column with its default** (`position`, optional in the fact: absent is 0), a
///   **codec change** (`referrer` to ZSTD(5)) and a **TTL change** (7300 days).
/// - v3: the sort key of `views` changes: Postgres replaces the sort index (additive); ClickHouse must recreate
///   the table (destructive).
/// - v4, destructive on both stores: `views.referrer` is dropped, `views.position` becomes int64, the table
///   `purchases` is dropped (the purchase facts still feed `item_totals`), and `item_totals.revenue_cents` becomes a
///   MAX (an aggregate change: the table is recreated; fed by one fact type, the loader makes it nullable).
enum EvolutionProjection {
    static let versions = 1...4

    static func proto(_ version: Int) -> String {
        precondition(versions.contains(version))
        let v2 = version >= 2
        let sortKey = version >= 3 ? (view: 3, item: 2) : (view: 2, item: 0)
        var out = """
            syntax = "proto3";
            package evolution.v\(version);
            import "google/protobuf/timestamp.proto";
            import "projection/v1/annotations.proto";

            service EvoProjection {
              option (projection.v1.projection) = {
                name: "evo"
                facts: { type: "evo.item_viewed.v1" ref: "viewed" idempotency_key: "view_id" }

            """
        if v2 { out += "    facts: { type: \"evo.item_purchased.v1\" ref: \"purchased\" idempotency_key: \"purchase_id\" }\n" }
        out += """
              };
            }

            message View {
              option (projection.v1.table) = {
                name: "views"
                kind: TABLE_KIND_APPEND
                partition_by: { column: "viewed_at" granularity: PARTITION_GRANULARITY_MONTH }
                ttl: { column: "viewed_at" days: \(v2 ? 7300 : 3650) }
              };
              string tenant_id = 1 [(projection.v1.column) = {
                low_cardinality: true sort_key_order: 1
                source: { fact: "viewed" envelope: ENVELOPE_ATTRIBUTE_TENANT }
              }];
              string view_id = 2 [(projection.v1.column) = {
                sort_key_order: \(sortKey.view) source: { fact: "viewed" data: "view_id" }
              }];
              google.protobuf.Timestamp viewed_at = 3 [(projection.v1.column) = {
                source: { fact: "viewed" envelope: ENVELOPE_ATTRIBUTE_TIME }
              }];
              string item_id = 4 [(projection.v1.column) = {
                \(sortKey.item > 0 ? "sort_key_order: \(sortKey.item) " : "")source: { fact: "viewed" data: "item_id" }
              }];

            """
        if version < 4 {
            out += """
                  string referrer = 5 [(projection.v1.column) = {
                    nullable: true codec: "ZSTD(\(v2 ? 5 : 3))" source: { fact: "viewed" data: "referrer" }
                  }];

                """
        }
        if v2 {
            out += """
                  string session_id = 6 [(projection.v1.column) = {
                    nullable: true source: { fact: "viewed" data: "session_id" }
                  }];
                  \(version >= 4 ? "int64" : "int32") position = 7 [(projection.v1.column) = {
                    source: { fact: "viewed" data: "position" required: false }
                  }];

                """
        }
        out += """
            }

            message ItemTotals {
              option (projection.v1.table) = {
                name: "item_totals"
                kind: TABLE_KIND_AGGREGATE
                primary_key: ["tenant_id", "item_id"]
              };
              string tenant_id = 1 [(projection.v1.column) = {
                source: { fact: "viewed" envelope: ENVELOPE_ATTRIBUTE_TENANT }
                \(v2 ? "source: { fact: \"purchased\" envelope: ENVELOPE_ATTRIBUTE_TENANT }" : "")
              }];
              string item_id = 2 [(projection.v1.column) = {
                source: { fact: "viewed" data: "item_id" }
                \(v2 ? "source: { fact: \"purchased\" data: \"item_id\" }" : "")
              }];
              int64 views = 3 [(projection.v1.column) = {
                aggregate: AGGREGATE_FUNCTION_SUM source: { fact: "viewed" constant: "1" }
              }];

            """
        if v2 {
            out += """
                  int64 purchases = 4 [(projection.v1.column) = {
                    aggregate: AGGREGATE_FUNCTION_SUM source: { fact: "purchased" constant: "1" }
                  }];
                  int64 revenue_cents = 5 [(projection.v1.column) = {
                    aggregate: AGGREGATE_FUNCTION_\(version >= 4 ? "MAX" : "SUM") source: { fact: "purchased" data: "amount_cents" }
                  }];

                """
        }
        if (2...3).contains(version) {
            out += """
                }

                message Purchase {
                  option (projection.v1.table) = {
                    name: "purchases"
                    kind: TABLE_KIND_APPEND
                  };
                  string tenant_id = 1 [(projection.v1.column) = {
                    sort_key_order: 1 source: { fact: "purchased" envelope: ENVELOPE_ATTRIBUTE_TENANT }
                  }];
                  string purchase_id = 2 [(projection.v1.column) = {
                    sort_key_order: 2 source: { fact: "purchased" data: "purchase_id" }
                  }];
                  string item_id = 3 [(projection.v1.column) = {
                    source: { fact: "purchased" data: "item_id" }
                  }];
                  int64 amount_cents = 4 [(projection.v1.column) = {
                    source: { fact: "purchased" data: "amount_cents" }
                  }];
                  google.protobuf.Timestamp purchased_at = 5 [(projection.v1.column) = {
                    source: { fact: "purchased" envelope: ENVELOPE_ATTRIBUTE_TIME }
                  }];

                """
        }
        out += "}\n"
        return out
    }

    /// Compiles every version into `directory` (`evo_v<N>.binpb`) and returns the paths, v1 first.
    static func compile(into directory: URL) throws -> [Int: String] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let environment = ProcessInfo.processInfo.environment
        let protoc = environment["PROTOC"] ?? "protoc"
        let include = environment["PROTOC_INCLUDE"] ?? "/usr/include"
        var paths: [Int: String] = [:]
        for version in versions {
            let file = "evo_v\(version).proto"
            try Data(proto(version).utf8).write(to: directory.appendingPathComponent(file))
            let out = directory.appendingPathComponent("evo_v\(version).binpb").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                protoc, "-I", directory.path, "-I", StoreFixture.repositoryRoot.appendingPathComponent("proto").path, "-I", include,
                "--include_imports", "--include_source_info", "--descriptor_set_out=\(out)", file,
            ]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ProtocFailure(message: "protoc \(file): " + String(decoding: message, as: UTF8.self))
            }
            paths[version] = out
        }
        return paths
    }

    struct ProtocFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
