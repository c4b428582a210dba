/// Where a stream keeps its messages.
public enum StorageType: Sendable, Equatable {
    /// On disk; survives server restarts.
    case file
    /// In memory only; faster, lost on restart.
    case memory
}
