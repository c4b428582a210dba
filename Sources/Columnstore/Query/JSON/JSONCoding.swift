import Foundation

/// The one way typed JSON is written: a `Codable` value through one configured encoder (sorted keys,
/// so equal values give equal bytes; ISO 8601 dates). Documents without a type, whose member order and
/// number literals must pass through untouched (query answers, the state hash report, a redacted
/// status), are `JSONValue`s written by `JSONWriter`. Nothing writes `[String: Any]`.
public enum JSONCoding {
    /// Compact.
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }

    /// Two-space indentation, slashes unescaped, for committed documents (schema snapshots, whose bytes
    /// are hashed: changing this changes every schema hash).
    public static func encodePretty(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: data)
    }

    /// A flat string map (NATS headers) as compact JSON text, `{}` when it cannot be written.
    public static func text(of headers: [String: String]) -> String {
        (try? encode(headers)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The map `text(of:)` wrote; empty when the text is not one.
    public static func headers(from text: String) -> [String: String] {
        (try? decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }
}
