import CLibPQ
import Foundation
import Logging

/// Receives server notices (e.g. "table does not exist, skipping") and logs them at debug
/// level, instead of libpq's default of printing them to stderr.
final class NoticeSink: @unchecked Sendable {
    private let logger: Logger
    private let secret: String?

    init(logger: Logger, secret: String?) {
        self.logger = logger
        self.secret = secret
    }

    /// Called by libpq on the connection's queue.
    func receive(_ result: OpaquePointer) {
        guard let text = PQresultErrorMessage(result) else { return }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        logger.debug("postgres notice", metadata: ["notice": "\(PostgresDSN.scrubbed(message, secret: secret))"])
    }
}
