import CLibPQ
import Foundation

extension PostgresError {
    /// The error a failed (or missing) `PGresult` describes; messages are scrubbed of `secret`.
    ///
    /// When the connection itself is broken afterwards the code is `.connectionLost` (transient),
    /// whatever the server said last (e.g. 57P01 on an admin shutdown).
    init(result: OpaquePointer?, handle: OpaquePointer, secret: String?) {
        let lost = PQstatus(handle) != CONNECTION_OK
        func field(_ code: Character) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            let text = String(cString: value)
            return text.isEmpty ? nil : PostgresDSN.scrubbed(text, secret: secret)
        }
        var message = field("M")
        if message == nil, let result, let text = PQresultErrorMessage(result) {
            let trimmed = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { message = trimmed }
        }
        let sqlState = field("C")
        self.init(
            code: lost ? .connectionLost : (result == nil || sqlState == nil ? .protocol : .server),
            sqlState: sqlState,
            message: PostgresDSN.scrubbed(message ?? PostgresConnection.errorMessage(handle), secret: secret),
            detail: field("D"),
            hint: field("H"),
            schema: field("s"),
            table: field("t"),
            column: field("c"),
            constraint: field("n")
        )
    }
}
