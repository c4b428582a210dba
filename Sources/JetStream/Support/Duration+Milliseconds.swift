extension Duration {
    /// Whole milliseconds, rounded up so a tiny positive duration never becomes "no wait".
    var natsMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return max(0, millis)
    }

    /// Whole nanoseconds, as the JetStream API expects for durations.
    var natsNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
