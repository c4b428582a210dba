/// A Postgres array literal (`{"a","b"}`), so a whole batch column is one bound parameter
/// expanded with `unnest($n::type[])`, as the Postgres store does.
struct ArrayLiteral {
    private var text = "{"
    private var empty = true

    private mutating func separator() {
        if !empty { text += "," }
        empty = false
    }

    mutating func append(_ element: String) {
        separator()
        text += "\""
        for scalar in element.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { text += "\\" }
            text.unicodeScalars.append(scalar)
        }
        text += "\""
    }

    mutating func appendBare<T: BinaryInteger>(_ value: T) {
        separator()
        text += String(value)
    }

    var literal: String { text + "}" }
}
