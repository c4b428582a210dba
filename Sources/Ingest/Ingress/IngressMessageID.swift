import Columnstore

/// The `Nats-Msg-Id` of an event: the SHA-256 of its bound tenant, `type`, `source` and `id` (each but
/// the last length-prefixed, so no two tuples collide), hex. CloudEvents says source + id identify an
/// event, so a producer's retry gets the same id and the stream's duplicate window stores it once.
/// The tenant is in it because source + id are unique per producer only: two tenants' producers may
/// both send `/shop` + `1`, and the second must not be dropped as the first's duplicate. The type is
/// in it because the stores key facts by tenant, type and key (`IdempotencyKey`).
enum IngressMessageID {
    static func derive(tenant: String, type: String, source: String, id: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tenant.utf8.count + type.utf8.count + source.utf8.count + id.utf8.count + 63)
        for prefixed in [tenant, type, source] {
            bytes.append(contentsOf: String(prefixed.utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: prefixed.utf8)
        }
        bytes.append(contentsOf: id.utf8)
        let digest = SHA256.digest(bytes)
        // "ce-" and 64 hex digits, written once.
        return String(unsafeUninitializedCapacity: 67) { out in
            let digits: StaticString = "0123456789abcdef"
            out[0] = UInt8(ascii: "c"); out[1] = UInt8(ascii: "e"); out[2] = UInt8(ascii: "-")
            digits.withUTF8Buffer { digits in
                for (index, byte) in digest.enumerated() {
                    out[3 + index * 2] = digits[Int(byte >> 4)]
                    out[4 + index * 2] = digits[Int(byte & 0xF)]
                }
            }
            return 67
        }
    }
}
