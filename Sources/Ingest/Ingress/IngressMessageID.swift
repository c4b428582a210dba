import Columnstore

/// The `Nats-Msg-Id` of an event: the SHA-256 of its `source` and `id` (length-prefixed, so no two
/// pairs collide), hex. CloudEvents says source + id identify an event, so a producer's retry gets
/// the same id and the stream's duplicate window stores it once.
enum IngressMessageID {
    static func derive(source: String, id: String) -> String {
        var bytes = Array("\(source.utf8.count):".utf8)
        bytes.append(contentsOf: source.utf8)
        bytes.append(contentsOf: id.utf8)
        return "ce-" + Hex.lowercase(SHA256.digest(bytes))
    }
}
