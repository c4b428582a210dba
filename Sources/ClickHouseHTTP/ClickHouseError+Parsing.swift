import Foundation

extension ClickHouseError {
    /// A server exception: its code and text.
    struct ServerException: Equatable {
        var code: Int?
        var message: String
    }

    /// Parses an exception text (`Code: 60. DB::Exception: Table … (UNKNOWN_TABLE) (version …)`).
    /// Also accepts the older `Code: 60, e.displayText() = DB::Exception: …` spelling.
    /// Only called on text the server marked as an exception (error status or a tagged frame).
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

    /// Finds the exception a server wrote into a body whose 200 status was already sent.
    ///
    /// Only the framing clickhouse-server (≥ 25.11) uses counts; `tag` is the response's
    /// `X-ClickHouse-Exception-Tag` (random per response, so row data cannot forge it).
    /// The frame closes the body exactly (the server then breaks the connection):
    ///
    ///     \r\n__exception__\r\n<tag>\r\n<message>\n<length> <tag>\r\n__exception__\r\n
    ///
    /// where `<length>` is the byte count of `<message>` with its terminating `\n`
    /// (src/Server/HTTP/WriteBufferFromHTTPServerResponse.cpp, `cancelWithException`).
    /// Untagged text such as `Code: 1. DB::Exception: boom` is data, wherever it appears.
    static func findLateException(in body: [UInt8], exceptionTag tag: String?) -> ServerException? {
        guard let tag = tag?.trimmingWhitespace(), !tag.isEmpty else { return nil }
        let tagBytes = Array(tag.utf8)
        let marker = Array("__exception__".utf8)
        let crlf: [UInt8] = [0x0D, 0x0A]
        let closing = [0x20] + tagBytes + crlf + marker + crlf
        let opening = crlf + marker + crlf + tagBytes + crlf
        guard body.count >= opening.count + closing.count + 2, body.suffix(closing.count).elementsEqual(closing) else {
            return nil
        }
        let lengthEnd = body.count - closing.count
        var lengthStart = lengthEnd
        while lengthStart > 0, (0x30...0x39).contains(body[lengthStart - 1]), lengthEnd - lengthStart < 19 {
            lengthStart -= 1
        }
        guard lengthStart < lengthEnd,
              let length = Int(String(decoding: body[lengthStart..<lengthEnd], as: UTF8.self)),
              length >= 1, length <= lengthStart, body[lengthStart - 1] == 0x0A
        else { return nil }
        let messageStart = lengthStart - length
        guard messageStart >= opening.count, body[(messageStart - opening.count)..<messageStart].elementsEqual(opening) else {
            return nil
        }
        let message = String(decoding: body[messageStart..<(lengthStart - 1)], as: UTF8.self)
        return parseExceptionText(message)
    }
}

extension ClickHouseError {
    /// A server error from an exception text the server marked as one outside the HTTP layer,
    /// e.g. the `exception` member JSON output formats carry when
    /// `http_write_exception_in_output_format` is on (servers before 25.11 default to it).
    public static func serverException(text: String, queryID: String? = nil, httpStatus: Int? = nil) -> ClickHouseError {
        let parsed = parseExceptionText(text)
        return ClickHouseError(
            code: .server, message: parsed.message.isEmpty ? "query failed" : parsed.message,
            serverCode: parsed.code, queryID: queryID, httpStatus: httpStatus)
    }
}
