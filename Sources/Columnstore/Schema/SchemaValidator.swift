import Foundation

/// Consistency rules of tables and column sources, beyond what the loader parses.
enum SchemaValidator {
    static func validate(_ table: TableSchema, element: String) throws {
        let name = table.name
        func column(_ columnName: String, role: String) throws -> ColumnSchema {
            guard let column = table.column(named: columnName) else {
                throw SchemaError(.unknownColumn, element: element, "\(role) names unknown column '\(columnName)' of table '\(name)'")
            }
            return column
        }

        // Keys.
        // Every fact is a row of an append table: a key would be a uniqueness constraint on Postgres (the
        // first fact per key kept) and none on ClickHouse (all kept), so the stores would disagree.
        if table.kind == .append && !table.primaryKey.isEmpty {
            throw SchemaError(.invalidKey, element: element,
                              "append table '\(name)' keeps every fact as a row and takes no primary_key (Postgres would keep only the first fact per key, ClickHouse all of them); order it with the columns' sort_key_order")
        }
        if table.primaryKey.isEmpty && table.kind != .append {
            throw SchemaError(.missingPrimaryKey, element: element, "\(table.kind.rawValue) table '\(name)' needs a primary_key")
        }
        for (i, keyName) in table.primaryKey.enumerated() {
            let key = try column(keyName, role: "primary_key")
            if table.primaryKey[..<i].contains(keyName) {
                throw SchemaError(.invalidKey, element: element, "primary_key repeats column '\(keyName)'")
            }
            if key.nullable {
                throw SchemaError(.invalidKey, element: element, "primary key column '\(keyName)' of table '\(name)' cannot be nullable")
            }
        }
        for sortName in table.orderBy {
            if try column(sortName, role: "sort key").nullable {
                throw SchemaError(.invalidSortKey, element: element, "sort key column '\(sortName)' of table '\(name)' cannot be nullable")
            }
        }
        // Replacing and summing happen per sort key, so it must be exactly the primary key.
        if table.kind != .append && Set(table.orderBy) != Set(table.primaryKey) {
            throw SchemaError(.invalidSortKey, element: element, "the sort key of \(table.kind.rawValue) table '\(name)' must consist of the primary key columns")
        }

        // Tenancy: the query API scopes every read to one tenant, so every row must carry the tenant the
        // envelope named (a producer cannot choose it in `data`), and facts of different tenants must never
        // fold into one row. The state hash orders rows by this column too.
        let isTenant = { (c: ColumnSchema) in !c.sources.isEmpty && c.sources.allSatisfy { $0.value == .envelope(.tenant) } }
        guard let tenant = table.columns.first(where: isTenant) else {
            throw SchemaError(.invalidTenantColumn, element: element,
                              "table '\(name)' needs a tenant column: a column whose every source is envelope: ENVELOPE_ATTRIBUTE_TENANT")
        }
        let feeding = Set(table.columns.flatMap { $0.sources.map(\.factType) })
        if let unscoped = feeding.sorted().first(where: { tenant.source(forFactType: $0) == nil }) {
            throw SchemaError(.invalidTenantColumn, element: element,
                              "tenant column '\(tenant.name)' of table '\(name)' has no source for fact '\(unscoped)', which feeds the table")
        }
        if table.kind != .append && !table.primaryKey.contains(tenant.name) {
            throw SchemaError(.invalidTenantColumn, element: element,
                              "the primary_key of \(table.kind.rawValue) table '\(name)' must include its tenant column '\(tenant.name)': otherwise facts of different tenants share a row")
        }

        // Measures.
        let measures = table.measureColumns
        if table.kind == .aggregate {
            guard !measures.isEmpty else {
                throw SchemaError(.aggregateWithoutMeasures, element: element, "aggregate table '\(name)' has no column with an aggregate function")
            }
            for column in table.columns {
                let isKey = table.primaryKey.contains(column.name)
                if isKey && column.aggregate != nil {
                    throw SchemaError(.invalidMeasure, element: element, "key column '\(column.name)' of table '\(name)' cannot have an aggregate")
                }
                if !isKey && column.aggregate == nil {
                    throw SchemaError(.invalidMeasure, element: element, "column '\(column.name)' of aggregate table '\(name)' is neither in the primary key nor has an aggregate")
                }
                if column.aggregate != nil && !column.type.isNumeric {
                    throw SchemaError(.invalidMeasure, element: element, "measure '\(column.name)' of table '\(name)' must be a number")
                }
                // A double's sum depends on the order of the additions, which the stores choose differently
                // (Postgres in batch order, ClickHouse as parts merge): the two would answer different sums.
                if column.aggregate == .sum && column.type == .float64 {
                    throw SchemaError(.invalidMeasure, element: element,
                                      "SUM measure '\(column.name)' of table '\(name)' cannot be a double: a floating-point sum depends on the order of additions, which differs between the stores; use COLUMN_TYPE_DECIMAL")
                }
                // A missing value adds zero to a sum; MIN and MAX skip it (see `ProjectionSchema.storedNullable`).
                if column.aggregate == .sum && column.nullable {
                    throw SchemaError(.invalidMeasure, element: element, "SUM measure '\(column.name)' of table '\(name)' cannot be nullable: a missing value adds zero")
                }
            }
        } else if let measure = measures.first {
            throw SchemaError(.invalidMeasure, element: element, "column '\(measure.name)' has an aggregate but table '\(name)' is not an aggregate table")
        }

        // Version.
        if table.kind == .latest {
            guard let versionName = table.versionColumn else {
                throw SchemaError(.missingVersionColumn, element: element, "latest table '\(name)' needs a version_column")
            }
            let version = try column(versionName, role: "version_column")
            guard [.uint64, .timestamp, .date].contains(version.type), !version.nullable else {
                throw SchemaError(.invalidVersionColumn, element: element, "version column '\(versionName)' must be a non-nullable uint64, timestamp or date")
            }
            if table.primaryKey.contains(versionName) {
                throw SchemaError(.invalidVersionColumn, element: element, "version column '\(versionName)' cannot be part of the primary key")
            }
        } else if let versionName = table.versionColumn {
            throw SchemaError(.invalidVersionColumn, element: element, "version_column '\(versionName)' is only valid on latest tables")
        }

        // Partition and TTL.
        if let partition = table.partitionBy {
            let partitionColumn = try column(partition.column, role: "partition_by")
            guard partitionColumn.type.isTemporal, !partitionColumn.nullable else {
                throw SchemaError(.invalidPartition, element: element, "partition column '\(partition.column)' must be a non-nullable date or timestamp")
            }
        }
        if let ttl = table.ttl {
            let ttlColumn = try column(ttl.column, role: "ttl")
            guard ttlColumn.type.isTemporal, !ttlColumn.nullable else {
                throw SchemaError(.invalidTTL, element: element, "TTL column '\(ttl.column)' must be a non-nullable date or timestamp")
            }
            guard ttl.days > 0 else {
                throw SchemaError(.invalidTTL, element: element, "TTL of table '\(name)' needs days > 0")
            }
        }

        // Hints.
        for column in table.columns {
            if column.lowCardinality && column.type != .string {
                throw SchemaError(.invalidColumnHint, element: element, "low_cardinality applies to string columns only ('\(column.name)')")
            }
            if let codec = column.codec, !isValidCodec(codec) {
                throw SchemaError(.invalidColumnHint, element: element, "codec of column '\(column.name)' must look like \"ZSTD(3)\" or \"Delta, ZSTD\"")
            }
        }

        // Every fact feeding the table must produce a complete key.
        for factType in table.factTypes {
            for key in table.keyColumns where key.source(forFactType: factType) == nil {
                throw SchemaError(.missingSource, element: element, "key column '\(key.name)' of table '\(name)' has no source for fact '\(factType)', which feeds the table")
            }
            if let versionName = table.versionColumn, let version = table.column(named: versionName),
               version.source(forFactType: factType) == nil {
                throw SchemaError(.missingSource, element: element, "version column '\(versionName)' has no source for fact '\(factType)'")
            }
        }
    }

