@testable import Columnstore
import SwiftProtobuf
import Testing

/// Each validation rule, triggered by editing the orders-analytics descriptors.
@Suite("Schema validation errors")
struct SchemaErrorTests {
    typealias File = Google_Protobuf_FileDescriptorProto
    typealias Message = Google_Protobuf_DescriptorProto
    typealias Field = Google_Protobuf_FieldDescriptorProto

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var code: SchemaError.Code
        /// Text the user-facing description must contain (names the element at fault).
        var mentions: String
        var edit: @Sendable (inout File) -> Void

        var testDescription: String { name }
    }

    static func message(_ name: String, in file: inout File, _ edit: (inout Message) -> Void) {
        let index = file.messageType.firstIndex { $0.name == name }!
        edit(&file.messageType[index])
    }

    static func field(_ name: String, of message: String, in file: inout File, _ edit: (inout Field) -> Void) {
        Self.message(message, in: &file) { message in
            let index = message.field.firstIndex { $0.name == name }!
            edit(&message.field[index])
        }
    }

    static func load(_ edit: (inout File) -> Void) throws -> ProjectionSchema {
        var set = try Google_Protobuf_FileDescriptorSet(
            serializedBytes: OrdersAnalyticsDescriptorSet.bytes, extensions: Projection_V1_Annotations_Extensions
        )
        let index = set.file.firstIndex { $0.name == "orders/analytics/v1/orders_analytics.proto" }!
        edit(&set.file[index])
        let bytes: [UInt8] = try set.serializedBytes()
        return try ProjectionSchema(descriptorSet: bytes)
    }

    static let cases: [Case] = [
        Case(name: "unknown column in primary key", code: .unknownColumn, mentions: "primary_key names unknown column 'nope' of table 'orders'") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.primaryKey = ["tenant_id", "nope"] }
        },
        Case(name: "aggregate table without measures", code: .aggregateWithoutMeasures, mentions: "aggregate table 'daily_sales' has no column") {
            for name in ["order_count", "gross_cents", "refund_cents"] {
                field(name, of: "DailySales", in: &$0) { $0.options.Projection_V1_column.clearAggregate() }
            }
        },
        Case(name: "non-key column without aggregate", code: .invalidMeasure, mentions: "column 'gross_cents' of aggregate table 'daily_sales'") {
            field("gross_cents", of: "DailySales", in: &$0) { $0.options.Projection_V1_column.clearAggregate() }
        },
        Case(name: "SUM of a double", code: .invalidMeasure, mentions: "SUM measure 'gross_cents' of table 'daily_sales' cannot be a double") {
            field("gross_cents", of: "DailySales", in: &$0) { $0.type = .double }
        },
        Case(name: "aggregate outside an aggregate table", code: .invalidMeasure, mentions: "column 'amount_cents' has an aggregate") {
            field("amount_cents", of: "Order", in: &$0) { $0.options.Projection_V1_column.aggregate = .sum }
        },
        Case(name: "latest table without version column", code: .missingVersionColumn, mentions: "latest table 'orders' needs a version_column") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.clearVersionColumn() }
        },
        Case(name: "string version column", code: .invalidVersionColumn, mentions: "version column 'currency'") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.versionColumn = "currency" }
        },
        Case(name: "version column on an aggregate table", code: .invalidVersionColumn, mentions: "only valid on latest tables") {
            message("DailySales", in: &$0) { $0.options.Projection_V1_table.versionColumn = "order_count" }
        },
        Case(name: "source naming an unknown fact", code: .unknownFactType, mentions: "orders.analytics.v1.Order.customer_id") {
            field("customer_id", of: "Order", in: &$0) { $0.options.Projection_V1_column.source[0].fact = "order_cancelled" }
        },
        Case(name: "duplicate table names", code: .duplicateTable, mentions: "table 'orders' is declared twice") {
            message("DailySales", in: &$0) { $0.options.Projection_V1_table.name = "orders" }
        },
        Case(name: "duplicate column names", code: .duplicateColumn, mentions: "column 'order_id' is declared twice") {
            field("customer_id", of: "Order", in: &$0) { $0.options.Projection_V1_column.name = "order_id" }
        },
        Case(name: "missing table kind", code: .missingTableKind, mentions: "table 'orders' needs kind") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.clearKind() }
        },
        Case(name: "tenant taken from the data", code: .invalidTenantColumn, mentions: "table 'orders' needs a tenant column") {
            field("tenant_id", of: "Order", in: &$0) { $0.options.Projection_V1_column.source[0].data = "order_id" }
        },
        Case(name: "aggregate key without the tenant", code: .invalidTenantColumn, mentions: "must include its tenant column 'tenant_id'") {
            message("DailySales", in: &$0) { $0.options.Projection_V1_table.primaryKey = ["day"] }
        },
        Case(name: "append table with a primary key", code: .invalidKey, mentions: "append table 'orders' keeps every fact as a row and takes no primary_key") {
            message("Order", in: &$0) {
                $0.options.Projection_V1_table.kind = .append
                $0.options.Projection_V1_table.clearVersionColumn()
            }
        },
        Case(name: "missing primary key", code: .missingPrimaryKey, mentions: "latest table 'orders' needs a primary_key") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.primaryKey = [] }
        },
        Case(name: "nullable key column", code: .invalidKey, mentions: "primary key column 'order_id'") {
            field("order_id", of: "Order", in: &$0) { $0.options.Projection_V1_column.nullable = true }
        },
        Case(name: "sort key differs from the key of a latest table", code: .invalidSortKey, mentions: "must consist of the primary key columns") {
            field("customer_id", of: "Order", in: &$0) { $0.options.Projection_V1_column.sortKeyOrder = 1 }
        },
        Case(name: "reserved table name", code: .invalidName, mentions: "'order' is a reserved SQL word") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.name = "order" }
        },
        Case(name: "table name leaving no room for derived tables", code: .invalidName, mentions: "longer than 53 characters") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.name = String(repeating: "o", count: 54) }
        },
        Case(name: "table name with a double underscore", code: .invalidName, mentions: "contains '__'") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.name = "daily_sales__rebuild" }
        },
        Case(name: "table named like a Postgres primary-key index", code: .invalidName, mentions: "ends in '_pkey'") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.name = "daily_sales_pkey" }
        },
        Case(name: "table named like a Postgres sort index", code: .invalidName, mentions: "ends in '_sort_idx'") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.name = "events_sort_idx" }
        },
        Case(name: "table named like another's cluster-local table", code: .duplicateTable, mentions: "'<name>_local'") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.name = "daily_sales_local" }
        },
        Case(name: "a store's system column name", code: .invalidName, mentions: "'xmin' is a system column name") {
            field("currency", of: "Order", in: &$0) { $0.options.Projection_V1_column.name = "xmin" }
        },
        Case(name: "a ClickHouse virtual column name", code: .invalidName, mentions: "'_row_exists' is a system column name") {
            field("currency", of: "Order", in: &$0) { $0.options.Projection_V1_column.name = "_row_exists" }
        },
        Case(name: "internal table prefix", code: .invalidName, mentions: "reserved prefix") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.name = "_projection_orders" }
        },
        Case(name: "non-identifier column name", code: .invalidName, mentions: "must match [a-z_][a-z0-9_]*") {
            field("currency", of: "Order", in: &$0) { $0.options.Projection_V1_column.name = "Currency-Code" }
        },
        Case(name: "partition on a string column", code: .invalidPartition, mentions: "partition column 'currency'") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.partitionBy.column = "currency" }
        },
        Case(name: "TTL without days", code: .invalidTTL, mentions: "needs days > 0") {
            message("Order", in: &$0) { $0.options.Projection_V1_table.ttl.days = 0 }
        },
        Case(name: "low cardinality on a number", code: .invalidColumnHint, mentions: "low_cardinality applies to string columns") {
            field("amount_cents", of: "Order", in: &$0) { $0.options.Projection_V1_column.lowCardinality = true }
        },
        Case(name: "codec smuggling SQL", code: .invalidColumnHint, mentions: "codec of column 'customer_id'") {
            field("customer_id", of: "Order", in: &$0) { $0.options.Projection_V1_column.codec = "ZSTD(1)) ENGINE = Log; --" }
        },
        Case(name: "unsupported field type", code: .unsupportedFieldType, mentions: "orders.analytics.v1.Order.currency") {
            field("currency", of: "Order", in: &$0) { $0.type = .bytes }
        },
        Case(name: "type override on a number", code: .invalidTypeOverride, mentions: "needs a string field") {
            field("amount_cents", of: "Order", in: &$0) { $0.options.Projection_V1_column.type = .date }
        },
        Case(name: "column without source", code: .missingSource, mentions: "column 'currency' has no source") {
            field("currency", of: "Order", in: &$0) { $0.options.Projection_V1_column.source = [] }
        },
        Case(name: "key column without source for a feeding fact", code: .missingSource, mentions: "key column 'day' of table 'daily_sales' has no source for fact 'orders.order_refunded.v1'") {
            field("day", of: "DailySales", in: &$0) { $0.options.Projection_V1_column.source.removeLast() }
        },
        Case(name: "two sources for one fact", code: .invalidSource, mentions: "is a source twice") {
            field("tenant_id", of: "DailySales", in: &$0) { $0.options.Projection_V1_column.source[1].fact = "order_placed" }
        },
        Case(name: "to_date into a number", code: .invalidSource, mentions: "transform toDate needs a date column") {
            field("order_count", of: "DailySales", in: &$0) { $0.options.Projection_V1_column.source[0].transform = .toDate }
        },
        Case(name: "unparseable constant", code: .invalidSource, mentions: "constant \"one\" is not a valid int64") {
            field("order_count", of: "DailySales", in: &$0) { $0.options.Projection_V1_column.source[0].constant = "one" }
        },
        // Ingest reads a constant as a number in a string (NumberText), which refuses "+1": it would fail every fact.
        Case(name: "constant with a plus sign", code: .invalidSource, mentions: "constant \"+1\" is not a valid int64") {
            field("order_count", of: "DailySales", in: &$0) { $0.options.Projection_V1_column.source[0].constant = "+1" }
        },
        Case(name: "data path missing from the data message", code: .invalidSource, mentions: "'customer' is not a field of orders.analytics.v1.OrderPlacedData") {
            field("customer_id", of: "Order", in: &$0) { $0.options.Projection_V1_column.source[0].data = "customer" }
        },
        Case(name: "data path reaching a repeated field", code: .invalidSource, mentions: "reaches repeated or map field 'customer_id'") {
            field("customer_id", of: "OrderPlacedData", in: &$0) { $0.label = .repeated }
        },
        Case(name: "data path ending at a message", code: .invalidSource, mentions: "ends at message field 'customer_id'") {
            field("customer_id", of: "OrderPlacedData", in: &$0) {
                $0.type = .message
                $0.typeName = ".orders.analytics.v1.OrderRefundedData"
            }
        },
        Case(name: "data path descending into a well-known type", code: .invalidSource, mentions: "which ProtoJSON writes as one value") {
            field("customer_id", of: "OrderPlacedData", in: &$0) {
                $0.type = .message
                $0.typeName = ".google.protobuf.Timestamp"
            }
            field("customer_id", of: "Order", in: &$0) { $0.options.Projection_V1_column.source[0].data = "customer_id.seconds" }
        },
        Case(name: "envelope attribute of the wrong type", code: .invalidSource, mentions: "envelope streamSequence (uint64) cannot fill a string column") {
            field("order_id", of: "Order", in: &$0) { $0.options.Projection_V1_column.source[0].envelope = .streamSequence }
        },
        Case(name: "source without a value", code: .invalidSource, mentions: "needs one of data, envelope or constant") {
            field("currency", of: "Order", in: &$0) { $0.options.Projection_V1_column.source[0].value = nil }
        },
        Case(name: "a fact type equal to another binding's ref", code: .invalidBinding, mentions: "is another binding's ref") {
            $0.service[0].options.Projection_V1_projection.facts[1].type = $0.service[0].options.Projection_V1_projection.facts[0].ref
        },
        Case(name: "fact type bound twice", code: .duplicateFactType, mentions: "fact type 'orders.order_placed.v1' is bound twice") {
            $0.service[0].options.Projection_V1_projection.facts[1].type = "orders.order_placed.v1"
        },
        Case(name: "binding without idempotency key", code: .invalidBinding, mentions: "idempotency_key") {
            $0.service[0].options.Projection_V1_projection.facts[0].idempotencyKey = ""
        },
        Case(name: "idempotency key missing from the data message", code: .invalidBinding, mentions: "'refund' is not a field") {
            $0.service[0].options.Projection_V1_projection.facts[1].idempotencyKey = "refund"
        },
        Case(name: "invalid projection name", code: .invalidName, mentions: "projection name 'Orders Analytics'") {
            $0.service[0].options.Projection_V1_projection.name = "Orders Analytics"
        },
        Case(name: "no projection", code: .projectionNotFound, mentions: "no service declares") {
            $0.service[0].options.clearProjection_V1_projection()
        },
        Case(name: "default outside min and max", code: .invalidQuery, mentions: "default_value 5000 is outside min...max") {
            message("GetTopCustomersRequest", in: &$0) { $0.field[2].options.Projection_V1_param.defaultValue = 5000 }
        },
        Case(name: "both idempotency key forms", code: .invalidBinding, mentions: "set either 'idempotency_key' or 'idempotency_key_parts', not both") {
            var part = Projection_V1_KeyPart()
            part.envelope = .id
            $0.service[0].options.Projection_V1_projection.facts[0].idempotencyKeyParts = [part]
        },
        Case(name: "an empty idempotency key part", code: .invalidBinding, mentions: "idempotency key part 2 is empty") {
            var id = Projection_V1_KeyPart()
            id.envelope = .id
            $0.service[0].options.Projection_V1_projection.facts[0].clearIdempotencyKey()
            $0.service[0].options.Projection_V1_projection.facts[0].idempotencyKeyParts = [id, Projection_V1_KeyPart()]
        },
        Case(name: "a repeated idempotency key part", code: .invalidBinding, mentions: "idempotency key part 'data.order_id' is repeated") {
            var part = Projection_V1_KeyPart()
            part.data = "order_id"
            $0.service[0].options.Projection_V1_projection.facts[0].clearIdempotencyKey()
            $0.service[0].options.Projection_V1_projection.facts[0].idempotencyKeyParts = [part, part]
        },
        Case(name: "a nullable SUM measure", code: .invalidMeasure, mentions: "SUM measure 'gross_cents' of table 'daily_sales' cannot be nullable") {
            field("gross_cents", of: "DailySales", in: &$0) { $0.options.Projection_V1_column.nullable = true }
        },
        // limit is a uint32: hints beyond its range would trap or never match (-1 on a uint64 crashed every request).
        Case(name: "negative default on an unsigned parameter", code: .invalidQuery, mentions: "GetTopCustomersRequest.limit: default_value -1 does not fit the field's type uint32 (0...4294967295)") {
            message("GetTopCustomersRequest", in: &$0) {
                $0.field[2].options.Projection_V1_param.clearMin()
                $0.field[2].options.Projection_V1_param.defaultValue = -1
            }
        },
        Case(name: "min below an unsigned parameter's range", code: .invalidQuery, mentions: "min -5 does not fit the field's type uint32") {
            message("GetTopCustomersRequest", in: &$0) { $0.field[2].options.Projection_V1_param.min = -5 }
        },
        Case(name: "max above a 32-bit parameter's range", code: .invalidQuery, mentions: "max 4294967296 does not fit the field's type uint32") {
            message("GetTopCustomersRequest", in: &$0) { $0.field[2].options.Projection_V1_param.max = 4_294_967_296 }
        },
        Case(name: "default below an int32 parameter's range", code: .invalidQuery, mentions: "default_value -2147483649 does not fit the field's type int32") {
            message("GetTopCustomersRequest", in: &$0) {
                $0.field[2].type = .int32
                $0.field[2].options.Projection_V1_param.clearMin()
                $0.field[2].options.Projection_V1_param.defaultValue = -2_147_483_649
            }
        },
        Case(name: "negative default on a uint64 parameter", code: .invalidQuery, mentions: "default_value -1 does not fit the field's type uint64") {
            message("GetTopCustomersRequest", in: &$0) {
                $0.field[2].type = .uint64
                $0.field[2].options.Projection_V1_param.clearMin()
                $0.field[2].options.Projection_V1_param.defaultValue = -1
            }
        },
        Case(name: "numeric limits on a string parameter", code: .invalidQuery, mentions: "apply to integer fields only") {
            message("GetOrderRequest", in: &$0) { $0.field[0].options.Projection_V1_param.max = 3 }
        },
    ]

    @Test("invalid annotations are rejected with a precise error", arguments: cases)
    func rejected(_ testCase: Case) throws {
        let error = try #require(throws: SchemaError.self) { try Self.load(testCase.edit) }
        #expect(error.code == testCase.code)
        #expect(error.description.contains(testCase.mentions), "\(error)")
    }

    @Test("composite and envelope idempotency keys load in order")
    func keyParts() throws {
        let schema = try Self.load {
            var source = Projection_V1_KeyPart(), id = Projection_V1_KeyPart(), line = Projection_V1_KeyPart()
            source.envelope = .source
            id.envelope = .id
            line.data = "order_id"
            $0.service[0].options.Projection_V1_projection.facts[0].clearIdempotencyKey()
            $0.service[0].options.Projection_V1_projection.facts[0].idempotencyKeyParts = [source, id, line]
        }
        #expect(schema.bindings[0].keyParts == [.envelope(.source), .envelope(.id), .data(FieldPath(["order_id"]))])
        #expect(schema.bindings[1].keyParts == [.data(FieldPath(["refund_id"]))])
    }

    @Test("a MIN/MAX measure that some fact type does not source is stored nullable; SUM measures are not")
    func skippableMeasures() throws {
        let schema = try Self.load {
            Self.field("gross_cents", of: "DailySales", in: &$0) { $0.options.Projection_V1_column.aggregate = .max }
            Self.field("refund_cents", of: "DailySales", in: &$0) { $0.options.Projection_V1_column.aggregate = .min }
        }
        let daily = try #require(schema.tables.first { $0.name == "daily_sales" })
        // gross_cents is sourced by order_placed only; refund_cents by order_refunded only.
        #expect(daily.column(named: "gross_cents")?.nullable == true)
        #expect(daily.column(named: "refund_cents")?.nullable == true)
        #expect(daily.column(named: "order_count")?.nullable == false)
        let ddl = ClickHouseDDL.definition(of: daily).columns.map(\.type)
        #expect(ddl.contains("SimpleAggregateFunction(max, Nullable(Int64))"))
        #expect(ddl.contains("SimpleAggregateFunction(sum, Int64)"))
    }

    @Test("the unedited descriptors load")
    func baseline() throws {
        #expect(try Self.load { _ in } == ProjectionSchema.ordersAnalytics)
    }

    @Test("garbage bytes are not a descriptor set")
    func garbage() throws {
        let error = try #require(throws: SchemaError.self) { try ProjectionSchema(descriptorSet: [0xFF, 0xFF, 0xFF]) }
        #expect(error.code == .invalidDescriptorSet)
    }

    @Test("selecting an undeclared projection name fails")
    func unknownProjection() throws {
        let error = try #require(throws: SchemaError.self) {
            try ProjectionSchema(descriptorSet: OrdersAnalyticsDescriptorSet.bytes, projection: "billing")
        }
        #expect(error.code == .projectionNotFound)
        #expect(error.description.contains("'billing'"))
    }

    /// A constant must be a value of its column's domain as ingest converts it, or every fact that
    /// source feeds would be quarantined: each literal below parses loosely but fits no fact.
    @Test("constants outside their column's domain are refused at load", arguments: [
        ("9223372036854775808", ColumnType.uint64), ("-1", .uint64), ("inf", .float64), ("nan", .float64),
        ("0.125", .decimal(precision: 5, scale: 2)), ("1000", .decimal(precision: 5, scale: 2)),
        ("2024-02-30", .date), ("1969-12-31", .date), ("2200-01-01", .date), ("a\u{0}b", .string),
        ("2147483648", .int32), ("1.5", .int64),
    ])
    func constantsOutsideTheDomain(literal: String, type: ColumnType) {
        let column = ColumnSchema(name: "c", type: type)
        #expect(SchemaValidator.sourceProblem(ColumnSource(factType: "f", value: .constant(literal)), column: column) != nil)
    }

    @Test("constants inside their column's domain load", arguments: [
        ("9223372036854775807", ColumnType.uint64), ("1.5e3", .float64), ("-0.5", .float64), ("12.3", .decimal(precision: 5, scale: 2)),
        ("2024-02-29", .date), ("1970-01-01", .date), ("-2147483648", .int32), ("true", .bool), ("text", .string),
    ])
    func constantsInsideTheDomain(literal: String, type: ColumnType) {
        let column = ColumnSchema(name: "c", type: type)
        #expect(SchemaValidator.sourceProblem(ColumnSource(factType: "f", value: .constant(literal)), column: column) == nil)
    }
}
