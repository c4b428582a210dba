/// Feeds curl's read callback from a chunk source, remembering the first error.
final class RequestBodyReader {
    private let source: ChunkSource
    private var current: [UInt8] = []
    private var offset = 0
    private var ended = false
    private(set) var error: Error?

    init(_ source: ChunkSource) { self.source = source }

    /// Copies up to `capacity` bytes into `destination`; 0 means the body is complete,
    /// nil means it failed (see `error`).
    func fill(_ destination: UnsafeMutableRawPointer, capacity: Int) -> Int? {
        if error != nil { return nil }
        while offset >= current.count {
            if ended { return 0 }
            do {
                if let chunk = try source.nextChunk() {
                    current = chunk
                    offset = 0
                } else {
                    ended = true
                    return 0
                }
            } catch {
                self.error = error
                return nil
            }
        }
        let count = min(capacity, current.count - offset)
        current.withUnsafeBytes { bytes in
            destination.copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}
