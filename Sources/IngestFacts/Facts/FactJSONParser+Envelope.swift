import Columnstore

extension FactJSONParser {
    /// A structured fact's body, read for its attributes.
    enum Envelope {
        case attributes(EnvelopeAttributes)
        /// Valid JSON, but not an object.
        case notAnObject
    }

    /// A top-level key: one of the attributes decoding reads, or another member's decoded name.
    private enum EnvelopeKey {
        case attribute(EnvelopeAttributes.Slot)
        case other(String)
    }

    /// Parses a structured CloudEvent straight into its attributes: the top-level members are sorted as
    /// they are read, so neither a member list nor a `String` per attribute key is built. Accepts and
    /// refuses exactly what `parse(_:)` does (the same grammar, depth, encodings and duplicate keys).
    static func parseEnvelope(_ body: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> Envelope {
        try reading(body) { (parser: inout FactJSONParser) throws(JSONParseError) in try parser.parseEnvelopeDocument() }
    }

    private mutating func parseEnvelopeDocument() throws(JSONParseError) -> Envelope {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            // Anything else is parsed as a document, so invalid JSON is still told from a valid array.
            _ = try parseDocument()
            return .notAnObject
        }
        var attributes = EnvelopeAttributes()
        try parseEnvelopeMembers(into: &attributes)
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected data after the JSON value") }
        return .attributes(attributes)
    }

    /// `parseObject(depth: 1)`, with each member handed to the attributes instead of kept.
    private mutating func parseEnvelopeMembers(into attributes: inout EnvelopeAttributes) throws(JSONParseError) {
        index += 1
        // Other members' names, only to refuse duplicates (scanned while few, then indexed).
        var others: [String] = []
        var otherIndex: Set<JSONMemberName> = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseEnvelopeKey()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            switch key {
            case .attribute(let slot):
                guard attributes.set(slot, try parseValue(depth: 1)) else { throw duplicate(slot.name) }
            case .other(let name):
                try skipOtherValue()
                if others.count < Self.scanLimit {
                    guard !others.contains(where: { $0.matchesKey(name) }) else { throw duplicate(name) }
                    others.append(name)
                } else {
                    if otherIndex.isEmpty { otherIndex = Set(others.map(JSONMemberName.init)) }
                    guard otherIndex.insert(JSONMemberName(name)).inserted else { throw duplicate(name) }
                }
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return }
            guard bytes[index] == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
            index += 1
            skipWhitespace()
            // A trailing comma is accepted, as JSONSerialization did.
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
        }
    }

    /// Validates a value no attribute needs, as `parseValue(depth: 1)` would, without building it
    /// when it is a plain ASCII string (e.g. `datacontenttype`).
    private mutating func skipOtherValue() throws(JSONParseError) {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            _ = try parseValue(depth: 1)
            return
        }
        let quote = index
        index += 1
        skipPlainASCII()
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { index += 1; return }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            index += 1
        }
        // Escapes, other bytes or no end: the string parser validates (and refuses) them.
        index = quote
        _ = try parseString()
    }

    /// A key at `index` (on its opening quote). A plain ASCII key is matched against the attribute
    /// names in place; a key with escapes or other bytes is decoded (and validated) as any string.
    private mutating func parseEnvelopeKey() throws(JSONParseError) -> EnvelopeKey {
        // The usual keys, recognised by comparing the bytes in place (the comparison is the scan).
        if let (slot, length) = attributeKey(at: index + 1) {
            index += length + 2
            return .attribute(slot)
        }
        let quote = index
        index += 1
        skipPlainASCII()
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let name = UnsafeBufferPointer(rebasing: bytes[(quote + 1)..<index])
                index += 1
                if let slot = EnvelopeAttributes.Slot(ascii: name) { return .attribute(slot) }
                return .other(Self.asciiString(name))
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            index += 1
        }
        index = quote
        let key = try parseString()
        if let slot = EnvelopeAttributes.Slot(key) { return .attribute(slot) }
        return .other(key)
    }

    /// The attribute whose name, then a closing quote, is at `start`, with the name's length.
    @inline(__always)
    private func attributeKey(at start: Int) -> (EnvelopeAttributes.Slot, Int)? {
        guard start < bytes.count else { return nil }
        func named(_ literal: StaticString, _ slot: EnvelopeAttributes.Slot) -> (EnvelopeAttributes.Slot, Int)? {
            let length = literal.utf8CodeUnitCount
            guard bytes.count - start > length, bytes[start + length] == UInt8(ascii: "\"") else { return nil }
            let name = literal.utf8Start
            for offset in 1..<length where bytes[start + offset] != name[offset] { return nil }
            return (slot, length)
        }
        switch bytes[start] {
        case UInt8(ascii: "i"): return named("id", .id)
        case UInt8(ascii: "t"): return named("type", .type) ?? named("time", .time) ?? named("tenantid", .tenantid) ?? named("traceparent", .traceparent)
        case UInt8(ascii: "s"): return named("specversion", .specversion) ?? named("source", .source) ?? named("subject", .subject)
        case UInt8(ascii: "d"): return named("data", .data)
        case UInt8(ascii: "c"): return named("correlationid", .correlationid)
        default: return nil
        }
    }
}
