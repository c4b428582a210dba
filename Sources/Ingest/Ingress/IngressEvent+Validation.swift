import Columnstore

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (48...57).contains(self) || (65...70).contains(self) || (97...102).contains(self)
    }
}

extension IngressEvent {
    /// Attributes the consumer reads as strings; a number or bool there would be quarantined later.
    static let stringAttributes: Set<String> = [
        "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema",
        "tenantid", "payloadhash", "correlationid", "traceparent", "tracestate",
    ]

    /// Validates an event's attributes (structured: the members of its JSON object but `data`;
    /// binary: its `ce-*` headers and Content-Type) and its data. Errors name the attribute.
    init(attributes raw: [(key: String, value: JSONValue)], data: JSONValue?) throws(IngressError) {
        var attributes: [(key: String, value: JSONValue)] = []
        attributes.reserveCapacity(raw.count)
        // The string attributes validation reads, kept in locals (a dictionary's hashing showed in batch profiles).
        var specversion, id, source, type, time, datacontenttype, dataschema, tenantid, payloadhash: String?
        for (name, value) in raw {
            guard (1...20).contains(name.utf8.count), name.utf8.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) }) else {
                throw IngressError(.invalidEvent, attribute: String(name.prefix(64)), "attribute names are 1 to 20 lowercase letters or digits (CloudEvents 1.0)")
            }
            // `data` is the event's payload, never an attribute (a `ce-data` header in binary mode).
            guard name != "data" else {
                throw IngressError(.invalidEvent, attribute: "data", "is not an attribute: in binary mode the request body is the data")
            }
            switch value {
            case .null: continue
            case .string(let s):
                guard Self.isCloudEventsString(s) else {
                    throw IngressError(.invalidEvent, attribute: name, "contains a control character or a Unicode noncharacter (CloudEvents String)")
                }
                switch name {
                case "specversion": specversion = s
                case "id": id = s
                case "source": source = s
                case "type": type = s
                case "time": time = s
                case "datacontenttype": datacontenttype = s
                case "dataschema": dataschema = s
                case "tenantid": tenantid = s
                case "payloadhash": payloadhash = s
                default: break
                }
            case .bool:
                guard !Self.stringAttributes.contains(name) else {
                    throw IngressError(.invalidEvent, attribute: name, "must be a string")
                }
            case .number(let literal):
                guard !Self.stringAttributes.contains(name) else {
                    throw IngressError(.invalidEvent, attribute: name, "must be a string")
                }
                // CloudEvents has no float type: a number is an Integer, 32-bit, written without fraction or exponent.
                guard Self.isCloudEventsInteger(literal) else {
                    throw IngressError(.invalidEvent, attribute: name, "extension numbers must be integers from -2147483648 to 2147483647 (CloudEvents Integer)")
                }
            case .array, .object:
                throw IngressError(.invalidEvent, attribute: name, Self.stringAttributes.contains(name) ? "must be a string" : "extension values must be a string, number or boolean")
            }
            attributes.append((key: name, value: value))
        }
        guard let version = specversion else {
            throw IngressError(.invalidEvent, attribute: "specversion", "is required")
        }
        guard version == "1.0" else {
            throw IngressError(.invalidEvent, attribute: "specversion", "must be 1.0")
        }
        func required(_ value: String?, _ name: String) throws(IngressError) -> String {
            guard let value, !value.isEmpty else {
                throw IngressError(.invalidEvent, attribute: name, "is required (a non-empty string)")
            }
            return value
        }
        self.id = try required(id, "id")
        self.source = try required(source, "source")
        guard Self.isURIReference(self.source, absolute: false) else {
            throw IngressError(.invalidEvent, attribute: "source", "must be a URI-reference (RFC 3986: no spaces, '%' only as %HH), e.g. /shop or urn:shop:1")
        }
        self.type = try required(type, "type")
        guard SubjectTemplate.isTypeTokens(self.type) else {
            throw IngressError(.invalidEvent, attribute: "type", "must be dot-separated non-empty tokens without spaces, '*', '>', '{' or '}' (it becomes part of the subject)")
        }
        // The consumer's own parse too: a date that does not exist (02-31) would pass the syntax and be
        // quarantined later, after a 200.
        if let time, !Self.isRFC3339(time) || RFC3339.parseMilliseconds(time) == nil {
            throw IngressError(.invalidEvent, attribute: "time", "must be an RFC 3339 timestamp of a real date, e.g. 2026-11-01T10:00:00Z")
        }
        if let contentType = datacontenttype, !Self.isJSONMediaType(contentType) {
            throw IngressError(.invalidEvent, attribute: "datacontenttype", "must be application/json or a +json type: data must be a JSON object")
        }
        if let schema = dataschema, !Self.isURIReference(schema, absolute: true) {
            throw IngressError(.invalidEvent, attribute: "dataschema", "must be an absolute URI (RFC 3986), e.g. https://example.com/schema.json")
        }
        if let subject = raw.first(where: { $0.key == "subject" }), case .string("") = subject.value {
            throw IngressError(.invalidEvent, attribute: "subject", "must not be empty when present")
        }
        if let tenant = tenantid, !SubjectTemplate.isTenantToken(tenant) {
            throw IngressError(.invalidEvent, attribute: "tenantid", "must be a non-empty token without '.', '*', '>' or spaces")
        }
        claimedTenant = tenantid
        switch data {
        case nil, .null?: self.data = nil
        case .object?: self.data = data
        default: throw IngressError(.invalidEvent, attribute: "data", "must be a JSON object")
        }
        payloadHash = payloadhash
        if let payloadhash { try PayloadHash.verify(payloadhash, data: self.data) }
        self.attributes = attributes
    }

    /// A JSON media type (CloudEvents JSON format 3.1.1): `*/json` or `*/*+json` once parameters are stripped,
    /// both parts RFC 6838 names (so `text/json` is JSON and `/+json` is no media type).
    static func isJSONMediaType(_ value: String) -> Bool {
        if value == "application/json" { return true }  // nearly every event: skip the lowercasing
        let media = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let parts = media.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, isMediaTypeName(parts[0]), isMediaTypeName(parts[1]) else { return false }
        return parts[1] == "json" || (parts[1].hasSuffix("+json") && parts[1].count > 5)
    }

    /// RFC 6838 `restricted-name`: a letter or digit, then up to 126 of letters, digits and ``!#$&-^_.+``.
    static func isMediaTypeName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 127, isAlphaNumeric(first) else { return false }
        return name.utf8.allSatisfy { isAlphaNumeric($0) || mediaTypeNameMarks.contains($0) }
    }

    // Made once: these checks run for every event (its `source`), so no per-call arrays.
    private static let mediaTypeNameMarks = Array("!#$&-^_.+".utf8)
    private static let uriMarks = Array("-._~:/?#[]@!$&'()*+,;=".utf8)

    private static func isAlphaNumeric(_ b: UInt8) -> Bool {
        (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b)
    }

    /// A CloudEvents String: no control characters (U+0000–U+001F, U+007F–U+009F) and no noncharacters.
    static func isCloudEventsString(_ value: String) -> Bool {
        // Nearly every attribute is printable ASCII: one pass over the bytes decides.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return true }
        return value.unicodeScalars.allSatisfy { scalar in
            let v = scalar.value
            if v < 0x20 || (0x7F...0x9F).contains(v) { return false }
            if (0xFDD0...0xFDEF).contains(v) || (v & 0xFFFE) == 0xFFFE { return false }
            return true
        }
    }

    /// A CloudEvents Integer as JSON writes it: `-?(0|[1-9][0-9]*)`, within 32 bits.
    static func isCloudEventsInteger(_ literal: String) -> Bool {
        let digits = literal.utf8.first == UInt8(ascii: "-") ? literal.utf8.dropFirst() : literal.utf8[...]
        guard let first = digits.first, digits.allSatisfy({ (48...57).contains($0) }), first != 48 || digits.count == 1 else { return false }
        return Int32(literal) != nil
    }

    /// RFC 3986 URI-reference, checked lightly: only URI characters, `%` only as `%HH`, and a scheme (when
    /// there is a ':' before any '/', '?' or '#') of a letter then letters, digits, '+', '-' or '.'.
    /// `absolute`: the scheme is required (a URI, not a relative reference).
    static func isURIReference(_ value: String, absolute: Bool) -> Bool {
        let b = Array(value.utf8)
        guard !b.isEmpty else { return false }
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < b.count, b[i + 1].isHexDigit, b[i + 2].isHexDigit else { return false }
                i += 3
                continue
            }
            guard isAlphaNumeric(c) || uriMarks.contains(c) else { return false }
            i += 1
        }
        // The scheme, if any: what comes before the first ':' when no '/', '?' or '#' precedes it.
        let delimiter = b.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? b.count
        guard let colon = b.firstIndex(of: UInt8(ascii: ":")), colon < delimiter else { return !absolute }
        let scheme = b[..<colon]
        guard let first = scheme.first, (65...90).contains(first) || (97...122).contains(first) else { return false }
        return scheme.allSatisfy { isAlphaNumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    /// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, with fields in range.
    static func isRFC3339(_ value: String) -> Bool {
        let b = Array(value.utf8)
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var n = 0
            for i in at..<(at + count) {
                guard (48...57).contains(b[i]) else { return nil }
                n = n * 10 + Int(b[i] - 48)
            }
            return n
        }
        guard b.count >= 20, let _ = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45, let day = digits(8, 2),
              b[10] == 84 || b[10] == 116 || b[10] == 32, let hour = digits(11, 2), b[13] == 58, let minute = digits(14, 2), b[16] == 58,
              let second = digits(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return false }
        var i = 19
        if i < b.count, b[i] == 46 {
            i += 1
            let start = i
            while i < b.count, (48...57).contains(b[i]) { i += 1 }
            guard i > start else { return false }
        }
        guard i < b.count else { return false }
        // :60 only where a leap second can be (23:59:60 UTC), by the rule facts are read with.
        if second == 60, RFC3339.parseMilliseconds(value) == nil { return false }
        if b[i] == 90 || b[i] == 122 { return i + 1 == b.count }
        guard b[i] == 43 || b[i] == 45, let offsetHour = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == 58,
              let offsetMinute = digits(i + 4, 2), i + 6 == b.count else { return false }
        return offsetHour < 24 && offsetMinute < 60
    }
}
