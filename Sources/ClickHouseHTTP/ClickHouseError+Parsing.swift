import Foundation

extension ClickHouseError {
    /// A server exception found in a response body: `Code: N. DB::Exception: text`.
    struct ServerException: Equatable {
        var code: Int?
        var message: String
    }

    /// How much of the end of a 200 body is scanned for a late exception; the exception text
    /// is short, and the rest of the body is data that must not be mistaken for one.
    static let tailScanLimit = 64 * 1024

    /// Parses an error body (`Code: 60. DB::Exception: Table … (UNKNOWN_TABLE) (version …)`).
    /// Also accepts the older `Code: 60, e.displayText() = DB::Exception: …` spelling.
    static func parseExceptionText(_ text: String) -> ServerException {
        let trimmed = text.trimmingWhitespace()
        guard let range = trimmed.range(of: "Code: ") else {
            return ServerException(code: nil, message: trimmed)
        }
        let digits = trimmed[range.upperBound...].prefix(while: { $0.isASCII && $0.isNumber })
        let code = Int(digits)
        var message = String(trimmed[range.lowerBound...])
        if let exception = message.range(of: "DB::Exception: ") {
            message = String(message[exception.upperBound...])
        }
        return ServerException(code: code, message: message.trimmingWhitespace())
    }

    /// Finds an exception that the server appended to a body whose 200 status was already sent.
    ///
    /// ClickHouse ≥ 25.11 frames it as `__exception__TAG\r\n<text>\r\n<len> TAG__exception__`
    /// (tag from `X-ClickHouse-Exception-Tag`); older servers just append
    /// `Code: N. DB::Exception: …` after the data, which is matched at the end of the body only.
    static func findLateException(in body: [UInt8], exceptionTag: String?) -> ServerException? {
        let tail = body.suffix(tailScanLimit)
        guard !tail.isEmpty else { return nil }
        let text = String(decoding: tail, as: UTF8.self)
        if let framed = findFramedException(in: text, tag: exceptionTag) { return framed }
        return findPlainException(in: text)
    }

    private static func findFramedException(in text: String, tag: String?) -> ServerException? {
        let marker = "__exception__"
        guard let last = text.range(of: marker, options: .backwards) else { return nil }
        // Only a marker that closes the body counts; data may contain the word.
        guard text[last.upperBound...].allSatisfy({ $0.isWhitespace }) else { return nil }
        let before = text[..<last.lowerBound]
        guard let open = before.range(of: marker, options: .backwards) else { return nil }
        var lines = before[open.upperBound...]
            .split(omittingEmptySubsequences: true, whereSeparator: { $0.isNewline })
            .map { String($0) }
        // First line is the tag, last is "<length> <tag>"; what is between is the exception.
        if let tag, let first = lines.first, first.trimmingWhitespace() != tag { return nil }
        if !lines.isEmpty { lines.removeFirst() }
        if let closing = lines.last, closing.split(separator: " ").count == 2,
           closing.split(separator: " ").first.map({ Int($0) != nil }) == true {
            lines.removeLast()
        }
        let parsed = parseExceptionText(lines.joined(separator: "\n"))
        return parsed.message.isEmpty && parsed.code == nil ? nil : parsed
    }

    private static func findPlainException(in text: String) -> ServerException? {
        var searchEnd = text.endIndex
        while let found = text.range(of: "Code: ", options: .backwards, range: text.startIndex..<searchEnd) {
            let afterCode = text[found.upperBound...]
            let digits = afterCode.prefix(while: { $0.isASCII && $0.isNumber })
            let rest = afterCode.dropFirst(digits.count)
            if !digits.isEmpty, rest.hasPrefix(". DB::Exception:") || rest.hasPrefix(", e.displayText() = DB::Exception:") {
                return parseExceptionText(String(text[found.lowerBound...]))
            }
            searchEnd = found.lowerBound
        }
        return nil
    }
}
