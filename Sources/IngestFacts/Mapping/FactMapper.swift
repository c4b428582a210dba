import Columnstore

/// Turns a decoded fact into rows of every table whose bindings consume its type, following the
/// annotations. Plans are precomputed per fact type so the hot path only reads values.
public struct FactMapper: Sendable {
    /// A class, and with the error field name built once: copying a `ColumnSchema` per column per fact
    /// (and interpolating the field name) was 8% of ingest CPU.
    private final class ColumnPlan: Sendable {
        let column: ColumnSchema
        /// The value's name in rejections: `data.<path>`, the envelope attribute, or the column.
        let field: String
        /// The value when the fact type does not feed the column.
        let unfed: ColumnValue
        /// The value when an optional source is absent.
        let absent: ColumnValue
        /// The source's parts and the column's type, stored apart: reading them copies no
        /// `ColumnSource` (its fact-type string and path) per column per fact.
        let value: SourceValue?
        let transform: SourceTransform
        let isRequired: Bool
        let type: ColumnType
        /// The stream sequence into a uint64 column: stored as is (what `String(sequence)` parsed
        /// back gave), decided once.
        let sequenceAsUInt64: Bool

        init(column: ColumnSchema, source: ColumnSource?) {
            self.column = column
            value = source?.value
            transform = source?.transform ?? .none
            isRequired = source?.isRequired ?? false
            type = column.type
            sequenceAsUInt64 = source?.value == .envelope(.streamSequence) && source?.transform == SourceTransform.none && column.type == .uint64
            switch source?.value {
            case .data(let path)?: field = "data.\(path)"
            case .envelope(let attribute)?: field = attribute.rawValue
            case .constant?, nil: field = column.name
            }
            // Nullable columns take NULL (MIN/MAX measures that a fact may leave unset are nullable,
            // and NULL is what they skip); SUM measures and other columns take their type's zero.
            unfed = column.nullable ? .null : ColumnConversion.zero(of: column.type)
            absent = column.nullable ? .null : ColumnConversion.zero(of: column.type)
        }
    }
    private struct TablePlan: Sendable {
        var tableIndex: Int
        var columns: [ColumnPlan]
        /// Positions of the primary key's string columns: together they must fit a btree entry.
        var keyStringColumns: [Int]
        /// The sort key's string columns when Postgres indexes it apart from the primary key (same entry limit).
        var sortStringColumns: [Int]
        var tableName: String
    }
    private struct TypePlan: Sendable {
        var keyParts: [IdempotencyKeyPart]
        var tables: [TablePlan]
    }

    public let schema: ProjectionSchema
    private let plans: [JSONMemberName: TypePlan]
    /// The plans of small schemas, found by scanning (lengths first) rather than by hashing the
    /// type name per fact, which cost more than the scan of a handful of types.
    private let scannedPlans: [(factType: String, plan: TypePlan)]
    private static let scanLimit = 16

    public init(schema: ProjectionSchema) {
        self.schema = schema
        var plans: [JSONMemberName: TypePlan] = [:]
        for binding in schema.bindings {
            let tables = schema.tables.enumerated().compactMap { index, table -> TablePlan? in
                guard table.consumes(factType: binding.factType) else { return nil }
                return TablePlan(
                    tableIndex: index,
                    columns: table.columns.map { ColumnPlan(column: $0, source: $0.source(forFactType: binding.factType)) },
                    keyStringColumns: table.columns.indices.filter { table.primaryKey.contains(table.columns[$0].name) && table.columns[$0].type == .string },
                    sortStringColumns: table.orderBy == table.primaryKey ? []
                        : table.columns.indices.filter { table.orderBy.contains(table.columns[$0].name) && table.columns[$0].type == .string },
                    tableName: table.name)
            }
            plans[JSONMemberName(binding.factType)] = TypePlan(keyParts: binding.keyParts, tables: tables)
        }
        self.plans = plans
        self.scannedPlans = plans.count <= Self.scanLimit ? plans.map { ($0.key.name, $0.value) } : []
    }

