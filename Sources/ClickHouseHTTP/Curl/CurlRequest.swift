import Foundation

/// Everything a curl handle needs for one HTTP exchange. Credentials are only in `headers`.
struct CurlRequest: @unchecked Sendable {
    enum Method { case get, post }

    /// How the request body is produced.
    enum Body {
        case none
        /// Sent as is with a Content-Length.
        case bytes([UInt8])
        /// Sent with chunked transfer encoding; gzipped when `compress` and the first
        /// `threshold` bytes arrive before the stream ends.
        case stream(BodyStreamBridge, compress: Bool, threshold: Int, level: Int)
    }

    var method: Method
    var url: String
    var headers: [String]
    var body: Body
    /// Whether `.bytes` bodies are already gzip-encoded (sets Content-Encoding).
    var bodyIsGzip: Bool
    var connectTimeout: Duration
    var requestTimeout: Duration
    var acceptCompressedResponse: Bool
    var maxResponseBytes: Int
}
