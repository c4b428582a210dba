import Testing
@testable import PostgresBackend

/// How long a Postgres fence waits for the checkpoint row before it ends the session holding it.
@Suite("Postgres fence: the lock wait")
struct FenceLockWaitTests {
    @Test("a third of the TTL, at least 100 ms, and below half the statement deadline, which would end the wait first")
    func lockWait() {
        #expect(PostgresProjectionStore.fenceLockWait(ttl: .seconds(15), statementDeadline: .seconds(60)) == .seconds(5))
        #expect(PostgresProjectionStore.fenceLockWait(ttl: .seconds(3), statementDeadline: nil) == .seconds(1))
        #expect(PostgresProjectionStore.fenceLockWait(ttl: .milliseconds(150), statementDeadline: nil) == .milliseconds(100))
        #expect(PostgresProjectionStore.fenceLockWait(ttl: .seconds(600), statementDeadline: .seconds(60)) == .seconds(30))
        #expect(PostgresProjectionStore.fenceLockWait(ttl: .seconds(15), statementDeadline: .seconds(1)) == .milliseconds(500))
    }
}
