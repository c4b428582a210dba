import Foundation

/// `/admin/ingestion` without the admin token: every `last_error` keeps only the operation that failed
/// (`insert_rows: …` → `insert_rows: details need the admin token`), wherever it is in the document
/// (one pipeline, or each partition of a replica).
enum LastErrorRedaction {
    static let notice = "details need the admin token"

    static func redacted(_ document: Data) -> Data {
        guard let object = try? JSONSerialization.jsonObject(with: document) else { return document }
        let cleaned = redact(object)
        return (try? JSONSerialization.data(withJSONObject: cleaned, options: [.sortedKeys])) ?? document
    }

    static func redact(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            var copy: [String: Any] = [:]
            for (key, member) in object {
                if key == "last_error", let text = member as? String {
                    let operation = text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? "error"
                    copy[key] = "\(operation): \(notice)"
                } else {
                    copy[key] = redact(member)
                }
            }
            return copy
        }
        if let array = value as? [Any] { return array.map(redact) }
        return value
    }
}
