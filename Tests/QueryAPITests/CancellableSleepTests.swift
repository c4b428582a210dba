@testable import QueryAPI
import Testing

/// The body read's deadline (`CancellableSleep`): it ends after its time, and a cancelled sleep ends
/// at once with `CancellationError` (an hour-long sleep that returned at all was cancelled, not timed out).
@Suite("CancellableSleep")
struct CancellableSleepTests {
    @Test func aShortSleepEnds() async throws {
        try await CancellableSleep.sleep(for: .milliseconds(20))
        try await CancellableSleep.sleep(for: .zero)
    }

    @Test func cancellingALongSleepThrowsCancellationError() async throws {
        let outcome = await withTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    try await CancellableSleep.sleep(for: .seconds(3600))
                    return "slept"
                } catch is CancellationError {
                    return "cancelled"
                } catch {
                    return "other: \(error)"
                }
            }
            group.cancelAll()
            return await group.next() ?? "none"
        }
        #expect(outcome == "cancelled")
    }

    @Test func aTaskCancelledBeforehandDoesNotSleep() async throws {
        let outcome = await withTaskGroup(of: String.self) { group in
            group.cancelAll()
            group.addTask {
                do {
                    try await CancellableSleep.sleep(for: .seconds(3600))
                    return "slept"
                } catch is CancellationError {
                    return "cancelled"
                } catch {
                    return "other: \(error)"
                }
            }
            return await group.next() ?? "none"
        }
        // `addTask` on a cancelled group still adds the child, cancelled from its start.
        #expect(outcome == "cancelled")
    }
}
