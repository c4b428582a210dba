import CNATS

extension NATSError {
    /// Builds an error from a failed libnats call. Must run on the thread that made the call:
    /// libnats keeps its last error text in thread-local storage.
    init(status: natsStatus, operation: String, jsErrorCode: jsErrCode = jsErrCode(rawValue: 0)) {
        let jsCode = Int(jsErrorCode.rawValue)
        var lastStatus = NATS_OK
        let lastText = nats_GetLastError(&lastStatus).map { String(cString: $0) }
        self.init(
            code: Self.classify(status: status, jsCode: jsCode),
            operation: operation,
            status: String(cString: natsStatus_GetText(status)),
            jetStreamErrorCode: jsCode == 0 ? nil : jsCode,
            detail: lastText
        )
    }

    private static func classify(status: natsStatus, jsCode: Int) -> Code {
        switch jsCode {
        case 0: break
        case 10014, 10059, 10037, 10043: return .notFound // consumer, stream, message, sequence
        default: return .jetStream
        }
        switch status {
        case NATS_TIMEOUT: return .timeout
        case NATS_NOT_FOUND: return .notFound
        // JetStream answers a publish with no responders when no stream captures the subject.
        case NATS_NO_RESPONDERS: return .notFound
        case NATS_CONNECTION_CLOSED: return .connectionClosed
        case NATS_NO_SERVER, NATS_IO_ERROR, NATS_STALE_CONNECTION, NATS_CONNECTION_DISCONNECTED,
             NATS_CONNECTION_AUTH_FAILED, NATS_NOT_YET_CONNECTED, NATS_SECURE_CONNECTION_WANTED,
             NATS_SECURE_CONNECTION_REQUIRED, NATS_SSL_ERROR:
            return .connection
        case NATS_PROTOCOL_ERROR, NATS_LINE_TOO_LONG, NATS_MAX_PAYLOAD:
            return .protocolViolation
        case NATS_INVALID_ARG, NATS_INVALID_SUBJECT, NATS_INVALID_TIMEOUT, NATS_ADDRESS_MISSING:
            return .invalidArgument
        case NATS_INVALID_SUBSCRIPTION:
            return .subscriptionClosed
        default:
            return .other
        }
    }
}

/// Throws a `NATSError` if a libnats call did not return `NATS_OK`.
@inline(__always)
func natsCheck(_ status: natsStatus, _ operation: @autoclosure () -> String, _ jsCode: jsErrCode = jsErrCode(rawValue: 0)) throws {
    guard status == NATS_OK else {
        throw NATSError(status: status, operation: operation(), jsErrorCode: jsCode)
    }
}
