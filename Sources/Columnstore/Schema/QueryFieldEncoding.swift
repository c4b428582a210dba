/// How an integer field travels in the protobuf binary format. `QueryFieldType` folds the proto's
/// integer variants together (they mean the same value); the wire still tells them apart.
public enum QueryFieldEncoding: Sendable, Hashable {
    /// `int32`, `int64`, `uint32`, `uint64` (varint), and every non-integer type.
    case plain
    /// `sint32`, `sint64`: ZigZag varint.
    case zigzag
    /// `fixed32`, `sfixed32`, `fixed64`, `sfixed64`: little-endian, 4 or 8 bytes.
    case fixed
}
