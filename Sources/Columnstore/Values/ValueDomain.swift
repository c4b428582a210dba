/// The values every column type holds identically on both stores (docs/ANNOTATIONS.md, "Value
/// domains"). The mapper checks each value against its column's domain before the fact joins a batch:
/// a value outside it quarantines the fact, so no store ever refuses, clamps or rounds it.
public enum ValueDomain {
    /// ClickHouse `Date`: 1970-01-01 ... 2149-06-06, as days since the epoch.
    public static let dates: ClosedRange<Int32> = 0...65_535
    /// ClickHouse `DateTime64(3)`: 1900-01-01T00:00:00.000Z ... 2299-12-31T23:59:59.999Z, in ms.
    public static let timestamps: ClosedRange<Int64> = -2_208_988_800_000...10_413_791_999_999
    /// Postgres has no unsigned type: uint64 columns are `bigint` there.
    public static let maxUInt64: UInt64 = UInt64(Int64.max)
    /// Postgres btree entries hold at most ~2.7 kB: a row's primary-key strings together stay below.
    public static let maxKeyStringBytes = 2_000
    /// The idempotency key is part of the seen-keys primary key on both stores.
    public static let maxIdempotencyKeyBytes = 1_000

    public static let dateRangeText = "1970-01-01 ... 2149-06-06"
    public static let timestampRangeText = "1900-01-01T00:00:00.000Z ... 2299-12-31T23:59:59.999Z"
}
