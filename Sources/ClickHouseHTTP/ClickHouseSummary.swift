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
