import Foundation

extension ClickHouseTypeName {
    /// The zone a `DateTime('Z')` / `DateTime64(3, 'Z')` column prints its values in: the type's
    /// own, else the server's; nil for UTC (no conversion) and for non-date-time types.
    package static func timeZone(ofBase base: String, server: String?) -> TimeZone? {
        let name: Substring?
        if base == "DateTime" {
            name = nil
        } else if let (type, arguments) = split(Substring(base)), type == "DateTime" || type == "DateTime64" {
            let index = type == "DateTime" ? 0 : 1
            name = arguments.count > index ? arguments[index] : nil
        } else {
            return nil
        }
        var zone = name.map { String($0.dropFirst().dropLast()) } ?? server ?? "UTC"
        if zone.isEmpty { zone = "UTC" }
        if ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "UCT", "Zulu"].contains(zone) { return nil }
        // Foundation reads the same IANA names ClickHouse does.
        return TimeZone(identifier: zone)
    }

    /// The UTC instant of a wall-clock time in `zone` (milliseconds read as if UTC). A wall-clock
    /// time that occurs twice (the hour DST ends) is ambiguous in that form; the later offset wins.
    package static func utcMilliseconds(local: Int64, in zone: TimeZone) -> Int64 {
        func offset(at millis: Int64) -> Int64 {
            Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(millis) / 1000))) * 1000
        }
        let guess = local - offset(at: local)
        return local - offset(at: guess)
    }
}
