import Columnstore
import Foundation

/// `/admin/ingestion` without the admin token: every `last_error` keeps only the operation that failed
/// (`insert_rows: …` → `insert_rows: details need the admin token`), wherever it is in the document
/// (one pipeline, or each partition of a replica). The document is walked as a `JSONValue`, so every
/// other member, its order and its number literals pass through unchanged.
enum LastErrorRedaction {
    static let notice = "details need the admin token"

    static func redacted(_ document: Data) -> Data {
        // Fails closed: a document that does not parse (it never should: the service's own encoder wrote
        // it) is not shown unredacted.
        guard let value = try? JSONParser.parse(Array(document)) else {
            return Data(#"{"error":"the status document could not be redacted; read it with the admin token"}"#.utf8)
        }
        return Data(JSONWriter.write(redact(value)).utf8)
    }

    static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.map { member in
                if member.key == "last_error", case .string(let text) = member.value {
                    let operation = text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? "error"
                    return (member.key, .string("\(operation): \(notice)"))
                }
                return (member.key, redact(member.value))
            })
        case .array(let elements):
            return .array(elements.map(redact))
        default:
            return value
        }
    }
}
