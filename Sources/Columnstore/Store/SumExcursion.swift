/// The lowest and the highest running total one SUM measure of one key reaches within a batch, from
/// zero (the stored total's own place) through each fact's delta in stream order, in exact units (a
/// decimal's in units of its scale). Integer and decimal measures only: float sums keep the batch's net.
///
/// A fact is refused when, applied in stream order after every accepted earlier fact, it takes a total
/// out of its column's domain (docs/DESIGN.md, "Store rejections"). The batch's net alone cannot tell:
/// stored = max−10 with +20 then −20 nets to max−10, yet the +20 passes the bound on the way. Checking
/// the stored total plus both extremes decides as facts one by one would, so where batches end no longer
/// changes which fact is refused, and a refused prefix stays refused when facts are added after it,
/// which `RejectionIsolation` relies on.
public struct SumExcursion: Sendable, Equatable {
    public var low: Int128
    public var high: Int128

    public init(low: Int128, high: Int128) {
        self.low = low
        self.high = high
    }

    /// A key's first delta: the running total went from 0 to `delta`.
    init(first delta: Int128) {
        self.init(low: min(0, delta), high: max(0, delta))
    }

    /// The running total reached `total`.
    mutating func reach(_ total: Int128) {
        if total < low { low = total }
        if total > high { high = total }
    }

    /// Whether the excursion goes beyond what the stored total plus the net `net` and the stored total
    /// itself already cover: only then can a check of the net alone miss a refusal.
    public func exceeds(net: Int128) -> Bool {
        high > max(net, 0) || low < min(net, 0)
    }

    /// Whether `stored` plus every running total stays in `type`'s domain (`SumDomain`).
    public func fits(stored: Int128, type: ColumnType) -> Bool {
        let (top, overTop) = stored.addingReportingOverflow(high)
        let (bottom, overBottom) = stored.addingReportingOverflow(low)
        return !overTop && !overBottom && SumDomain.contains(top, type: type) && SumDomain.contains(bottom, type: type)
    }

    /// Whether SUM measures of `type` get an excursion: exact arithmetic only.
    public static func tracks(_ type: ColumnType) -> Bool {
        switch type {
        case .int32, .int64, .uint64, .decimal: return true
        default: return false
        }
    }

    /// A SUM value's exact units (nil for a float or a value of another shape).
    public static func units(of value: ColumnValue, type: ColumnType) -> Int128? {
        switch (value, type) {
        case (.int64(let v), .int32), (.int64(let v), .int64), (.int64(let v), .uint64): return Int128(v)
        case (.uint64(let v), .int32), (.uint64(let v), .int64), (.uint64(let v), .uint64): return Int128(v)
        case (.string(let text), .decimal(_, let scale)): return DecimalText.units(text, scale: scale)
        default: return nil
        }
    }
}
