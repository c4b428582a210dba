extension ClickHouseClient {
    /// A random (version 4) UUID in lower-case text, as `UUID().uuidString.lowercased()` spells it.
    /// Built from the system generator (`getrandom`): Foundation's UUID opened /dev/urandom on every
    /// call, a file open per query on the query API's hot path.
    static func newQueryID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40 // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80 // RFC 4122 variant
        let hex = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { out in
            var i = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { out[i] = UInt8(ascii: "-"); i += 1 }
                out[i] = hex[Int(byte >> 4)]
                out[i + 1] = hex[Int(byte & 0x0F)]
                i += 2
            }
            return i
        }
    }
}
