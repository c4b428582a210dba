import Synchronization

/// The names a `SettingsSource` was asked for: the drift tests compare them with the declared list.
public final class SettingsReadLog: Sendable {
    private let names = Mutex<Set<String>>([])

    public init() {}

    public var read: Set<String> { names.withLock { $0 } }

    func record(_ name: String) {
        _ = names.withLock { $0.insert(name) }
    }
}
