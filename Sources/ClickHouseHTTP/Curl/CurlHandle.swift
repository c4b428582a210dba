import CCurl
import CCurlShims
import Foundation

/// One reusable curl easy handle with its own serial queue; blocking curl calls run only there.
/// Reusing the handle keeps its connection alive between requests.
final class CurlHandle: @unchecked Sendable {
    private let easy: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let queue: DispatchQueue

    init(index: Int) throws {
        CurlGlobal.ensureInitialized()
        guard let easy = curl_easy_init() else {
            throw ClickHouseError(code: .connection, message: "curl_easy_init failed")
        }
        self.easy = easy
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        self.queue = DispatchQueue(label: "clickhouse-http.curl.\(index)")
    }

    deinit {
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
    }

    /// Runs the transfer on this handle's queue; cancelling the task aborts it.
    func run(_ transfer: CurlTransfer) async -> CurlOutcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queue.async {
                    continuation.resume(returning: self.perform(transfer))
                }
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    /// Blocking; only call on `queue`.
    private func perform(_ transfer: CurlTransfer) -> CurlOutcome {
        if transfer.isCancelled { return CurlOutcome(cancelled: true) }
        let request = transfer.request
        curl_easy_reset(easy)
        errorBuffer[0] = 0

        var headerLines = request.headers
        // Without this curl waits for "100 Continue" before sending bodies over 1 MiB.
        headerLines.append("Expect:")
        var reader: RequestBodyReader?
        switch request.body {
        case .none:
            break
        case .bytes(let bytes):
            reader = RequestBodyReader(BufferChunkSource(bytes))
            ccurl_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
            if request.bodyIsGzip {
                headerLines.append("Content-Encoding: gzip")
                transfer.requestBodyCompressed = true
            }
        case .stream(let bridge, let compress, let threshold, let level):
            do {
                let source = try Self.streamSource(
                    bridge, deadline: transfer.deadline, compress: compress, threshold: threshold, level: level)
                reader = RequestBodyReader(source.source)
                if source.compressed {
                    headerLines.append("Content-Encoding: gzip")
                    transfer.requestBodyCompressed = true
                }
            } catch {
                return CurlOutcome(cancelled: transfer.isCancelled, bodyError: transfer.isCancelled ? nil : error)
            }
            headerLines.append("Transfer-Encoding: chunked")
        }
        transfer.bodyReader = reader

        var slist: UnsafeMutablePointer<curl_slist>?
        for line in headerLines {
            // NULL (out of memory) leaves the list as it was: going on would send the request without the
            // lines before, the credentials among them.
            guard let next = curl_slist_append(slist, line) else {
                curl_slist_free_all(slist)
                if case .stream(let bridge, _, _, _) = request.body { bridge.cancel() }
                return CurlOutcome(curlCode: Int(CURLE_OUT_OF_MEMORY.rawValue), curlMessage: "out of memory building the request headers")
            }
            slist = next
        }
        defer { curl_slist_free_all(slist) }

        let context = Unmanaged.passUnretained(transfer).toOpaque()
        ccurl_setopt_string(easy, CURLOPT_URL, request.url)
        ccurl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        ccurl_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
        ccurl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.wholeMilliseconds)
        // What is left of the transfer's deadline: a streamed body's read-ahead has spent some of it.
        ccurl_setopt_long(easy, CURLOPT_TIMEOUT_MS, max(1, Int(transfer.deadline.timeIntervalSinceNow * 1000)))
        ccurl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        ccurl_setopt_slist(easy, CURLOPT_HTTPHEADER, slist)
        if request.acceptCompressedResponse {
            // "" = every encoding this libcurl can decode; curl inflates the body for us.
            ccurl_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        }
        switch request.method {
        case .get:
            ccurl_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case .post:
            ccurl_setopt_long(easy, CURLOPT_POST, 1)
            if reader == nil { ccurl_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, 0) }
        }
        if reader != nil {
            ccurl_setopt_read_function(easy, curlReadCallback)
            ccurl_setopt_pointer(easy, CURLOPT_READDATA, context)
        }
        ccurl_setopt_write_function(easy, curlWriteCallback)
        ccurl_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        ccurl_setopt_header_function(easy, curlHeaderCallback)
        ccurl_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        ccurl_setopt_xferinfo_function(easy, curlProgressCallback)
        ccurl_setopt_pointer(easy, CURLOPT_XFERINFODATA, context)
        ccurl_setopt_long(easy, CURLOPT_NOPROGRESS, 0)

        let code = withExtendedLifetime(transfer) { curl_easy_perform(easy) }

        var status = 0
        ccurl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        let message = code == CURLE_OK ? "" : String(cString: errorBuffer).trimmingWhitespace()
        let cancelled = transfer.isCancelled
        if case .stream(let bridge, _, _, _) = request.body {
            // Releases a producer still waiting if the server answered before reading it all.
            bridge.cancel()
        }
        return CurlOutcome(
            curlCode: Int(code.rawValue),
            curlMessage: message.isEmpty && code != CURLE_OK ? String(cString: curl_easy_strerror(code)) : message,
            status: status != 0 ? status : transfer.status,
            headers: transfer.headers,
            body: transfer.body,
            cancelled: cancelled,
            bodyError: cancelled ? nil : reader?.error,
            responseTooLarge: transfer.responseTooLarge,
            requestBodyCompressed: transfer.requestBodyCompressed
        )
    }

    /// Reads ahead up to `threshold` bytes so a short stream is not worth gzipping.
    private static func streamSource(
        _ bridge: BodyStreamBridge, deadline: Date, compress: Bool, threshold: Int, level: Int
    ) throws -> (source: ChunkSource, compressed: Bool) {
        let upstream = BridgeChunkSource(bridge, deadline: deadline)
        guard compress else { return (upstream, false) }
        var prefix: [[UInt8]] = []
        var size = 0
        var ended = false
        while size < threshold {
            guard let chunk = try upstream.nextChunk() else {
                ended = true
                break
            }
            size += chunk.count
            prefix.append(chunk)
        }
        let replay = PrefixedChunkSource(prefix: prefix, rest: upstream)
        if ended && size < threshold { return (replay, false) }
        return (try GzipChunkSource(replay, level: level), true)
    }
}

// curl's callbacks: C function pointers, so no captures; state comes through userdata.

private let curlReadAbort = 0x1000_0000  // CURL_READFUNC_ABORT

private let curlReadCallback: ccurl_data_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return curlReadAbort }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    if transfer.isCancelled { return curlReadAbort }
    guard let reader = transfer.bodyReader, let filled = reader.fill(buffer, capacity: size * count) else {
        return curlReadAbort
    }
    return filled
}

private let curlWriteCallback: ccurl_data_callback = { buffer, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    guard length > 0, let buffer else { return 0 }
    // Returning anything but `length` makes curl fail the transfer.
    return transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: length)) ? length : 0
}

private let curlHeaderCallback: ccurl_data_callback = { buffer, size, count, userdata in
    guard let userdata, let buffer else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
    transfer.receiveHeaderLine(line)
    return length
}

private let curlProgressCallback: ccurl_xferinfo_callback = { userdata, _, _, _, _ in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.isCancelled ? 1 : 0
}
