import CNATS
import Foundation

extension JetStreamContext {
    /// The sequence of the first message in `stream` at or after `sequence` whose subject matches
    /// `subject` (wildcards allowed), or nil when there is none. Uses the stream's message-get API with
    /// `next_by_subj`, which works on every stream (direct get needs `allow_direct`).
    ///
    /// Only the sequence is read; the message body travels once, base64-encoded, and is dropped.
    public func firstSequence(stream: String, atOrAfter sequence: UInt64, subject: String) async throws -> UInt64? {
        try await firstMessage(stream: stream, atOrAfter: sequence, subject: subject)?.sequence
    }

    /// `firstSequence`, with the time the stream stored that message.
    public func firstMessage(stream: String, atOrAfter sequence: UInt64, subject: String) async throws -> (sequence: UInt64, storedAt: Date?)? {
        let connection = connection.handle
        let timeout = options.requestTimeout.natsMilliseconds
        let request = try JSONSerialization.data(withJSONObject: ["seq": sequence, "next_by_subj": subject] as [String: Any])
        return try await api.run {
            var reply: OpaquePointer?
            let status = request.withUnsafeBytes { bytes in
                natsConnection_Request(&reply, connection.raw, "$JS.API.STREAM.MSG.GET.\(stream)", bytes.baseAddress, Int32(bytes.count), timeout)
            }
            try natsCheck(status, "$JS.API.STREAM.MSG.GET")
            defer { projection_natsMsg_DestroyNow(reply) }
            let length = Int(natsMsg_GetDataLength(reply))
            guard length > 0, let data = natsMsg_GetData(reply) else {
                throw NATSError(code: .protocolViolation, operation: "$JS.API.STREAM.MSG.GET", detail: "empty reply")
            }
            let body = Data(bytes: data, count: length)
            guard let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw NATSError(code: .protocolViolation, operation: "$JS.API.STREAM.MSG.GET", detail: "reply is not JSON")
            }
            if let error = json["error"] as? [String: Any] {
                let code = (error["err_code"] as? NSNumber)?.intValue
                // 10037: no message found at or after the sequence for that subject.
                if code == 10037 { return nil }
                throw NATSError(code: code == 10059 ? .notFound : .jetStream, operation: "$JS.API.STREAM.MSG.GET",
                                jetStreamErrorCode: code, detail: error["description"] as? String)
            }
            guard let message = json["message"] as? [String: Any], let seq = (message["seq"] as? NSNumber)?.uint64Value else {
                throw NATSError(code: .protocolViolation, operation: "$JS.API.STREAM.MSG.GET", detail: "reply has no message sequence")
            }
            return (seq, (message["time"] as? String).flatMap(Self.parseTime))
        }
    }

    /// The stream's RFC 3339 time with up to nanoseconds (`2026-12-04T15:09:12.123456789Z`).
    public static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let dot = text.firstIndex(of: ".") else { return formatter.date(from: text) }
        let digits = text[text.index(after: dot)...].prefix { $0.isNumber }
        let rest = text[text.index(dot, offsetBy: digits.count + 1)...]
        guard let whole = formatter.date(from: String(text[..<dot]) + rest) else { return nil }
        return whole.addingTimeInterval((Double("0." + digits) ?? 0))
    }
}
