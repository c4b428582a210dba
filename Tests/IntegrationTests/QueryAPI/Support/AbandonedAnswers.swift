import Foundation

/// Counts answers whose writing failed because the server closed the connection under them: the test's
/// view, from the server's side, of a connection given up on.
final class AbandonedAnswers: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    var count: Int { lock.withLock { value } }

    func record() {
        lock.withLock { value += 1 }
    }
}
