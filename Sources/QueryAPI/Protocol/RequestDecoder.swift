import Columnstore
import Foundation

/// Turns a request (JSON body or query string) into typed query parameters, following the
/// proto3 JSON mapping of the RPC's request message and its `(projection.v1.param)` hints.
///
/// Rules: both the proto name and the lowerCamelCase JSON name are accepted (not both at once);
/// unknown fields are rejected (proto3 JSON's default); `null` means absent, and so does the zero
/// value of a field without presence (proto3's binary form cannot tell them apart); integers may be
/// JSON numbers or decimal strings; bytes are base64; enums are names or numbers; every error names
/// the field.
enum RequestDecoder {
    /// Longest accepted string parameter, in UTF-8 bytes.
    static let maxStringBytes = 4096
    /// Dates both stores represent: ClickHouse `Date` spans 1970-01-01…2149-06-06 (the stored date domain).
    static let dateRange: ClosedRange<Int32> = 0...65_535
    /// The stored timestamp domain, 1900-01-01…2299-12-31 (ValueDomain.timestamps): ClickHouse
    /// `DateTime64(P)` placeholders with P ≤ 8 hold all of it (the catalog refuses DateTime64(9), which
    /// ends in 2262, and requires DateTime64 for timestamps), Postgres `timestamptz` more.
    static let timestampRange: ClosedRange<Int64> = ValueDomain.timestamps
    /// The largest uint64 both stores hold (Postgres has no unsigned bigint; ValueDomain.maxUInt64).
    static let maxUInt64 = ValueDomain.maxUInt64
    /// The ranges as the OpenAPI document and error messages state them.
    static let dateRangeText = "1970-01-01 to 2149-06-06"
    static let timestampRangeText = ValueDomain.timestampRangeText.replacingOccurrences(of: " ... ", with: " to ")

