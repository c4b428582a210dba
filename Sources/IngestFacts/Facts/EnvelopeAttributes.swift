import Columnstore

/// The CloudEvents attributes a structured fact's members are sorted into, in one pass (duplicate keys
/// are refused, so each attribute is set at most once).
struct EnvelopeAttributes {
    /// The attributes decoding reads; every other member is parsed (so it must be valid) and dropped.
    enum Slot {
        case specversion, id, type, source, time, tenantid, subject, traceparent, correlationid, data

        /// The slot of a decoded key.
        init?(_ key: String) {
            guard let slot = key.utf8.withContiguousStorageIfAvailable({ Slot(ascii: $0) }) ?? Slot(ascii: Array(key.utf8)) else { return nil }
            self = slot
        }

        /// The slot of a key's bytes: by length first, then the bytes (the names are ASCII, so no other
        /// spelling of the same length equals one, as `String` comparison would have it).
        init?(ascii name: UnsafeBufferPointer<UInt8>) {
            switch name.count {
            case 2 where Self.matches(name, "id"): self = .id
            case 4 where Self.matches(name, "type"): self = .type
            case 4 where Self.matches(name, "time"): self = .time
            case 4 where Self.matches(name, "data"): self = .data
            case 6 where Self.matches(name, "source"): self = .source
            case 7 where Self.matches(name, "subject"): self = .subject
            case 8 where Self.matches(name, "tenantid"): self = .tenantid
            case 11 where Self.matches(name, "specversion"): self = .specversion
            case 11 where Self.matches(name, "traceparent"): self = .traceparent
            case 13 where Self.matches(name, "correlationid"): self = .correlationid
            default: return nil
            }
        }

        init?(ascii name: [UInt8]) {
            guard let slot = name.withUnsafeBufferPointer({ Slot(ascii: $0) }) else { return nil }
            self = slot
        }

        @inline(__always)
        private static func matches(_ name: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
            let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            for offset in 0..<name.count where name[offset] != expected[offset] { return false }
            return true
        }

        var name: String {
            switch self {
            case .specversion: "specversion"
            case .id: "id"
            case .type: "type"
            case .source: "source"
            case .time: "time"
            case .tenantid: "tenantid"
            case .subject: "subject"
            case .traceparent: "traceparent"
            case .correlationid: "correlationid"
            case .data: "data"
            }
        }
    }

    var specversion: JSONValue?
    var id: JSONValue?
    var type: JSONValue?
    var source: JSONValue?
    var time: JSONValue?
    var tenantid: JSONValue?
    var subject: JSONValue?
    var traceparent: JSONValue?
    var correlationid: JSONValue?
    var data: JSONValue?

    /// Sets the slot's value; false when it was set already (a duplicate key). The value is taken, not
    /// copied: the parser hands over what it just built.
    mutating func set(_ slot: Slot, _ value: consuming JSONValue) -> Bool {
        switch slot {
        case .specversion: guard specversion == nil else { return false }; specversion = value
        case .id: guard id == nil else { return false }; id = value
        case .type: guard type == nil else { return false }; type = value
        case .source: guard source == nil else { return false }; source = value
        case .time: guard time == nil else { return false }; time = value
        case .tenantid: guard tenantid == nil else { return false }; tenantid = value
        case .subject: guard subject == nil else { return false }; subject = value
        case .traceparent: guard traceparent == nil else { return false }; traceparent = value
        case .correlationid: guard correlationid == nil else { return false }; correlationid = value
        case .data: guard data == nil else { return false }; data = value
        }
        return true
    }
}
