/// The domain a SUM measure's total stays in, as Postgres decides `t.c + EXCLUDED.c` (SQLSTATE 22003
/// outside it): int32 and int64 their ranges, uint64 up to `ValueDomain.maxUInt64` (a `bigint` there),
/// decimal(p, s) below 10^p units of its scale, float64 finite unless an operand was infinite already.
/// The batch fold (`RowAccumulator.sum`) and ClickHouse's sum guard both decide here, so the two
/// stores refuse the same totals.
public enum SumDomain {
    /// Whether an exact total (for decimals: in units of the column's scale) lies in `type`'s domain.
    /// Types without a bound (none sums them) answer true.
    public static func contains(_ total: Int128, type: ColumnType) -> Bool {
        switch type {
        case .int32: return total >= Int128(Int32.min) && total <= Int128(Int32.max)
        case .int64: return total >= Int128(Int64.min) && total <= Int128(Int64.max)
        case .uint64: return total >= 0 && total <= Int128(ValueDomain.maxUInt64)
        case .decimal(let precision, _): return total.magnitude < DecimalText.limit(precision: precision).magnitude
        default: return true
        }
    }

    /// Whether the float sum `total` = `x` + `y` is accepted: Postgres's `float8pl` refuses only a sum
    /// that became infinite from finite operands.
    public static func accepts(floatSum total: Double, of x: Double, _ y: Double) -> Bool {
        total.isFinite || !x.isFinite || !y.isFinite
    }
}
