import Foundation

/// The data of an INSERT: a buffer, or chunks streamed from an `AsyncSequence`.
///
/// Streamed bodies go out with chunked transfer encoding while the sequence is still producing,
/// so a large insert never has to sit in memory. A streamed body can be sent once.
public struct ClickHouseInsertBody: Sendable {
    enum Storage: Sendable {
        case bytes([UInt8])
        /// Feeds the bridge from the caller's sequence; runs as a child task of the insert.
        case stream(@Sendable (BodyStreamBridge) async -> Void)
    }

    let storage: Storage

    /// A body held in memory.
    public static func bytes(_ bytes: [UInt8]) -> ClickHouseInsertBody {
        ClickHouseInsertBody(storage: .bytes(bytes))
    }

    /// A body held in memory.
    public static func data(_ data: Data) -> ClickHouseInsertBody {
        ClickHouseInsertBody(storage: .bytes([UInt8](data)))
    }

    /// A body streamed chunk by chunk. If the sequence throws, the insert fails with that error.
    public static func stream<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks
    ) -> ClickHouseInsertBody where Chunks.Element == [UInt8] {
        ClickHouseInsertBody(storage: .stream({ bridge in
            await bridge.produce { consume in
                for try await chunk in chunks {
                    guard await consume(chunk) else { return }
                }
            }
        }))
    }

    /// A body streamed chunk by chunk. If the sequence throws, the insert fails with that error.
    public static func stream<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks
    ) -> ClickHouseInsertBody where Chunks.Element == Data {
        ClickHouseInsertBody(storage: .stream({ bridge in
            await bridge.produce { consume in
                for try await chunk in chunks {
                    guard await consume([UInt8](chunk)) else { return }
                }
            }
        }))
    }
}
