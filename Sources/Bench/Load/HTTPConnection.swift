import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal keep-alive HTTP/1.1 client connection to 127.0.0.1 over a blocking socket, so load
/// numbers measure the server rather than a client library. The blocking calls run on the
/// connection's own serial queue, never on Swift's cooperative pool.
final class HTTPConnection: @unchecked Sendable {
    // @unchecked: `fd` and `buffer` are touched only on `queue`.
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
    }

    let host: String
    let port: UInt16
    private let queue: DispatchQueue
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    init(host: String = "127.0.0.1", port: UInt16) {
        self.host = host
        self.port = port
        self.queue = DispatchQueue(label: "projection-bench.http.\(port)")
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Sends one request and reads the whole response; reconnects once if the server had closed the connection.
    func send(method: String = "POST", path: String, headers: [(String, String)], body: [UInt8]) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.exchange(method: method, path: path, headers: headers, body: body) })
            }
        }
    }

    // MARK: - On the queue

    private func exchange(method: String, path: String, headers: [(String, String)], body: [UInt8]) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + body
        let reused = fd >= 0
        do {
            if fd < 0 { try open() }
            try write(request)
            return try readResponse()
        } catch where reused {
            // A keep-alive connection the server closed while idle: one fresh attempt.
            reset()
            try open()
            try write(request)
            return try readResponse()
        }
    }

    private func open() throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw BenchError(.connection, operation: "http", "socket() failed: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(socketFD, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(socketFD)
            throw BenchError(.connection, operation: "http", "cannot connect to \(host):\(port): errno \(errno)")
        }
        fd = socketFD
        buffer.removeAll(keepingCapacity: true)
    }

    private func reset() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        buffer.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw BenchError(.connection, operation: "http", "send failed: errno \(errno)") }
            offset += n
        }
    }

    /// Reads more bytes into `buffer`; throws when the peer closed.
    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw BenchError(.connection, operation: "http", "connection closed by the server") }
        buffer.append(contentsOf: chunk[0..<n])
    }

    private func readResponse() throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = Self.find(separator, in: buffer, from: 0)
            if headerEnd == nil { try fill() }
        }
        let headText = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        buffer.removeFirst(headerEnd! + 4)
        let lines = headText.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw BenchError(.unexpectedResponse, operation: "http", "bad status line '\(lines[0])'")
        }
        var contentLength: Int?
        var chunked = false
        var close = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces).lowercased()
            if name == "content-length" { contentLength = Int(value) }
            if name == "transfer-encoding", value.contains("chunked") { chunked = true }
            if name == "connection", value == "close" { close = true }
        }
        var body: [UInt8] = []
        if chunked {
            while true {
                var lineEnd = Self.find([13, 10], in: buffer, from: 0)
                while lineEnd == nil { try fill(); lineEnd = Self.find([13, 10], in: buffer, from: 0) }
                let sizeText = String(decoding: buffer[0..<lineEnd!], as: UTF8.self).split(separator: ";")[0]
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw BenchError(.unexpectedResponse, operation: "http", "bad chunk size")
                }
                buffer.removeFirst(lineEnd! + 2)
                while buffer.count < size + 2 { try fill() }
                body.append(contentsOf: buffer[0..<size])
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else {
            let length = contentLength ?? 0
            while buffer.count < length { try fill() }
            body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        }
        if close { reset() }
        return Response(status: status, body: body)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count + start else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}
