import CCurl

/// curl_global_init is not thread-safe; a static let runs it exactly once.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    static func ensureInitialized() { _ = initialized }
}
