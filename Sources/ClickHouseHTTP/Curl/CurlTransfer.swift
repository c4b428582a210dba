import Foundation

/// State of one request while curl runs it; curl's callbacks reach it through an unmanaged
/// pointer. Everything except `cancel()` is touched only on the handle's queue.
final class CurlTransfer: @unchecked Sendable {
    let request: CurlRequest
    let deadline: Date
    var status = 0
    var headers: [String: String] = [:]
    var body: [UInt8] = []
    var responseTooLarge = false
    var bodyReader: RequestBodyReader?
    var requestBodyCompressed = false

    private let lock = NSLock()
    private var cancelledFlag = false

    init(request: CurlRequest) {
        self.request = request
        self.deadline = Date().addingTimeInterval(Double(request.requestTimeout.wholeMilliseconds) / 1000)
    }

    /// Safe from any thread: makes curl abort at its next callback and wakes a waiting body read.
    func cancel() {
        lock.lock()
        cancelledFlag = true
        lock.unlock()
        if case .stream(let bridge, _, _, _) = request.body { bridge.cancel() }
    }

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelledFlag
    }

    /// Collects a header line; a new status line (redirect, 100 Continue) starts over.
    func receiveHeaderLine(_ line: String) {
        if line.hasPrefix("HTTP/") {
            headers = [:]
            let parts = line.trimmingWhitespace().split(separator: " ", maxSplits: 2)
            if parts.count >= 2, let code = Int(parts[1]) { status = code }
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingWhitespace().lowercased()
        let value = line[line.index(after: colon)...].trimmingWhitespace()
        if !name.isEmpty { headers[name] = value }
    }

    /// Appends response bytes; false aborts the transfer.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if isCancelled { return false }
        if body.count + bytes.count > request.maxResponseBytes {
            responseTooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }
}
