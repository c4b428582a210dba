import CLibPQ

/// The data stream of a running `COPY … FROM STDIN`, handed to `copyIn`'s closure.
///
/// Writes are buffered and sent to the server in chunks. Only valid inside that closure.
public final class PostgresCopyIn {
    /// Bytes buffered before a chunk is sent (PQputCopyData).
    static let chunkSize = 256 * 1024

    private let handle: OpaquePointer
    private var buffer: [UInt8] = []
    /// Set once sending failed; the caller then collects the server's error.
    private(set) var sendFailed = false

    init(handle: OpaquePointer) {
        self.handle = handle
        buffer.reserveCapacity(Self.chunkSize)
    }

    /// Sends raw COPY data (any format matching the COPY statement).
    public func write(_ bytes: [UInt8]) throws {
        buffer += bytes
        if buffer.count >= Self.chunkSize { try flush() }
    }

    /// Sends and clears what a binary writer has encoded so far; call per row or per batch.
    public func write(_ writer: inout PostgresBinaryCopyWriter) throws {
        try write(writer.takeBytes())
    }

    /// Sends and clears what a text writer has encoded so far.
    public func write(_ writer: inout PostgresTextCopyWriter) throws {
        try write(writer.takeBytes())
    }

    /// Sends one text-format row (`nil` is NULL); only for COPY in text format.
    public func writeTextRow(_ fields: [String?]) throws {
        var writer = PostgresTextCopyWriter()
        writer.appendRow(fields)
        try write(writer.bytes)
    }

    /// Sends everything buffered.
    func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        buffer.removeAll(keepingCapacity: true)
        guard sent == 1 else {
            sendFailed = true
            throw PostgresError(code: .connectionLost, message: PostgresConnection.errorMessage(handle))
        }
    }
}