    /// Decodes a JSON request body; an empty body is the empty message.
    static func decode(body: [UInt8], method: QueryMethodSchema) throws(ConnectError) -> [String: ColumnValue] {
        if body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return try decode(json: .object([]), method: method) }
        let json: JSONValue
        do {
            json = try JSONParser.parse(body)
        } catch {
            throw ConnectError(.invalidArgument, "request body: malformed JSON: \(error)")
        }
        return try decode(json: json, method: method)
    }

    static func decode(json: JSONValue, method: QueryMethodSchema) throws(ConnectError) -> [String: ColumnValue] {
        guard case .object(let members) = json else {
            throw ConnectError(.invalidArgument, "request body: expected a JSON object, got \(json.typeName)")
        }
        var given: [String: (key: String, value: JSONValue)] = [:]
        for member in members {
            guard let field = field(named: member.key, in: method) else {
                throw ConnectError.invalid(printable(member.key), "unknown field of \(method.requestMessage)")
            }
            if let previous = given[field.name] {
                throw ConnectError.invalid(field.name, "given twice (as \(printable(previous.key)) and \(printable(member.key)))")
            }
            given[field.name] = member
        }
        var values: [String: ColumnValue] = [:]
        for field in method.requestFields {
            let value = given[field.name]?.value
            if let value, value != .null, field.isOptional || !isZero(value, field: field) {
                values[field.name] = try convert(value, field: field)
            } else {
                values[field.name] = try absent(field)
            }
        }
        try checkRanges(values, method: method)
        return values
    }

    /// Decodes a GET query string in the plain form, one item per field (Connect's GET form, with
    /// `encoding` and `message`, is `ConnectGetRequest`'s).
    static func decode(query items: [(name: String, value: String)], method: QueryMethodSchema) throws(ConnectError) -> [String: ColumnValue] {
        var members: [(key: String, value: JSONValue)] = []
        var seen = Set<String>()
        for item in items where !["connect", "encoding"].contains(item.name) {
            guard seen.insert(item.name).inserted else {
                throw ConnectError.invalid(printable(item.name), "given twice")
            }
            // Query-string values are text; `convert` accepts text for every scalar type.
            members.append((item.name, .string(item.value)))
        }
        return try decode(json: .object(members), method: method)
    }

    static func field(named key: String, in method: QueryMethodSchema) -> QueryFieldSchema? {
        method.requestFields.first { $0.name == key } ?? method.requestFields.first { $0.jsonName == key }
    }

    /// A key as it may appear in a message: truncated and without control characters.
    static func printable(_ key: String) -> String {
        let cleaned = String(String.UnicodeScalarView(key.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(64)))
        return "'\(cleaned)'"
    }

    private static func absent(_ field: QueryFieldSchema) throws(ConnectError) -> ColumnValue {
        if field.hints?.isRequired == true { throw ConnectError.invalid(field.name, "is required") }
        if let defaultValue = field.hints?.defaultValue {
            // The loader refuses defaults that do not fit; should one slip through, it is the server's
            // mistake (internal), never a crash.
            do {
                return try integer(.string(String(defaultValue)), field: field)
            } catch {
                throw ConnectError(.internal, "the parameter's default does not fit its field",
                                   detail: "\(field.name): default_value \(defaultValue) does not fit \(field.type): \(error.message)")
            }
        }
        // proto3: an absent field has its type's zero value; typed strings have none.
        if field.hints?.valueType != nil { return .null }
        switch field.type {
        case .string, .bytes: return .string("")
        case .enumeration: return .string(field.enumDefault ?? "")
        case .bool: return .bool(false)
        case .int32, .int64, .uint32: return .int64(0)
        case .uint64: return .uint64(0)
        case .float, .double: return .float64(0)
        case .timestamp, .message: return .null
        }
    }

    /// Whether `value` is the zero value of a field without presence (`0`, `""`, `false`, the zero
    /// enum, empty bytes; +0.0 but not -0.0, which protobuf writes). Checked before `convert`, so
    /// hints such as `min` do not refuse what stands for an absent field.
    static func isZero(_ value: JSONValue, field: QueryFieldSchema) -> Bool {
        switch (field.type, value) {
        case (.string, .string(let text)), (.bytes, .string(let text)):
            return text.isEmpty
        case (.enumeration, _):
            return (try? enumNumber(value, field: field)) == 0
        case (.bool, .bool(let b)):
            return !b
        case (.bool, .string(let text)):
            return text == "false"
        case (.int32, .number(let text)), (.int32, .string(let text)), (.int64, .number(let text)), (.int64, .string(let text)),
             (.uint32, .number(let text)), (.uint32, .string(let text)), (.uint64, .number(let text)), (.uint64, .string(let text)):
            switch parseInteger(text) {
            case .positive(0)?, .negative(0)?: return true
            default: return false
            }
        case (.float, .number(let text)), (.float, .string(let text)), (.double, .number(let text)), (.double, .string(let text)):
            guard text.utf8.count <= 64, let d = Double(text) else { return false }
            return d == 0 && d.sign == .plus
        default:
            return false
        }
    }

    static func convert(_ value: JSONValue, field: QueryFieldSchema) throws(ConnectError) -> ColumnValue {
        let name = field.name
        switch field.type {
        case .bytes:
            return try bytes(value, field: name)
        case .enumeration:
            let number = try enumNumber(value, field: field)
            return .string(field.enumNames[number] ?? "")
        case .string:
            guard case .string(let text) = value else { throw ConnectError.invalid(name, "expected a string, got \(value.typeName)") }
            try checkText(text, field: name)
            switch field.hints?.valueType {
            case .date?:
                guard let days = RFC3339.parseDate(text) else { throw ConnectError.invalid(name, "expected a date YYYY-MM-DD") }
                guard dateRange.contains(days) else { throw ConnectError.invalid(name, "date out of range (\(dateRangeText))") }
                return .date(days)
            case .timestamp?:
                return try timestamp(text, field: name)
            default:
                return .string(text)
            }
        case .timestamp:
            guard case .string(let text) = value else { throw ConnectError.invalid(name, "expected an RFC 3339 timestamp string, got \(value.typeName)") }
            return try timestamp(text, field: name)
        case .bool:
            switch value {
            case .bool(let b): return .bool(b)
            case .string("true"): return .bool(true)
            case .string("false"): return .bool(false)
            default: throw ConnectError.invalid(name, "expected true or false")
            }
        case .int32, .int64, .uint32, .uint64:
            return try integer(value, field: field)
        case .float, .double:
            let text: String
            switch value {
            case .number(let n): text = n
            case .string(let s): text = s
            default: throw ConnectError.invalid(name, "expected a number, got \(value.typeName)")
            }
            switch text {
            case "NaN": return .float64(.nan)
            case "Infinity": return .float64(.infinity)
            case "-Infinity": return .float64(-.infinity)
            default:
                guard text.utf8.count <= 64, let d = Double(text), d.isFinite else { throw ConnectError.invalid(name, "expected a number") }
                // A 32-bit float cannot carry more (the binary codec could not send it either).
                if field.type == .float, !Float(d).isFinite { throw ConnectError.invalid(name, "out of range for a 32-bit float") }
                return .float64(d)
            }
        case .message:
            throw ConnectError.invalid(name, "message fields are not supported")
        }
    }

    /// ProtoJSON bytes: base64, standard or URL-safe, padding optional. The bytes bind as SQL text,
    /// so they must be UTF-8 (the binary codec's bytes reach here base64-encoded: the same checks).
    private static func bytes(_ value: JSONValue, field: String) throws(ConnectError) -> ColumnValue {
        guard case .string(let encoded) = value else { throw ConnectError.invalid(field, "expected a base64 string, got \(value.typeName)") }
        guard encoded.utf8.count <= (maxStringBytes + 2) / 3 * 4 + 2 else { throw ConnectError.invalid(field, "longer than \(maxStringBytes) bytes") }
        guard let decoded = Base64.decode(encoded) else { throw ConnectError.invalid(field, "expected base64 (standard or URL-safe)") }
        // Decoding replaces invalid sequences, so a lossless round trip means valid UTF-8.
        let text = String(decoding: decoded, as: UTF8.self)
        guard text.utf8.elementsEqual(decoded) else { throw ConnectError.invalid(field, "is not valid UTF-8 (bytes parameters bind as text)") }
        try checkText(text, field: field)
        return .string(text)
    }

    /// An enum value's number from its name (an alias too) or its number (a JSON number, or decimal
    /// text as GET query strings carry it); unknown ones are refused, as by the binary codec.
    static func enumNumber(_ value: JSONValue, field: QueryFieldSchema) throws(ConnectError) -> Int32 {
        let text: String
        let number: Int32?
        switch value {
        case .string(let name):
            text = name
            number = field.enumValues[name] ?? Int32(name)
        case .number(let digits):
            text = digits
            number = Int32(digits)
        default:
            throw ConnectError.invalid(field.name, "expected an enum name or number, got \(value.typeName)")
        }
        guard let number, field.enumNames[number] != nil else {
            throw ConnectError.invalid(field.name, "unknown enum value \(printable(text))")
        }
        return number
    }

    private static func checkText(_ text: String, field: String) throws(ConnectError) {
        guard text.utf8.count <= maxStringBytes else { throw ConnectError.invalid(field, "longer than \(maxStringBytes) bytes") }
        guard !text.unicodeScalars.contains("\0") else { throw ConnectError.invalid(field, "contains a NUL character") }
    }

    private static func timestamp(_ text: String, field: String) throws(ConnectError) -> ColumnValue {
        guard text.utf8.count <= 64, let millis = RFC3339.parseMilliseconds(text) else {
            throw ConnectError.invalid(field, "expected an RFC 3339 timestamp")
        }
        guard timestampRange.contains(millis) else { throw ConnectError.invalid(field, "timestamp out of range (\(timestampRangeText))") }
        return .timestamp(millis)
    }

    private static func integer(_ value: JSONValue, field: QueryFieldSchema) throws(ConnectError) -> ColumnValue {
        let name = field.name
        let text: String
        switch value {
        case .number(let n): text = n
        case .string(let s): text = s
        default: throw ConnectError.invalid(name, "expected an integer, got \(value.typeName)")
        }
        let bounds: (Int64, UInt64)
        switch field.type {
        case .int32: bounds = (Int64(Int32.min), UInt64(Int32.max))
        case .uint32: bounds = (0, UInt64(UInt32.max))
        case .int64: bounds = (Int64.min, UInt64(Int64.max))
        default: bounds = (0, maxUInt64)
        }
        guard let parsed = parseInteger(text) else { throw ConnectError.invalid(name, "expected an integer") }
        let inType: Bool
        switch parsed {
        case .negative(let v): inType = v >= bounds.0
        case .positive(let v): inType = v <= bounds.1
        case .outOfRange: inType = false
        }
        guard inType else {
            if field.type == .uint64, case .positive = parsed {
                throw ConnectError.invalid(name, "out of range for uint64: at most \(maxUInt64), the largest both stores hold")
            }
            if field.type == .uint64, case .outOfRange = parsed, !text.hasPrefix("-") {
                throw ConnectError.invalid(name, "out of range for uint64: at most \(maxUInt64), the largest both stores hold")
            }
            throw ConnectError.invalid(name, "out of range for \(field.type)")
        }
        let lower = field.hints?.minimum, upper = field.hints?.maximum
        switch parsed {
        case .negative(let v):
            if let lower, v < lower { throw ConnectError.invalid(name, "must be at least \(lower)") }
            if let upper, v > upper { throw ConnectError.invalid(name, "must be at most \(upper)") }
            return .int64(v)
        case .positive(let v):
            if let lower, lower > 0, v < UInt64(lower) { throw ConnectError.invalid(name, "must be at least \(lower)") }
            if let upper, upper < 0 || v > UInt64(upper) { throw ConnectError.invalid(name, "must be at most \(upper)") }
            return field.type == .uint64 ? .uint64(v) : .int64(Int64(v))
        case .outOfRange:
            throw ConnectError.invalid(name, "out of range")
        }
    }

    private enum ParsedInteger {
        case negative(Int64)
        case positive(UInt64)
        case outOfRange
    }

    /// Decimal integers, also in the integral exponent/fraction forms proto3 JSON allows (`1e2`, `5.0`).
    private static func parseInteger(_ text: String) -> ParsedInteger? {
        guard !text.isEmpty, text.utf8.count <= 400 else { return text.isEmpty ? nil : .outOfRange }
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        if !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            if text.hasPrefix("-") {
                if let v = Int64(text) { return .negative(v) }
                return .outOfRange
            }
            if let v = UInt64(text) { return .positive(v) }
            return .outOfRange
        }
        // Number syntax only (not "inf", "0x10"), read exactly: `5.0000000000000001` is no integer and
        // `1e18` is one (through a Double the first became 5 and the second was refused).
        switch JSONInteger(text, maxDigits: 40) {
        case .integer(let canonical):
            if canonical.hasPrefix("-") { return Int64(canonical).map(ParsedInteger.negative) ?? .outOfRange }
            return UInt64(canonical).map(ParsedInteger.positive) ?? .outOfRange
        case .tooLong: return .outOfRange
        case .fraction, .invalid: return nil
        }
    }

    /// `from_<x>` must not be after `to_<x>` when both are dates or timestamps.
    private static func checkRanges(_ values: [String: ColumnValue], method: QueryMethodSchema) throws(ConnectError) {
        for field in method.requestFields where field.name.hasPrefix("from_") {
            let partner = "to_" + field.name.dropFirst("from_".count)
            let after: Bool
            switch (values[field.name], values[partner]) {
            case (.date(let from)?, .date(let to)?): after = from > to
            case (.timestamp(let from)?, .timestamp(let to)?): after = from > to
            default: after = false
            }
            if after { throw ConnectError.invalid(field.name, "must not be after \(partner)") }
        }
    }
}
