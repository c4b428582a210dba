import CNATS
import Foundation

/// Counts asynchronous publishes the server rejected (libnats' PublishAsync ErrHandler runs on a
/// libnats thread), until `publishAsyncComplete` collects them.
final class AsyncPublishFailures: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var count = 0
    private var firstError: String?
    private var firstJetStreamCode: Int?

    func record(status: natsStatus, jsCode: Int, text: String?) {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        if firstError == nil {
            firstError = text ?? String(cString: natsStatus_GetText(status))
            firstJetStreamCode = jsCode == 0 ? nil : jsCode
        }
    }

    /// Returns and resets what was recorded since the last call.
    func take() -> (count: Int, firstError: String?, jetStreamCode: Int?) {
        lock.lock()
        defer { lock.unlock() }
        let result = (count, firstError, firstJetStreamCode)
        count = 0
        firstError = nil
        firstJetStreamCode = nil
        return result
    }

    /// The C error handler; `closure` is an unmanaged reference to an `AsyncPublishFailures`.
    static let errorHandler: jsPubAckErrHandler = { _, failure, closure in
        guard let failure, let closure else { return }
        let failures = Unmanaged<AsyncPublishFailures>.fromOpaque(closure).takeUnretainedValue()
        failures.record(
            status: failure.pointee.Err,
            jsCode: Int(failure.pointee.ErrCode.rawValue),
            text: failure.pointee.ErrText.map { String(cString: $0) }
        )
    }
}