    /// Codec lists such as `ZSTD(3)` or `Delta, ZSTD`; anything else could smuggle SQL.
    static func isValidCodec(_ codec: String) -> Bool {
        let parts = codec.split(separator: ",", omittingEmptySubsequences: false)
        return parts.allSatisfy { part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let first = trimmed.first, first.isLetter, first.isASCII else { return false }
            var name = Substring(trimmed), args: Substring?
            if let open = trimmed.firstIndex(of: "(") {
                guard trimmed.hasSuffix(")") else { return false }
                name = trimmed[..<open]
                args = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
            }
            return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
                && (args ?? "").allSatisfy { $0.isASCII && ($0.isNumber || $0 == " " || $0 == ",") }
        }
    }

    /// Why a source cannot feed the column, or `nil` when it can.
    static func sourceProblem(_ source: ColumnSource, column: ColumnSchema) -> String? {
        switch source.transform {
        case .none:
            break
        case .toDate, .toHour:
            let target: ColumnType = source.transform == .toDate ? .date : .timestamp
            guard column.type == target else {
                return "transform \(source.transform.rawValue) needs a \(target.canonicalName) column, not \(column.type.canonicalName)"
            }
            switch source.value {
            case .data, .envelope(.time): break
            default: return "transform \(source.transform.rawValue) applies to data fields and the envelope time only"
            }
        }
        switch source.value {
        case .data:
            return nil
        case .envelope(let attribute):
            let natural = attribute.valueType
            let fits: Bool
            switch natural {
            case .uint64: fits = column.type == .uint64 || column.type == .int64
            case .timestamp: fits = column.type == .timestamp || (column.type == .date && source.transform == .toDate)
            default: fits = column.type == natural
            }
            return fits ? nil : "envelope \(attribute.rawValue) (\(natural.canonicalName)) cannot fill a \(column.type.canonicalName) column"
        case .constant(let literal):
            return constantFits(literal, column.type) ? nil : "constant \"\(literal)\" is not a valid \(column.type.canonicalName)"
        }
    }

    /// Whether the constant is a value of the column's domain, as ingest would convert it: a constant
    /// that loads but fits no fact would quarantine every fact that the source feeds.
    private static func constantFits(_ literal: String, _ type: ColumnType) -> Bool {
        switch type {
        case .string: return !literal.unicodeScalars.contains("\u{0}")
        // Numbers as ingest reads a number in a string (`NumberText`): a constant it refuses (`+1`, `0x10`)
        // would fail every fact.
        case .int32: return NumberText.isPlainInteger(literal) && Int32(literal) != nil
        case .int64: return NumberText.isPlainInteger(literal) && Int64(literal) != nil
        case .uint64: return NumberText.isPlainInteger(literal) && (UInt64(literal).map { $0 <= ValueDomain.maxUInt64 } ?? false)
        case .float64: return NumberText.isPlainDecimal(literal) && (Double(literal)?.isFinite ?? false)
        case .decimal(let precision, let scale):
            if case .success = DecimalText.canonical(literal, precision: precision, scale: scale) { return true }
            return false
        case .bool: return literal == "true" || literal == "false"
        case .date: return RFC3339.parseDate(literal).map { ValueDomain.dates.contains($0) } ?? false
        case .timestamp: return false
        }
    }
}
