#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// Equal UTF-8 bytes. Swift's `==` treats canonically equivalent strings as equal ("é" composed and
    /// decomposed), while ClickHouse and Postgres compare bytes: keys folded or deduplicated in memory must
    /// use the stores' equality, or a batch boundary would decide whether two facts share a row.
    @inlinable
    public func hasSameBytes(as other: String) -> Bool {
        var a = self, b = other
        return a.withUTF8 { x in
            b.withUTF8 { y in x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) }
        }
    }

    /// Feeds the UTF-8 bytes (and their count) to `hasher`: the hash that goes with `hasSameBytes(as:)`.
    @inlinable
    public func hashBytes(into hasher: inout Hasher) {
        var copy = self
        copy.withUTF8 {
            hasher.combine(bytes: UnsafeRawBufferPointer($0))
            hasher.combine($0.count)
        }
    }
}
