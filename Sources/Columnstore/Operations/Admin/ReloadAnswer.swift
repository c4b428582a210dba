/// The body of `POST /admin/reload`.
public struct ReloadAnswer: Codable, Sendable, Equatable {
    public var reloaded: Bool

    public init(reloaded: Bool) {
        self.reloaded = reloaded
    }
}
