/// ClickHouse type names as they appear in placeholders and result metadata.
package enum ClickHouseTypeName {
    /// The value type under the wrappers that do not change how a value is written in JSON:
    /// `Nullable(T)`, `LowCardinality(T)` and `SimpleAggregateFunction(f, T)`, in any nesting,
    /// e.g. `SimpleAggregateFunction(min, Nullable(Float64))` → `Float64`.
    package static func base(_ type: String) -> String {
        var type = Substring(type).trimmingBlanks()
        while true {
            guard let (name, arguments) = split(type) else { return String(type) }
            switch name {
            case "Nullable", "LowCardinality":
                guard arguments.count == 1 else { return String(type) }
                type = arguments[0]
            case "SimpleAggregateFunction":
                // (function, value type): the stored value is the plain value type.
                guard arguments.count == 2 else { return String(type) }
                type = arguments[1]
            default:
                return String(type)
            }
        }
    }

    /// The scale of a decimal base type: `Decimal(P, S)` → S, `Decimal(P)` → 0,
    /// `Decimal32(S)` / `Decimal64(S)` / `Decimal128(S)` / `Decimal256(S)` → S; nil otherwise.
    package static func decimalScale(_ base: String) -> Int? {
        guard let (name, arguments) = split(Substring(base)) else { return nil }
        switch name {
        case "Decimal":
            if arguments.count == 1 { return Int(arguments[0]) != nil ? 0 : nil }
            guard arguments.count == 2 else { return nil }
            return Int(arguments[1])
        case "Decimal32", "Decimal64", "Decimal128", "Decimal256":
            guard arguments.count == 1 else { return nil }
            return Int(arguments[0])
        default:
            return nil
        }
    }

    /// `Name(a, b(c, d), 'x')` → ("Name", ["a", "b(c, d)", "'x'"]); nil when there is no argument list.
    static func split(_ type: Substring) -> (name: Substring, arguments: [Substring])? {
        guard type.hasSuffix(")"), let open = type.firstIndex(of: "(") else { return nil }
        let name = type[..<open].trimmingBlanks()
        let inner = type[type.index(after: open)..<type.index(before: type.endIndex)]
        var arguments: [Substring] = []
        var depth = 0
        var quoted = false
        var start = inner.startIndex
        var index = inner.startIndex
        while index < inner.endIndex {
            let c = inner[index]
            if quoted {
                if c == "\\" {
                    index = inner.index(after: index)
                    if index == inner.endIndex { break }
                } else if c == "'" {
                    quoted = false
                }
            } else {
                switch c {
                case "'": quoted = true
                case "(": depth += 1
                case ")":
                    depth -= 1
                    if depth < 0 { return nil }
                case "," where depth == 0:
                    arguments.append(inner[start..<index].trimmingBlanks())
                    start = inner.index(after: index)
                default: break
                }
            }
            index = inner.index(after: index)
        }
        guard depth == 0, !quoted else { return nil }
        arguments.append(inner[start...].trimmingBlanks())
        return (name, arguments)
    }
}

extension Substring {
    /// Without leading and trailing spaces (type names carry `, ` between arguments).
    fileprivate func trimmingBlanks() -> Substring {
        var result = self
        while result.first?.isWhitespace == true { result = result.dropFirst() }
        while result.last?.isWhitespace == true { result = result.dropLast() }
        return result
    }
}
