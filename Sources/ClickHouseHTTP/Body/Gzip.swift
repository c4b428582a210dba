import CCurlShims

/// One-shot gzip for other modules (the query API's Connect compression). zlib is wrapped once,
/// in CCurlShims; this is its only public Swift face.
public enum Gzip {
    public enum InflateFailure: Error, Sendable, Equatable {
        /// Not a gzip stream, or a damaged one.
        case corrupt
        /// The stream inflates to more than the allowed size (a gzip bomb stops here).
        case tooLarge
    }

    /// Compresses `bytes` into one gzip member; nil only when zlib cannot allocate its state.
    public static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        try? GzipCompressor.gzip(bytes)
    }

    /// Inflates a gzip stream whose output may be at most `maxBytes`; never allocates more.
    public static func decompress(_ bytes: [UInt8], maxBytes: Int) throws(InflateFailure) -> [UInt8] {
        // One byte of headroom tells "exactly the limit" from "past it".
        var output = [UInt8](repeating: 0, count: maxBytes + 1)
        var produced = 0
        let rc = bytes.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                ccurl_gunzip(inBuf.baseAddress, inBuf.count, outBuf.baseAddress, outBuf.count, &produced)
            }
        }
        switch rc {
        case 0 where produced <= maxBytes:
            output.removeSubrange(produced...)
            return output
        case 0, -2: throw .tooLarge
        default: throw .corrupt
        }
    }
}
