import Columnstore

/// Turns a decoded fact into rows of every table whose bindings consume its type, following the
/// annotations. Plans are precomputed per fact type so the hot path only reads values.
public struct FactMapper: Sendable {
    private struct ColumnPlan: Sendable {
        var column: ColumnSchema
        var source: ColumnSource?
    }
    private struct TablePlan: Sendable {
        var tableIndex: Int
        var columns: [ColumnPlan]
    }
    private struct TypePlan: Sendable {
        var idempotencyKey: FieldPath
        var tables: [TablePlan]
    }

    public let schema: ProjectionSchema
    private let plans: [String: TypePlan]

    public init(schema: ProjectionSchema) {
        self.schema = schema
        var plans: [String: TypePlan] = [:]
        for binding in schema.bindings {
            let tables = schema.tables.enumerated().compactMap { index, table -> TablePlan? in
                guard table.consumes(factType: binding.factType) else { return nil }
                return TablePlan(tableIndex: index, columns: table.columns.map {
                    ColumnPlan(column: $0, source: $0.source(forFactType: binding.factType))
                })
            }
            plans[binding.factType] = TypePlan(idempotencyKey: binding.idempotencyKey, tables: tables)
        }
        self.plans = plans
    }

    /// Whether any table consumes this fact type. Facts of other types are acked and counted, not errors.
    public func consumes(_ factType: String) -> Bool {
        plans[factType].map { !$0.tables.isEmpty } ?? false
    }

    /// - Returns: nil when no table consumes the fact's type.
    /// - Throws: a `FactRejection` when the fact can never be applied (missing field, value that does not fit).
    public func map(_ fact: FactEnvelope, sequence: UInt64, subject: String) throws(FactRejection) -> MappedFact? {
        guard let plan = plans[fact.type], !plan.tables.isEmpty else { return nil }
        let key = try idempotencyKey(fact, path: plan.idempotencyKey)
        var rows: [TableRow] = []
        rows.reserveCapacity(plan.tables.count)
        for table in plan.tables {
            var values: [ColumnValue] = []
            values.reserveCapacity(table.columns.count)
            for column in table.columns {
                values.append(try value(for: column, fact: fact, sequence: sequence, subject: subject))
            }
            rows.append(TableRow(tableIndex: table.tableIndex, values: values))
        }
        return MappedFact(sequence: sequence, factType: fact.type, tenant: fact.tenant, idempotencyKey: key, rows: rows)
    }

    private func idempotencyKey(_ fact: FactEnvelope, path: FieldPath) throws(FactRejection) -> String {
        let field = "data.\(path)"
        switch lookup(fact.data, path) {
        case .string(let string)? where !string.isEmpty:
            return string
        case .number(let literal)?:
            // The text JSONSerialization's NSNumber gave, e.g. `1e2` → `100.0`.
            return FactNumber(literal: literal)?.text ?? literal
        case nil, .null?, .string?:
            throw FactRejection(code: .missingField, field: field, detail: "the idempotency key is required")
        default:
            throw FactRejection(code: .invalidValue, field: field, detail: "the idempotency key must be a string or an integer")
        }
    }

    private func value(for plan: ColumnPlan, fact: FactEnvelope, sequence: UInt64, subject: String) throws(FactRejection) -> ColumnValue {
        let column = plan.column
        guard let source = plan.source else {
            // Not fed by this fact type: measures add nothing, other columns take their type's zero.
            return column.nullable && column.aggregate == nil ? .null : ColumnConversion.zero(of: column.type)
        }
        let raw: JSONValue?
        let field: String
        switch source.value {
        case .data(let path):
            raw = lookup(fact.data, path)
            field = "data.\(path)"
        case .envelope(let attribute):
            field = attribute.rawValue
            switch attribute {
            case .id: raw = .string(fact.id)
            case .time: raw = fact.time.map(JSONValue.string)
            case .subject: raw = .string(fact.subject ?? subject)
            case .tenant: raw = .string(fact.tenant)
            // A non-negative integer literal: typed as UInt64, as the NSNumber it replaces.
            case .streamSequence: raw = .number(String(sequence))
            case .source: raw = .string(fact.source)
            case .type: raw = .string(fact.type)
            }
        case .constant(let literal):
            raw = .string(literal)
            field = column.name
        }
        guard let raw, raw != .null else {
            if source.isRequired {
                throw FactRejection(code: .missingField, field: field, detail: "is required by column \(column.name)")
            }
            return column.nullable ? .null : ColumnConversion.zero(of: column.type)
        }
        return try ColumnConversion.convert(raw, to: column.type, transform: source.transform, field: field)
    }

    private func lookup(_ data: JSONValue, _ path: FieldPath) -> JSONValue? {
        var current = data
        for component in path.components {
            guard case .object(let members) = current, let member = members.first(where: { $0.key == component }) else { return nil }
            current = member.value
        }
        return current
    }
}
