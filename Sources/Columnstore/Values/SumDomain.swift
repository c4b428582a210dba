/// The domain a SUM measure's total stays in, as Postgres decides `t.c + EXCLUDED.c` (SQLSTATE 22003
/// outside it): int32 and int64 their ranges, uint64 up to `ValueDomain.maxUInt64` (a `bigint` there),
/// decimal(p, s) below 10^p units of its scale, float64 finite unless an operand was infinite already.
/// The batch fold (`RowAccumulator.sum`) and ClickHouse's sum guard both decide here, so the two
/// stores refuse the same totals.
public enum SumDomain {
    /// The exact totals (for decimals: units of the column's scale) `type`'s domain holds: int32 and
    /// int64 their ranges, uint64 0 … `ValueDomain.maxUInt64`, decimal(p, s) a magnitude below 10^p.
    /// Nil for types without an exact bound (floats, and types no SUM takes).
    public static func bounds(of type: ColumnType) -> ClosedRange<Int128>? {
        switch type {
        case .int32: return Int128(Int32.min)...Int128(Int32.max)
        case .int64: return Int128(Int64.min)...Int128(Int64.max)
        case .uint64: return 0...Int128(ValueDomain.maxUInt64)
        case .decimal(let precision, _):
            let limit = DecimalText.limit(precision: precision) - 1
            return -limit...limit
        default: return nil
        }
    }

    /// Whether an exact total (for decimals: in units of the column's scale) lies in `type`'s domain.
    /// Types without a bound (none sums them) answer true.
    public static func contains(_ total: Int128, type: ColumnType) -> Bool {
        bounds(of: type)?.contains(total) ?? true
    }

    /// Whether the float sum `total` = `x` + `y` is accepted: Postgres's `float8pl` refuses only a sum
    /// that became infinite from finite operands.
    public static func accepts(floatSum total: Double, of x: Double, _ y: Double) -> Bool {
        total.isFinite || !x.isFinite || !y.isFinite
    }
}
