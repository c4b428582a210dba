import Foundation

/// The `X-ClickHouse-Summary` header: counters for the finished query.
public struct ClickHouseSummary: Sendable, Hashable {
    public var readRows: UInt64?
    public var readBytes: UInt64?
    public var writtenRows: UInt64?
    public var writtenBytes: UInt64?
    public var totalRowsToRead: UInt64?
    public var resultRows: UInt64?
    public var resultBytes: UInt64?
    public var elapsedNanoseconds: UInt64?
    /// Every field as sent, including ones not modelled above.
    public var fields: [String: String]

    public init(fields: [String: String]) {
        self.fields = fields
        readRows = fields["read_rows"].flatMap { UInt64($0) }
        readBytes = fields["read_bytes"].flatMap { UInt64($0) }
        writtenRows = fields["written_rows"].flatMap { UInt64($0) }
        writtenBytes = fields["written_bytes"].flatMap { UInt64($0) }
        totalRowsToRead = fields["total_rows_to_read"].flatMap { UInt64($0) }
        resultRows = fields["result_rows"].flatMap { UInt64($0) }
        resultBytes = fields["result_bytes"].flatMap { UInt64($0) }
        elapsedNanoseconds = fields["elapsed_ns"].flatMap { UInt64($0) }
    }

    /// Parses the header's JSON object; ClickHouse sends numbers as strings, both are accepted.
    init?(headerValue: String) {
        // The header is a flat object of plain strings and numbers: read it on the bytes. Anything
        // else (escapes, nesting, odd spacing) goes to JSONSerialization, as every header did before;
        // that one cost a Foundation parse per query on the query API's path.
        if let fields = Self.flatFields(headerValue) {
            self.init(fields: fields)
            return
        }
        self.init(foundationParsing: headerValue)
    }

    /// `{"k":"v","n":12}` with plain values (no escapes, no nesting, no spaces); nil for anything else.
    static func flatFields(_ text: String) -> [String: String]? {
        let bytes = Array(text.utf8)
        var i = 0
        func plain(_ end: UInt8) -> String? {
            let start = i
            while i < bytes.count, bytes[i] != end {
                let b = bytes[i]
                if b == UInt8(ascii: "\\") || b < 0x20 || b == UInt8(ascii: "\"") { return nil }
                i += 1
            }
            guard i < bytes.count else { return nil }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        guard bytes.first == UInt8(ascii: "{") else { return nil }
        i = 1
        var fields: [String: String] = [:]
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return i + 1 == bytes.count ? fields : nil }
        while true {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            guard let key = plain(UInt8(ascii: "\"")) else { return nil }
            i += 1
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "\"") {
                i += 1
                guard let value = plain(UInt8(ascii: "\"")) else { return nil }
                i += 1
                fields[key] = value
            } else {
                // A plain non-negative integer only; other numbers keep NSNumber's spelling.
                let start = i
                while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
                guard i > start, i - start < 19, bytes[start] != UInt8(ascii: "0") || i - start == 1 else { return nil }
                fields[key] = String(decoding: bytes[start..<i], as: UTF8.self)
            }
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            guard bytes[i] == UInt8(ascii: "}"), i + 1 == bytes.count else { return nil }
            return fields
        }
    }

    /// The header parsed by JSONSerialization (the general path).
    init?(foundationParsing headerValue: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(headerValue.utf8)) as? [String: Any] else {
            return nil
        }
        var fields: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case let string as String: fields[key] = string
            case let number as NSNumber: fields[key] = number.stringValue
            default: continue
            }
        }
        self.init(fields: fields)
    }
}
