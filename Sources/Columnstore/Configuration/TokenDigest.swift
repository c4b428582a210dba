/// A bearer token as the services keep it: its SHA-256. Tables of tokens are keyed by digest, so a lookup
/// compares digests, never the secret itself: how long a comparison takes tells a guesser nothing about
/// how much of a token was right (the constant-time rule of `AdminToken`, for tables of many tokens).
public struct TokenDigest: Hashable, Sendable {
    public let bytes: [UInt8]

    public init(_ token: some StringProtocol) {
        bytes = SHA256.digest(Array(token.utf8))
    }
}
