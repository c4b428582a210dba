import Columnstore

/// Turns a decoded fact into rows of every table whose bindings consume its type, following the
/// annotations. Plans are precomputed per fact type so the hot path only reads values.
public struct FactMapper: Sendable {
    /// A class, and with the error field name built once: copying a `ColumnSchema` per column per fact
    /// (and interpolating the field name) was 8% of ingest CPU.
    private final class ColumnPlan: Sendable {
        let column: ColumnSchema
        let source: ColumnSource?
        /// The value's name in rejections: `data.<path>`, the envelope attribute, or the column.
        let field: String
        /// The value when the fact type does not feed the column.
        let unfed: ColumnValue
        /// The value when an optional source is absent.
        let absent: ColumnValue

        init(column: ColumnSchema, source: ColumnSource?) {
            self.column = column
            self.source = source
            switch source?.value {
            case .data(let path)?: field = "data.\(path)"
            case .envelope(let attribute)?: field = attribute.rawValue
            case .constant?, nil: field = column.name
            }
            // Measures add nothing, other columns take their type's zero.
            unfed = column.nullable && column.aggregate == nil ? .null : ColumnConversion.zero(of: column.type)
            absent = column.nullable ? .null : ColumnConversion.zero(of: column.type)
        }
    }
    private struct TablePlan: Sendable {
        var tableIndex: Int
        var columns: [ColumnPlan]
    }
    private struct TypePlan: Sendable {
        var idempotencyKey: FieldPath
        /// `data.<path>` of the key, for rejections.
        var keyField: String
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
            plans[binding.factType] = TypePlan(idempotencyKey: binding.idempotencyKey, keyField: "data.\(binding.idempotencyKey)", tables: tables)
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
        let key = try idempotencyKey(fact, path: plan.idempotencyKey, field: plan.keyField)
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

    private func idempotencyKey(_ fact: FactEnvelope, path: FieldPath, field: String) throws(FactRejection) -> String {
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
        guard let source = plan.source else { return plan.unfed }
        let raw: JSONValue?
        switch source.value {
        case .data(let path):
            raw = lookup(fact.data, path)
        case .envelope(let attribute):
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
        }
        guard let raw, raw != .null else {
            if source.isRequired {
                throw FactRejection(code: .missingField, field: plan.field, detail: "is required by column \(plan.column.name)")
            }
            return plan.absent
        }
        return try ColumnConversion.convert(raw, to: plan.column.type, transform: source.transform, field: plan.field)
    }

    private func lookup(_ data: JSONValue, _ path: FieldPath) -> JSONValue? {
        var current = data
        for component in path.components {
            guard case .object(let members) = current, let member = members.first(where: { $0.key.matchesKey(component) }) else { return nil }
            current = member.value
        }
        return current
    }
}
