import Columnstore
import Foundation

/// Where a consumer without a checkpoint starts (`PROJECTION_START_AT`): decided once, on the very first
/// start, and recorded as the checkpoint (an empty batch up to the position, through the store's normal
/// batch protocol), so a restart never decides again.
public enum StartPosition: Sendable, Hashable {
    /// `first` (default): every fact in the stream, a backfill.
    case first
    /// `new`: only facts published after the first start ("start from now" dashboards).
    case new
    /// `sequence:N`: from stream sequence N on.
    case sequence(UInt64)
    /// `time:2026-12-01T00:00:00Z`: from the first fact the stream stored at or after that time.
    case time(Date)

    /// Parses the setting's value; the error names the accepted forms.
    public init(setting value: String) throws(ConfigurationError) {
        let invalid = ConfigurationError(code: .invalid, setting: "PROJECTION_START_AT",
                                         reason: "expected first, new, sequence:N (N ≥ 1) or time:RFC3339 (e.g. time:2026-12-01T00:00:00Z), got \"\(value)\"")
        switch value {
        case "", "first": self = .first
        case "new": self = .new
        default:
            if value.hasPrefix("sequence:"), let n = UInt64(value.dropFirst("sequence:".count)), n >= 1 {
                self = .sequence(n)
            } else if value.hasPrefix("time:"), let millis = RFC3339.parseMilliseconds(String(value.dropFirst("time:".count))) {
                self = .time(Date(timeIntervalSince1970: Double(millis) / 1000))
            } else {
                throw invalid
            }
        }
    }

    /// The sequence through which the first start skips (its checkpoint), or 0 to skip nothing.
    /// `streamLast` is the stream's last sequence; `firstAtOrAfter` answers the stream's first message at
    /// or after a sequence, with the time it was stored (nil past the end).
    public func skipThrough(streamFirst: UInt64, streamLast: UInt64, firstAtOrAfter: @Sendable (UInt64) async throws -> (sequence: UInt64, storedAt: Date?)?) async throws -> UInt64 {
        switch self {
        case .first:
            return 0
        case .new:
            return streamLast
        case .sequence(let n):
            return n - 1
        case .time(let instant):
            // The smallest sequence stored at or after the instant: stream times grow with sequences.
            var low = max(streamFirst, 1), high = streamLast + 1
            while low < high {
                let middle = low + (high - low) / 2
                guard let found = try await firstAtOrAfter(middle), found.sequence <= streamLast else {
                    high = middle
                    continue
                }
                if let stored = found.storedAt, stored >= instant {
                    high = min(middle, found.sequence)
                } else {
                    low = found.sequence + 1
                }
            }
            return low - 1
        }
    }
}
