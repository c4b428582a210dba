import CNATS

/// Opens libnats once per process. It is never closed: `nats_Close` while another
/// connection (or test) is still using the library would break it, and process exit cleans up.
enum NATSLibrary {
    private static let openStatus: natsStatus = nats_Open(-1)

    static func ensureOpen() throws {
        try natsCheck(openStatus, "nats_Open")
    }
}
