import CNATS

/// Opens libnats once per process. It is never closed: `nats_Close` while another
/// connection (or test) is still using the library would break it, and process exit cleans up.
enum NATSLibrary {
    private static let openStatus: natsStatus = nats_Open(-1)

    /// The linked libnats' major version: `projection_natsMsg_DestroyNow` (CNATS' shim) relies on the
    /// message layout of 3.x.
    static var majorVersion: UInt32 { nats_GetVersionNumber() >> 16 }

    static func ensureOpen() throws {
        try natsCheck(openStatus, "nats_Open")
    }
}
