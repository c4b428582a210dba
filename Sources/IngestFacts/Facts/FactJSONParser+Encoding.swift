import Foundation

extension FactJSONParser {
    /// How a body is encoded, detected as JSONSerialization did (RFC 4627 §3): a BOM, or the pattern
    /// of zero bytes among the first ASCII characters.
    enum BodyEncoding {
        /// UTF-8, with `skip` bytes of BOM to ignore.
        case utf8(skip: Int)
        /// UTF-16/32 re-encoded as UTF-8 (rare: the copy is not on the hot path).
        case transcoded([UInt8])
        case undecodable
    }

    static func encoding(of body: UnsafeBufferPointer<UInt8>) -> BodyEncoding {
        func transcode(_ encoding: String.Encoding, skip: Int) -> BodyEncoding {
            guard let text = String(bytes: body[skip...], encoding: encoding) else { return .undecodable }
            return .transcoded(Array(text.utf8))
        }
        let b = body.count >= 4 ? (body[0], body[1], body[2], body[3]) : (body.first ?? 1, body.count > 1 ? body[1] : 1, 1, 1)
        switch b {
        case (0xEF, 0xBB, 0xBF, _): return .utf8(skip: 3)
        case (0x00, 0x00, 0xFE, 0xFF): return transcode(.utf32BigEndian, skip: 4)
        case (0xFF, 0xFE, 0x00, 0x00) where body.count >= 4: return transcode(.utf32LittleEndian, skip: 4)
        case (0xFE, 0xFF, _, _): return transcode(.utf16BigEndian, skip: 2)
        case (0xFF, 0xFE, _, _): return transcode(.utf16LittleEndian, skip: 2)
        case (0x00, 0x00, 0x00, _) where body.count >= 4: return transcode(.utf32BigEndian, skip: 0)
        case (_, 0x00, 0x00, 0x00) where body.count >= 4: return transcode(.utf32LittleEndian, skip: 0)
        case (0x00, _, _, _) where body.count >= 2: return transcode(.utf16BigEndian, skip: 0)
        case (_, 0x00, _, _) where body.count >= 2: return transcode(.utf16LittleEndian, skip: 0)
        default: return .utf8(skip: 0)
        }
    }
}
