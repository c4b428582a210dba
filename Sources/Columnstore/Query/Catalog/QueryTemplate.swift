/// Finds `{name}` / `{name:Type}` placeholders in SQL text, skipping string literals, quoted
/// identifiers and comments, and rewrites them for Postgres.
enum QueryTemplate {
    struct Scan {
        /// The SQL with placeholders rewritten (Postgres) or untouched (ClickHouse), without a
        /// trailing `;`.
        var sql: String
        var placeholders: [QueryPlaceholder]
        /// Occurrences of the tenant placeholder that are not one side of `<column> = {tenant_id}` (or
        /// its mirror): the tenant in a SELECT list, under LIKE, inside a function call.
        var tenantOutsideEquality = 0
    }

    static func scan(_ text: String, store: StoreKind) throws(QueryCatalogError) -> Scan {
        let chars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var placeholders: [QueryPlaceholder] = []
        var tenantOutsideEquality = 0
        var i = 0
        // Whether anything but comments and whitespace was seen.
        var hasCode = false
        func fail(_ reason: String) -> QueryCatalogError { QueryCatalogError(.invalidSQL, reason) }

        while i < chars.count {
            let c = chars[i]
            // Quoted text: copy through to the matching quote ('' and \' escapes stay inside).
            if !c.properties.isWhitespace && !(c == "-" && i + 1 < chars.count && chars[i + 1] == "-")
                && !(c == "/" && i + 1 < chars.count && chars[i + 1] == "*") {
                hasCode = true
            }
            if c == "'" || c == "\"" || c == "`" {
                out.append(c)
                i += 1
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    out.append(d)
                    i += 1
                    if d == "\\", i < chars.count { out.append(chars[i]); i += 1; continue }
                    if d == c {
                        if i < chars.count, chars[i] == c { out.append(chars[i]); i += 1; continue }
                        closed = true
                        break
                    }
                }
                guard closed else { throw fail("unterminated quoted text") }
                continue
            }
            // ClickHouse also reads `# ` and `#!` as line comments: a placeholder there is not bound.
            let lineComment = i + 1 < chars.count
                && ((c == "-" && chars[i + 1] == "-") || (store == .clickhouse && c == "#" && (chars[i + 1] == " " || chars[i + 1] == "!")))
            if lineComment {
                while i < chars.count, chars[i] != "\n" { out.append(chars[i]); i += 1 }
                continue
            }
            if c == "/", i + 1 < chars.count, chars[i + 1] == "*" {
                guard let end = (i + 2..<max(i + 2, chars.count)).first(where: { $0 + 1 < chars.count && chars[$0] == "*" && chars[$0 + 1] == "/" }) else {
                    throw fail("unterminated comment")
                }
                out.append(contentsOf: chars[i...(end + 1)])
                i = end + 2
                continue
            }
            if c == ";" {
                let rest = chars[(i + 1)...]
                guard rest.allSatisfy({ $0.properties.isWhitespace }) else {
                    throw fail("a query file holds exactly one statement (found ';' before the end)")
                }
                break
            }
            if c == "{" {
                guard let close = chars[(i + 1)...].firstIndex(of: "}") else { throw fail("unclosed '{'") }
                let inner = String(String.UnicodeScalarView(chars[(i + 1)..<close]))
                let parts = inner.split(separator: ":", maxSplits: 1).map { $0.trimmingSpaces() }
                let name = parts.first ?? ""
                guard isIdentifier(name) else {
                    throw fail("placeholder '{\(inner)}' must be {name:Type} with name matching [a-z_][a-z0-9_]*")
                }
                let type = parts.count > 1 ? parts[1] : nil
                if name == PreparedQuery.tenantParameter, !Self.isEqualitySide(chars, open: i, close: close) {
                    tenantOutsideEquality += 1
                }
                switch store {
                case .clickhouse:
                    guard let type, !type.isEmpty else { throw fail("ClickHouse placeholder '{\(name)}' needs a type: {\(name):Type}") }
                    out.append(contentsOf: chars[i...close])
                case .postgres:
                    guard type == nil else { throw fail("Postgres placeholders are untyped: write {\(name)} and cast in SQL if needed") }
                }
                let placeholder = QueryPlaceholder(name: name, storeType: type)
                if let existing = placeholders.firstIndex(where: { $0.name == name }) {
                    guard placeholders[existing] == placeholder else { throw fail("placeholder '\(name)' is used with different types") }
                    if store == .postgres { out.append(contentsOf: "$\(existing + 1)".unicodeScalars) }
                } else {
                    placeholders.append(placeholder)
                    if store == .postgres { out.append(contentsOf: "$\(placeholders.count)".unicodeScalars) }
                }
                i = close + 1
                continue
            }
            out.append(c)
            i += 1
        }
        let sql = String(out).trimmingSpaces()
        guard hasCode, !sql.isEmpty else { throw fail("the file holds no statement") }
        return Scan(sql: sql, placeholders: placeholders, tenantOutsideEquality: tenantOutsideEquality)
    }

    /// Whether the placeholder at `open...close` is one side of `<identifier> = {…}` or `{…} = <identifier>`
    /// (a plain or quoted column name, qualified or not; `=` alone, not `<=`, `>=`, `!=`, `:=`, `==`).
    static func isEqualitySide(_ chars: [Unicode.Scalar], open: Int, close: Int) -> Bool {
        func isNameEnd(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c == "\"" || c == "`" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
        }
        var k = open - 1
        while k >= 0, chars[k].properties.isWhitespace { k -= 1 }
        if k >= 1, chars[k] == "=", !"=!<>:".unicodeScalars.contains(chars[k - 1]) {
            var j = k - 1
            while j >= 0, chars[j].properties.isWhitespace { j -= 1 }
            if j >= 0, isNameEnd(chars[j]) { return true }
        }
        var n = close + 1
        while n < chars.count, chars[n].properties.isWhitespace { n += 1 }
        if n + 1 < chars.count, chars[n] == "=", !"=>".unicodeScalars.contains(chars[n + 1]) {
            var j = n + 1
            while j < chars.count, chars[j].properties.isWhitespace { j += 1 }
            if j < chars.count, isNameEnd(chars[j]) { return true }
        }
        return false
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`: proto field names (reserved SQL words such as `limit` included).
private func isIdentifier(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first == "_" || first.properties.isASCIIHexDigit || ("a"..."z").contains(first) || ("A"..."Z").contains(first),
          !("0"..."9").contains(first) else { return false }
    return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
