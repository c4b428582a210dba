extension NATSConnection {
    /// The server URLs of `url`: one URL, or several separated by commas (a cluster's nodes), trimmed,
    /// empty entries dropped. libnats' `natsOptions_SetURL` takes only one, so a list goes to
    /// `natsOptions_SetServers`.
    public static func serverURLs(_ url: String) -> [String] {
        url.split(separator: ",").map { entry in
            String(entry.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        }.filter { !$0.isEmpty }
    }
}
