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
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        // In place when both are stored contiguously (not small strings): no copies, no retains.
        if let inPlace = a.withContiguousStorageIfAvailable({ x in
            b.withContiguousStorageIfAvailable { y in x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
        }), let equal = inPlace {
            return equal
        }
        var c = self, d = other
        return c.withUTF8 { x in
            d.withUTF8 { y in x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
        }
    }

    /// Feeds the UTF-8 bytes (and their count) to `hasher`: the hash that goes with `hasSameBytes(as:)`.
    @inlinable
    public func hashBytes(into hasher: inout Hasher) {
        let hashedInPlace: Bool? = utf8.withContiguousStorageIfAvailable {
            hasher.combine(bytes: UnsafeRawBufferPointer($0))
            hasher.combine($0.count)
            return true
        }
        guard hashedInPlace == nil else { return }
        var copy = self
        copy.withUTF8 {
            hasher.combine(bytes: UnsafeRawBufferPointer($0))
            hasher.combine($0.count)
        }
    }
}