    private func plan(for factType: String) -> TypePlan? {
        if plans.count > Self.scanLimit { return plans[JSONMemberName(factType)] }
        for entry in scannedPlans where entry.factType.matchesKey(factType) { return entry.plan }
        return nil
    }

    /// - Returns: nil when no table consumes the fact's type.
    /// - Throws: a `FactRejection` when the fact can never be applied (missing field, value that does not fit).
    public func map(_ fact: FactEnvelope, sequence: UInt64, subject: String) throws(FactRejection) -> MappedFact? {
        guard let plan = plan(for: fact.type), !plan.tables.isEmpty else { return nil }
        try Self.checkTenant(fact.tenant)
        let key = try idempotencyKey(fact, parts: plan.keyParts, sequence: sequence, subject: subject)
        var rows: [TableRow] = []
        rows.reserveCapacity(plan.tables.count)
        for table in plan.tables {
            var values: [ColumnValue] = []
            values.reserveCapacity(table.columns.count)
            for column in table.columns {
                values.append(try value(for: column, fact: fact, sequence: sequence, subject: subject))
            }
            if !table.keyStringColumns.isEmpty { try Self.checkKeyBytes(values, columns: table.keyStringColumns, key: "primary key", table: table) }
            if !table.sortStringColumns.isEmpty { try Self.checkKeyBytes(values, columns: table.sortStringColumns, key: "sort key", table: table) }
            rows.append(TableRow(tableIndex: table.tableIndex, values: values))
        }
        return MappedFact(sequence: sequence, factType: fact.type, tenant: fact.tenant, idempotencyKey: key, rows: rows)
    }

    /// The tenant is part of every key: no NUL, and short enough for the stores' key entries.
    static let maxTenantBytes = 256
    private static func checkTenant(_ tenant: String) throws(FactRejection) {
        _ = try ColumnConversion.text(tenant, field: "tenantid")
        if tenant.utf8.count > maxTenantBytes {
            throw FactRejection(code: .invalidValue, field: "tenantid", detail: "is longer than \(maxTenantBytes) bytes")
        }
    }

    private static func checkKeyBytes(_ values: [ColumnValue], columns: [Int], key: String, table: TablePlan) throws(FactRejection) {
        var total = 0
        for index in columns {
            if case .string(let string) = values[index] { total += string.utf8.count }
        }
        guard total > ValueDomain.maxKeyStringBytes else { return }
        let names = columns.map { table.columns[$0].field }.joined(separator: ", ")
        throw FactRejection(code: .invalidValue, field: names,
                            detail: "the \(key) strings of table \(table.tableName) take \(total) bytes; at most \(ValueDomain.maxKeyStringBytes) fit both stores' key entries")
    }

    /// One part: its text as before composite keys (so existing seen keys still match). Several parts:
    /// each escaped (`\` → `\\`, `|` → `\|`) and joined with `|`, so distinct part lists never collide.
    private func idempotencyKey(_ fact: FactEnvelope, parts: [IdempotencyKeyPart], sequence: UInt64, subject: String) throws(FactRejection) -> String {
        var key: String
        if parts.count == 1 {
            key = try keyPart(parts[0], fact: fact, sequence: sequence, subject: subject)
        } else {
            key = ""
            for (index, part) in parts.enumerated() {
                if index > 0 { key += "|" }
                for scalar in try keyPart(part, fact: fact, sequence: sequence, subject: subject).unicodeScalars {
                    if scalar == "\\" || scalar == "|" { key += "\\" }
                    key.unicodeScalars.append(scalar)
                }
            }
        }
        if key.utf8.count > ValueDomain.maxIdempotencyKeyBytes {
            throw FactRejection(code: .invalidValue, field: parts.map(\.field).joined(separator: ", "),
                                detail: "the idempotency key takes \(key.utf8.count) bytes; at most \(ValueDomain.maxIdempotencyKeyBytes)")
        }
        return key
    }

