/// Naming rules shared by the loader and the DDL generator.
enum SchemaNaming {
    /// Words reserved in Postgres or ClickHouse grammar positions we generate;
    /// rejecting them keeps generated SQL free of identifier quoting.
    static let reservedWords: Set<String> = [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
        "between", "binary", "both", "by", "case", "cast", "check", "collate", "collation", "column",
        "concurrently", "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
        "current_schema", "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc",
        "distinct", "do", "else", "end", "except", "false", "fetch", "final", "for", "foreign", "format",
        "freeze", "from", "full", "grant", "group", "having", "ilike", "in", "index", "initially", "inner",
        "intersect", "into", "is", "isnull", "join", "key", "lateral", "leading", "left", "like", "limit",
        "localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or",
        "order", "outer", "overlaps", "placing", "prewhere", "primary", "references", "returning", "right",
        "sample", "select", "session_user", "settings", "similar", "some", "symmetric", "table", "tablesample",
        "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
        "where", "window", "with",
    ]

    /// Prefix of the tables ingest and migrate own.
    static let internalPrefix = "_projection"

    /// Why `name` cannot be a table or column name, or `nil` when it can.
    static func identifierProblem(_ name: String) -> String? {
        guard let first = name.unicodeScalars.first else { return "the name is empty" }
        guard name.unicodeScalars.count <= 63 else { return "'\(name)' is longer than 63 characters" }
        let isLowerOrUnderscore: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || $0 == "_" }
        guard isLowerOrUnderscore(first),
              name.unicodeScalars.allSatisfy({ isLowerOrUnderscore($0) || ("0"..."9").contains($0) })
        else { return "'\(name)' must match [a-z_][a-z0-9_]*" }
        if reservedWords.contains(name) { return "'\(name)' is a reserved SQL word" }
        if name.hasPrefix(internalPrefix) { return "'\(name)' uses the reserved prefix '\(internalPrefix)'" }
        return nil
    }

    /// Column names the stores keep for themselves: Postgres' system columns, ClickHouse's virtual
    /// columns of MergeTree tables (a table declaring one fails to create on that store only).
    static let reservedColumnNames: Set<String> = [
        "tableoid", "xmin", "cmin", "xmax", "cmax", "ctid", "oid",
        "_part", "_part_index", "_part_uuid", "_part_offset", "_part_granule_offset", "_part_data_version",
        "_partition_id", "_partition_value", "_sample_factor", "_row_exists", "_block_number", "_block_offset",
        "_disk_name", "_table", "_database", "_shard_num",
    ]

    /// Derived tables are named `<table>` + one of these (rebuild shadows, kept generations, the
    /// Postgres cutover's parking name); ClickHouse clusters add `_local`.
    static let derivedTableSuffixes = ["__rebuild", "__previous", "__swap"]
    static let clusterLocalSuffix = "_local"
    /// Postgres truncates identifiers at 63 bytes: a table name leaves room for the longest suffix.
    static let maxTableNameLength = 63 - 10

    /// Why `name` cannot be a column name (beyond `identifierProblem`), or `nil` when it can.
    static func columnNameProblem(_ name: String) -> String? {
        reservedColumnNames.contains(name) ? "'\(name)' is a system column name of Postgres or ClickHouse" : nil
    }

    /// Why `name` cannot be a table name (beyond `identifierProblem`), or `nil` when it can.
    static func tableNameProblem(_ name: String) -> String? {
        if name.unicodeScalars.count > maxTableNameLength {
            return "'\(name)' is longer than \(maxTableNameLength) characters (derived tables such as '<name>__previous' must fit 63)"
        }
        if name.contains("__") { return "'\(name)' contains '__', which derived tables' names use" }
        // Postgres puts tables and indexes in one namespace and names a table's indexes `<table>_pkey` and
        // `<table>_sort_idx`: a table so named is skipped by `CREATE TABLE IF NOT EXISTS` (or its index is),
        // and apply reports success while Postgres lacks it.
        if let suffix = ["_pkey", "_sort_idx"].first(where: { name.hasSuffix($0) }) {
            return "'\(name)' ends in '\(suffix)', which Postgres index names use"
        }
        return nil
    }

    /// Whether `name` is a valid projection name (lowercase words joined by '-').
    static func isValidProjectionName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.count <= 63 else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// `DailySales` → `daily_sales`, `GetTopCustomers` → `get_top_customers`.
    static func snakeCase(_ name: String) -> String {
        var result = ""
        let chars = Array(name)
        for (i, c) in chars.enumerated() {
            if c.isUppercase {
                let previousIsLower = i > 0 && (chars[i - 1].isLowercase || chars[i - 1].isNumber)
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if i > 0 && (previousIsLower || (nextIsLower && chars[i - 1].isUppercase)) { result.append("_") }
                result.append(contentsOf: c.lowercased())
            } else {
                result.append(c)
            }
        }
        return result
    }

    /// Proto's default JSON name: `from_day` → `fromDay`.
    static func lowerCamelCase(_ name: String) -> String {
        var result = ""
        var upperNext = false
        for c in name {
            if c == "_" { upperNext = true; continue }
            result.append(contentsOf: upperNext ? c.uppercased() : String(c))
            upperNext = false
        }
        return result
    }
}
