import Columnstore

/// What an `InMemoryStore` does with one store step, as a test decides.
public enum StepFault: Sendable, Equatable {
    case proceed
    /// Fails before any effect (a transient error: the pipeline retries).
    case fail
    /// Has its effect, then fails (the reply was lost: the retry must be idempotent).
    case failAfterEffect
    /// Has its effect (or not), then the process dies: the step throws and `crashed` is raised, and
    /// the test cancels the pipeline. Nothing the pipeline does after it counts.
    case crash(afterEffect: Bool)
}
