/// A strict RFC 8259 JSON parser with a nesting limit, so hostile input (deep nesting, bad
/// escapes, lone surrogates, duplicate keys) is rejected with an error instead of crashing.
public struct JSONParser {
    /// Deepest array/object nesting accepted.
    public static let maximumDepth = 64

    /// Bounds on what one document may build, checked while parsing, so a hostile document is refused
    /// before its values are built rather than after: a parsed value takes several times the bytes of
    /// its text (`[0,0,…]` is 2 bytes of text and 24 of `JSONValue` an element).
    public struct Limits: Sendable, Hashable {
        /// Values (scalars, arrays and objects, at any depth) the document may hold at most.
        public var maxValues: Int
        /// When the document is an array: its elements at most (nil: only `maxValues`).
        public var maxTopLevelElements: Int?

        public init(maxValues: Int = .max, maxTopLevelElements: Int? = nil) {
            self.maxValues = maxValues
            self.maxTopLevelElements = maxTopLevelElements
        }

        public static let none = Limits()
    }

    /// The bound a `JSONParseError` reports in `limit`.
    public enum Limit: Sendable, Hashable {
        case values
        case topLevelElements
    }

    private let bytes: [UInt8]
    private var index = 0
    private let limits: Limits
    private var values = 0

    private init(_ bytes: [UInt8], limits: Limits = .none) {
        self.bytes = bytes
        self.limits = limits
    }

    /// Parses one JSON document (surrounding whitespace allowed).
    public static func parse<Bytes: Collection<UInt8>>(_ input: Bytes) throws(JSONParseError) -> JSONValue {
        try parse(input, limits: .none)
    }

    /// Parses one JSON document, refusing it (`JSONParseError.limit` set) as soon as it passes `limits`.
    public static func parse<Bytes: Collection<UInt8>>(_ input: Bytes, limits: Limits) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(Array(input), limits: limits)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("unexpected data after the JSON value") }
        return value
    }

    /// Parses a JSON document held in a string.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private func error(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input") }
        values += 1
        guard values <= limits.maxValues else {
            throw JSONParseError(offset: index, reason: "more than \(limits.maxValues) values", limit: .values)
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    private mutating func literal(_ word: String) throws(JSONParseError) {
        let utf8 = Array(word.utf8)
        guard bytes.count - index >= utf8.count, Array(bytes[index..<(index + utf8.count)]) == utf8 else {
            throw error("invalid literal")
        }
        index += utf8.count
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        // Small objects (nearly all) find a duplicate by scanning, which beats hashing every key;
        // larger ones build the set, so a hostile object with many keys stays linear.
        var keys: Set<JSONMemberName>?
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            // Names are equal when their code points are (RFC 8259), not under Unicode equivalence (Swift's
            // `==`): "\u00e9" and "e\u0301" are two members.
            if keys == nil, members.count >= 16 { keys = Set(members.map { JSONMemberName($0.key) }) }
            if keys != nil {
                guard keys!.insert(JSONMemberName(key)).inserted else { throw error("duplicate key") }
            } else {
                guard !members.contains(where: { $0.key.hasSameBytes(as: key) }) else { throw error("duplicate key") }
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth)))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            skipWhitespace()
            // Counted before the element is built: a top-level array one over the bound stops here.
            if depth == 1, let most = limits.maxTopLevelElements, elements.count >= most {
                throw JSONParseError(offset: index, reason: "more than \(most) elements", limit: .topLevelElements)
            }
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw error("expected ',' or ']'")
        }
    }

    private mutating func parseNumber() throws(JSONParseError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        func digits(_ parser: inout JSONParser) -> Int {
            let from = parser.index
            while parser.index < parser.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.index]) {
                parser.index += 1
            }
            return parser.index - from
        }
        guard index < bytes.count else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits(&self) == 0 {
            throw error("invalid number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw error("invalid number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw error("invalid number") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        // Fast path: printable ASCII up to the closing quote, as nearly every key and value is.
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { break }
            index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
        }
        var scalars = String.UnicodeScalarView()
        var run: [UInt8] = Array(bytes[start..<index])
        func flush(_ run: inout [UInt8], into scalars: inout String.UnicodeScalarView) {
            guard !run.isEmpty else { return }
            scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
            run.removeAll(keepingCapacity: true)
        }
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                flush(&run, into: &scalars)
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush(&run, into: &scalars)
                index += 1
                guard index < bytes.count else { throw error("unterminated string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    let unit = try hex4()
                    if (0xD800...0xDBFF).contains(unit) {
                        guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("lone surrogate in string")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("lone surrogate in string") }
                        let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        guard let scalar = Unicode.Scalar(value) else { throw error("invalid escape") }
                        scalars.append(scalar)
                    } else {
                        guard let scalar = Unicode.Scalar(unit) else { throw error("lone surrogate in string") }
                        scalars.append(scalar)
                    }
                default:
                    throw error("invalid escape")
                }
            case 0x00..<0x20:
                throw error("control character in string")
            default:
                run.append(byte)
                index += 1
                // Validate UTF-8 strictly: decoding would silently replace bad bytes.
                if byte >= 0x80 {
                    run.removeLast()
                    index -= 1
                    let length = try utf8SequenceLength()
                    run.append(contentsOf: bytes[index..<(index + length)])
                    index += length
                }
            }
        }
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Length of the well-formed UTF-8 sequence at `index`, or an error.
    private func utf8SequenceLength() throws(JSONParseError) -> Int {
        let first = bytes[index]
        let length: Int
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
        switch first {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw error("invalid UTF-8")
        }
        guard bytes.count - index >= length else { throw error("invalid UTF-8") }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            let (lo, hi) = offset == 1 ? (lower, upper) : (UInt8(0x80), UInt8(0xBF))
            guard (lo...hi).contains(byte) else { throw error("invalid UTF-8") }
        }
        return length
    }
}
