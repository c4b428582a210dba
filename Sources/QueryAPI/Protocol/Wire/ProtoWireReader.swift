/// Reads the protobuf binary format field by field. Bounds-checked throughout: a truncated or
/// malformed message is an error, never a crash or an out-of-bounds read.
struct ProtoWireReader {
    struct Malformed: Error, Equatable {
        var reason: String
    }

    private let bytes: [UInt8]
    private var offset: Int
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
        self.end = bytes.count
    }

    private init(bytes: [UInt8], offset: Int, end: Int) {
        self.bytes = bytes
        self.offset = offset
        self.end = end
    }

    var isAtEnd: Bool { offset >= end }

    /// The next field's number and wire type.
    mutating func readTag() throws(Malformed) -> (number: Int, wireType: ProtoWireType) {
        let tag = try readVarint()
        let number = tag >> 3
        guard number >= 1, number <= 536_870_911 else { throw Malformed(reason: "invalid field number \(number)") }
        guard let wireType = ProtoWireType(rawValue: UInt8(tag & 7)) else { throw Malformed(reason: "invalid wire type \(tag & 7)") }
        return (Int(number), wireType)
    }

    mutating func readVarint() throws(Malformed) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw Malformed(reason: "truncated varint") }
            let byte = bytes[offset]
            offset += 1
            // The tenth byte may only carry the top bit of a 64-bit value.
            if shift == 63, byte > 1 { throw Malformed(reason: "varint longer than 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func readFixed32() throws(Malformed) -> UInt32 {
        guard end - offset >= 4 else { throw Malformed(reason: "truncated fixed32") }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return value
    }

    mutating func readFixed64() throws(Malformed) -> UInt64 {
        guard end - offset >= 8 else { throw Malformed(reason: "truncated fixed64") }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return value
    }

    mutating func readLengthDelimited() throws(Malformed) -> ArraySlice<UInt8> {
        let length = try readVarint()
        guard length <= UInt64(end - offset) else { throw Malformed(reason: "length \(length) past the end of the message") }
        let slice = bytes[offset..<(offset + Int(length))]
        offset += Int(length)
        return slice
    }

    /// A reader over an embedded message.
    mutating func readMessage() throws(Malformed) -> ProtoWireReader {
        let length = try readVarint()
        guard length <= UInt64(end - offset) else { throw Malformed(reason: "length \(length) past the end of the message") }
        let nested = ProtoWireReader(bytes: bytes, offset: offset, end: offset + Int(length))
        offset += Int(length)
        return nested
    }

    /// Deepest nesting of unknown groups skipped (protobuf-go's default recursion limit).
    static let maxGroupDepth = 100

    /// Skips a field's value (unknown fields are ignored, as protobuf parsers do), a group included: up to
    /// its end-group tag of the same number, nested ones within (editions' DELIMITED encoding is a group
    /// on the wire, so a newer client's message still parses). A stray end-group is malformed.
    mutating func skip(_ wireType: ProtoWireType, number: Int, depth: Int = 0) throws(Malformed) {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup:
            guard depth < Self.maxGroupDepth else { throw Malformed(reason: "field \(number): groups nested deeper than \(Self.maxGroupDepth)") }
            while true {
                guard !isAtEnd else { throw Malformed(reason: "field \(number): group without its end") }
                let (inner, innerType) = try readTag()
                if innerType == .endGroup {
                    guard inner == number else { throw Malformed(reason: "field \(number): group ended by field \(inner)") }
                    return
                }
                try skip(innerType, number: inner, depth: depth + 1)
            }
        case .endGroup: throw Malformed(reason: "field \(number): end of a group that was not started")
        }
    }
}
