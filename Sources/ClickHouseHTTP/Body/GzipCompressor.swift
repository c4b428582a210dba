import CCurlShims

/// Streaming gzip over zlib (through the CCurlShims C shim).
final class GzipCompressor {
    private let stream: OpaquePointer
    private var finished = false

    init(level: Int = -1) throws {
        guard let stream = ccurl_gzip_new(Int32(level)) else {
            throw ClickHouseError(code: .requestBody, message: "zlib could not initialise gzip")
        }
        self.stream = stream
    }

    deinit { ccurl_gzip_free(stream) }

    /// Compresses `input`; with `finish` also flushes and closes the gzip member.
    func compress(_ input: [UInt8], finish: Bool) throws -> [UInt8] {
        guard !finished else { return [] }
        var output: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: max(64 * 1024, input.count / 2))
        var offset = 0
        while true {
            var consumed = 0
            var produced = 0
            let rc = input.withUnsafeBufferPointer { inBuf in
                scratch.withUnsafeMutableBufferPointer { outBuf in
                    ccurl_gzip_compress(
                        stream, inBuf.baseAddress.map { $0 + offset }, input.count - offset,
                        finish ? 1 : 0, outBuf.baseAddress, outBuf.count, &consumed, &produced)
                }
            }
            guard rc >= 0 else { throw ClickHouseError(code: .requestBody, message: "gzip compression failed") }
            offset += consumed
            output.append(contentsOf: scratch[0..<produced])
            if rc == 1 {
                finished = true
                return output
            }
            // Without finish, deflate is done with this input once it is consumed and the
            // output buffer was not filled (nothing more pending).
            if !finish && offset == input.count && produced < scratch.count { return output }
        }
    }

    /// Gzips a whole buffer at once.
    static func gzip(_ bytes: [UInt8], level: Int = -1) throws -> [UInt8] {
        try GzipCompressor(level: level).compress(bytes, finish: true)
    }

    /// Inflates a gzip buffer whose decompressed size is at most `maxOutput`; nil when corrupt.
    static func gunzip(_ bytes: [UInt8], maxOutput: Int) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: maxOutput)
        var produced = 0
        let rc = bytes.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                ccurl_gunzip(inBuf.baseAddress, inBuf.count, outBuf.baseAddress, outBuf.count, &produced)
            }
        }
        guard rc == 0 else { return nil }
        return Array(output[0..<produced])
    }
}
