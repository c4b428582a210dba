#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calls `body` with a C array of C strings (`const char **`) valid only during the call.
func withCStringArray<R>(
    _ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>, Int32) throws -> R
) rethrows -> R {
    let copies = strings.map { UnsafePointer(strdup($0)) }
    defer { copies.forEach { free(UnsafeMutableRawPointer(mutating: $0)) } }
    var array = copies
    // One extra slot keeps the pointer valid when `strings` is empty.
    array.append(nil)
    return try array.withUnsafeMutableBufferPointer { buffer in
        try body(buffer.baseAddress!, Int32(strings.count))
    }
}

/// Reads `count` C strings from a C array.
func stringsFromCArray(_ array: UnsafeMutablePointer<UnsafePointer<CChar>?>?, count: Int32) -> [String] {
    guard let array, count > 0 else { return [] }
    return (0..<Int(count)).compactMap { array[$0].map { String(cString: $0) } }
}

/// Calls `body` with a C string for `string`, or NULL when it is nil.
func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) throws -> R) rethrows -> R {
    guard let string else { return try body(nil) }
    return try string.withCString { try body($0) }
}
