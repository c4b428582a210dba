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

    /// Inflates a gzip stream whose output may be at most `maxBytes`; never allocates more (plus one byte).
    /// The output grows a chunk at a time, so a small body gets a small buffer whatever the cap: the
    /// whole cap used to be allocated up front, per request.
    public static func decompress(_ bytes: [UInt8], maxBytes: Int) throws(InflateFailure) -> [UInt8] {
        // One byte of headroom tells "exactly the limit" from "past it".
        let limit = maxBytes + 1
        let result: Result<[UInt8], InflateFailure> = bytes.withUnsafeBufferPointer { input in
            guard let stream = ccurl_gunzip_stream_new(input.baseAddress, input.count) else { return .failure(.corrupt) }
            defer { ccurl_gunzip_stream_free(stream) }
            var output: [UInt8] = []
            var chunk = Self.firstChunk
            while true {
                let start = output.count
                let room = min(chunk, limit - start)
                output.append(contentsOf: repeatElement(0, count: room))
                var produced = 0
                let rc = output.withUnsafeMutableBufferPointer { ccurl_gunzip_stream_next(stream, $0.baseAddress! + start, room, &produced) }
                output.removeLast(room - produced)
                if output.count > maxBytes { return .failure(.tooLarge) }
                switch rc {
                case 0: return .success(output)
                case 1: chunk = min(chunk * 2, Self.maxChunk)
                default: return .failure(.corrupt)
                }
            }
        }
        return try result.get()
    }

    /// The first piece of output: most compressed request bodies inflate to less.
    static let firstChunk = 16 << 10
    /// Doubling stops here, so the buffer never overshoots what was inflated by much.
    static let maxChunk = 1 << 20
}
