/// The body of `POST /admin/pause` and `POST /admin/resume`: the ingest writes it, `projection-migrate`'s
/// admin client reads it.
public struct PauseAnswer: Codable, Sendable, Equatable {
    public var paused: Bool
    /// Pause only: whether the ingest became idle (nothing fetched, held or being written) in time.
    public var idle: Bool?

    public init(paused: Bool, idle: Bool? = nil) {
        self.paused = paused
        self.idle = idle
    }
}
