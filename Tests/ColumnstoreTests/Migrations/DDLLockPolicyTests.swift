import Testing
@testable import Columnstore

@Suite("DDL lock policy")
struct DDLLockPolicyTests {
    @Test("pauses between attempts double from 1 s and stop at 8 s")
    func pauses() {
        let policy = DDLLockPolicy()
        #expect((0...7).map { policy.pause(afterAttempt: $0) } == [1, 1, 2, 4, 8, 8, 8, 8].map { Duration.seconds($0) })
        #expect(policy.pause(afterAttempt: Int.max) == .seconds(8))
    }

    @Test("whole milliseconds round down and keep large durations")
    func milliseconds() {
        #expect(Duration.milliseconds(200).wholeMilliseconds == 200)
        #expect(Duration.microseconds(1_999).wholeMilliseconds == 1)
        #expect(Duration.microseconds(999).wholeMilliseconds == 0)
        #expect(Duration.seconds(3_600).wholeMilliseconds == 3_600_000)
        #expect((Duration.seconds(5) + .nanoseconds(1)).wholeMilliseconds == 5_000)
        #expect((Duration.seconds(2) + .nanoseconds(7)).wholeNanoseconds == 2_000_000_007)
        #expect(Duration.milliseconds(15_000).wholeNanoseconds == 15_000_000_000)
    }
}
