import Columnstore

/// Parses fact bodies into `JSONValue` straight from the bytes. It replaces `JSONSerialization`
/// (Foundation objects, bridging, dynamic casts: most of ingest's CPU) and deliberately accepts
/// exactly what it accepted, so no fact changes fate: trailing commas after a member or element,
/// nesting up to 512 containers (duplicate keys are refused as ambiguous), a UTF-8 BOM and UTF-16/32 bodies
/// (see `FactJSONParser+Encoding`); only an object or an array at the top level.
struct FactJSONParser {
    /// Deepest container nesting accepted, JSONSerialization's limit.
    static let maximumDepth = 512
    /// Objects up to this many members find duplicates by scanning; larger ones build an index, so a
    /// hostile object with many keys stays linear.
    static let scanLimit = 16

    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, start: Int) {
        self.bytes = bytes
        self.index = start
    }

    /// Parses one JSON document whose top level is an object or an array.
    static func parse(_ body: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = body.withUnsafeBufferPointer { buffer in
            do throws(JSONParseError) {
                return .success(try parse(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses in place (the ingest reads the body where libnats received it, without a copy).
    static func parse(_ body: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        try reading(body) { (parser: inout FactJSONParser) throws(JSONParseError) in try parser.parseDocument() }
    }

    /// Runs `read` with a parser over the body's UTF-8: in place after any BOM, or transcoded from
    /// UTF-16/32 (rare: the copy is not on the hot path).
    static func reading<T>(_ body: UnsafeBufferPointer<UInt8>, _ read: (inout FactJSONParser) throws(JSONParseError) -> T) throws(JSONParseError) -> T {
        switch FactJSONParser.encoding(of: body) {
        case .utf8(let skip):
            var parser = FactJSONParser(body, start: skip)
            return try read(&parser)
        case .transcoded(let utf8):
            let result: Result<T, JSONParseError> = utf8.withUnsafeBufferPointer { buffer in
                var parser = FactJSONParser(buffer, start: 0)
                do throws(JSONParseError) {
                    return .success(try read(&parser))
                } catch {
                    return .failure(error)
                }
            }
            return try result.get()
        case .undecodable:
            throw JSONParseError(offset: 0, reason: "the body is not in a Unicode encoding")
        }
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        // JSONSerialization without `.fragmentsAllowed`: a bare scalar is not a document.
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "[") else {
            throw error("expected an object or an array")
        }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected data after the JSON value") }
        return value
    }

    func error(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal(0x74_72_75_65, length: 4); return .bool(true)
        case UInt8(ascii: "f"): try literal(0x66_61_6C_73_65, length: 5); return .bool(false)
        case UInt8(ascii: "n"): try literal(0x6E_75_6C_6C, length: 4); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    /// Matches `length` bytes against `word` (its ASCII bytes, big-endian), without allocating.
    private mutating func literal(_ word: UInt64, length: Int) throws(JSONParseError) {
        guard bytes.count - index >= length else { throw error("invalid literal") }
        for offset in 0..<length where bytes[index + offset] != UInt8(truncatingIfNeeded: word >> (8 * UInt64(length - 1 - offset))) {
            throw error("invalid literal")
        }
        index += length
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        var positions: [JSONMemberName: Int] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        members.reserveCapacity(8)
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            try insert(key, value, into: &members, positions: &positions)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            guard bytes[index] == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
            index += 1
            skipWhitespace()
            // A trailing comma is accepted, as JSONSerialization did.
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        }
    }

    /// Appends a member. A key that occurs twice makes the fact ambiguous (a `tenantid` sent twice
    /// would pick its tenant by parser), so it is refused rather than resolved; the query API's request
    /// parser refuses duplicates too.
    private func insert(_ key: String, _ value: consuming JSONValue, into members: inout [(key: String, value: JSONValue)], positions: inout [JSONMemberName: Int]) throws(JSONParseError) {
        if members.count < Self.scanLimit {
            guard !members.contains(where: { $0.key.matchesKey(key) }) else { throw duplicate(key) }
            members.append((key, value))
            return
        }
        if positions.isEmpty {
            for (position, member) in members.enumerated() { positions[JSONMemberName(member.key)] = position }
        }
        guard positions[JSONMemberName(key)] == nil else { throw duplicate(key) }
        positions[JSONMemberName(key)] = members.count
        members.append((key, value))
    }

    func duplicate(_ key: String) -> JSONParseError {
        let shown = key.count > 64 ? String(key.prefix(64)) + "…" : key
        return error("duplicate key '\(shown)' (ambiguous)")
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            guard bytes[index] == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        }
    }

    /// The number's literal text, validated against RFC 8259. Its magnitude is the column's business:
    /// `1e400` is a valid number that no double holds, refused by the mapper with the field's name.
    private mutating func parseNumber() throws(JSONParseError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if skipDigits() == 0 {
            throw error("invalid number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { throw error("invalid number") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw error("invalid number") }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private mutating func skipDigits() -> Int {
        let from = index
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        return index - from
    }
}
