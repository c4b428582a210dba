import Testing
@testable import JetStream

@Suite("Stream subjects: coverage")
struct SubjectCoverageTests {
    @Test("a subject is covered by an equal or wider pattern, never by a narrower one", arguments: [
        ("facts.>", "facts.>", true),
        ("facts.t1.>", "facts.>", true),
        ("facts.t1.orders", "facts.*.orders", true),
        ("facts.*.orders", "facts.>", true),
        ("facts.>", "facts.*", false),
        ("facts.>", "facts.t1.>", false),
        ("facts", "facts.>", false),
        ("other.x", "facts.>", false),
        ("facts.t1", "facts.t1", true),
        ("facts.t1.x", "facts.t1", false),
    ])
    func coverage(subject: String, pattern: String, covered: Bool) {
        #expect(JetStreamContext.subject(subject, isCoveredBy: pattern) == covered)
    }
}
