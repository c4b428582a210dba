import Columnstore

/// The `payloadhash` extension: lowercase hex SHA-256 of the RFC 8785 canonical JSON of `data`
/// (of `null` when the event has no data).
enum PayloadHash {
    static func of(_ data: JSONValue?) -> String? {
        guard let canonical = CanonicalJSON.bytes(data ?? .null) else { return nil }
        return Hex.lowercase(SHA256.digest(canonical))
    }

    /// Checks a claimed hash; the error names `payloadhash`.
    static func verify(_ claimed: String, data: JSONValue?) throws(IngressError) {
        guard claimed.utf8.count == 64, claimed.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw IngressError(.invalidEvent, attribute: "payloadhash", "must be 64 lowercase hex digits (SHA-256 of the RFC 8785 canonical JSON of data)")
        }
        guard let actual = of(data) else {
            throw IngressError(.invalidEvent, attribute: "payloadhash", "data holds a number RFC 8785 cannot represent (not a finite double)")
        }
        guard actual == claimed else {
            throw IngressError(.invalidEvent, attribute: "payloadhash", "does not match the SHA-256 of the canonical JSON (RFC 8785) of data")
        }
    }
}