    private func keyPart(_ part: IdempotencyKeyPart, fact: FactEnvelope, sequence: UInt64, subject: String) throws(FactRejection) -> String {
        let raw: JSONValue?
        switch part {
        case .data(let path): raw = lookup(fact.data, path)
        case .envelope(let attribute): raw = envelopeValue(attribute, fact: fact, sequence: sequence, subject: subject)
        }
        switch raw {
        case .string(let string)? where !string.isEmpty:
            return try ColumnConversion.text(string, field: part.field)
        case .number(let literal)?:
            // An integer, exactly, whatever its notation (`1e2` = `100`); anything else would be rounded
            // into another fact's key (through a double, `1e400` and `2e400` were both `inf`).
            guard let text = FactNumber.integerText(literal) else {
                throw FactRejection(code: .invalidValue, field: part.field, detail: "the idempotency key must be a string or an integer")
            }
            return text
        case nil, .null?, .string?:
            throw FactRejection(code: .missingField, field: part.field, detail: "the idempotency key is required")
        default:
            throw FactRejection(code: .invalidValue, field: part.field, detail: "the idempotency key must be a string or an integer")
        }
    }

    private func envelopeValue(_ attribute: EnvelopeAttribute, fact: FactEnvelope, sequence: UInt64, subject: String) -> JSONValue? {
        switch attribute {
        case .id: return .string(fact.id)
        case .time: return fact.time.map(JSONValue.string)
        case .subject: return .string(fact.subject ?? subject)
        case .tenant: return .string(fact.tenant)
        // A non-negative integer literal: typed as UInt64, as the NSNumber it replaces.
        case .streamSequence: return .number(String(sequence))
        case .source: return .string(fact.source)
        case .type: return .string(fact.type)
        }
    }

    private func value(for plan: ColumnPlan, fact: FactEnvelope, sequence: UInt64, subject: String) throws(FactRejection) -> ColumnValue {
        if plan.sequenceAsUInt64, sequence <= ValueDomain.maxUInt64 { return .uint64(sequence) }
        let raw: JSONValue?
        switch plan.value {
        case nil:
            return plan.unfed
        case .data(let path)?:
            raw = lookup(fact.data, path)
        case .envelope(let attribute)?:
            raw = envelopeValue(attribute, fact: fact, sequence: sequence, subject: subject)
        case .constant(let literal)?:
            // A constant is written as text in the annotation; `true`/`false` are a bool column's values.
            if plan.type == .bool, literal == "true" || literal == "false" {
                raw = .bool(literal == "true")
            } else {
                raw = .string(literal)
            }
        }
        // A pattern, not `!= .null`: JSONValue's `==` walked the value (~25 instructions a column).
        guard let raw, !Self.isNull(raw) else {
            if plan.isRequired {
                throw FactRejection(code: .missingField, field: plan.field, detail: "is required by column \(plan.column.name)")
            }
            return plan.absent
        }
        return try ColumnConversion.convert(raw, to: plan.type, transform: plan.transform, field: plan.field)
    }

    private static func isNull(_ value: JSONValue) -> Bool {
        if case .null = value { return true }
        return false
    }

    /// Walks the path without copying the document or its members on the way: only the value found is
    /// copied out (the walk by `first(where:)` copied the document and each member's key and value).
    private func lookup(_ data: JSONValue, _ path: FieldPath) -> JSONValue? {
        let components = path.components
        guard let first = components.first else { return data }
        guard var current = Self.member(of: data, first, or: path.alternatives[0]) else { return nil }
        for index in components.indices.dropFirst() {
            guard let next = Self.member(of: current, components[index], or: path.alternatives[index]) else { return nil }
            current = next
        }
        return current
    }

    /// The member spelled as annotated, else (a field of a declared data message) its other ProtoJSON
    /// spelling: proto name or `json_name`.
    private static func member(of value: JSONValue, _ name: String, or alternative: String?) -> JSONValue? {
        if let found = member(of: value, name) { return found }
        guard let alternative else { return nil }
        return member(of: value, alternative)
    }

    private static func member(of value: JSONValue, _ name: String) -> JSONValue? {
        guard case .object(let members) = value else { return nil }
        for index in members.indices where members[index].key.matchesKey(name) { return members[index].value }
        return nil
    }
}

