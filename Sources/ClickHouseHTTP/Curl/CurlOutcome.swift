/// What a curl transfer produced, before it is judged a success or an error.
struct CurlOutcome: Sendable {
    /// The CURLcode of curl_easy_perform (0 is success).
    var curlCode: Int
    /// curl's error buffer text, if any (holds no credentials: they travel in headers).
    var curlMessage: String
    /// HTTP status, 0 when no response arrived.
    var status: Int
    /// Response headers, names lower-cased.
    var headers: [String: String]
    var body: [UInt8]
    /// The request was cancelled by the caller.
    var cancelled: Bool
    /// The request body source failed (this error is reported as is).
    var bodyError: Error?
    /// The response exceeded `maxResponseBytes`.
    var responseTooLarge: Bool
    var requestBodyCompressed: Bool

    init(
        curlCode: Int = 0,
        curlMessage: String = "",
        status: Int = 0,
        headers: [String: String] = [:],
        body: [UInt8] = [],
        cancelled: Bool = false,
        bodyError: Error? = nil,
        responseTooLarge: Bool = false,
        requestBodyCompressed: Bool = false
    ) {
        self.curlCode = curlCode
        self.curlMessage = curlMessage
        self.status = status
        self.headers = headers
        self.body = body
        self.cancelled = cancelled
        self.bodyError = bodyError
        self.responseTooLarge = responseTooLarge
        self.requestBodyCompressed = requestBodyCompressed
    }
}
