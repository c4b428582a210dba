/// Reads a delivery's metadata from its ack subject, as libnats' `natsMsg_GetMetaData` does, but
/// without allocating: libnats allocates the result and copies the stream and consumer names for
/// every message. The two forms the server sends (libnats' `js_getMetaData`):
///
/// - v1: `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp>.<pending>`
/// - v2: `$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp>.<pending>[.<more>]`
///
/// Anything else is nil: the caller falls back to libnats.
enum AckSubjectMetadata {
    private static let prefix = Array("$JS.ACK.".utf8)

    static func parse(_ subject: UnsafeRawBufferPointer) -> JetStreamMessage.Metadata? {
        guard subject.count > prefix.count, subject.starts(with: prefix) else { return nil }
        // The first 9 tokens after the prefix, each parsed as a number (-1: not one); as libnats does,
        // nothing past the ninth token is read.
        return withUnsafeTemporaryAllocation(of: Int64.self, capacity: 9) { numbers in
            var count = 0
            var value: Int64 = 0
            var valid = false
            for index in prefix.count..<subject.count {
                let byte = subject[index]
                if byte == UInt8(ascii: ".") {
                    numbers[count] = valid ? value : -1
                    count += 1
                    if count == 9 { break }
                    value = 0
                    valid = false
                    continue
                }
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), value >= 0 else {
                    value = -1
                    continue
                }
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                if o1 || o2 {
                    value = -1
                } else {
                    value = next
                    valid = true
                }
            }
            if count < 9 {
                // The last token runs to the end of the subject.
                numbers[count] = valid ? value : -1
                count += 1
            }
            // v1 has exactly 7 tokens; v2 at least 9. Numbers start after the consumer name.
            let first: Int
            switch count {
            case 7: first = 2
            case 9: first = 4
            default: return nil
            }
            for index in first..<(first + 5) where numbers[index] < 0 { return nil }
            return JetStreamMessage.Metadata(
                streamSequence: UInt64(numbers[first + 1]),
                consumerSequence: UInt64(numbers[first + 2]),
                numDelivered: UInt64(numbers[first]),
                numPending: UInt64(numbers[first + 4]),
                timestampNanoseconds: numbers[first + 3])
        }
    }
}
