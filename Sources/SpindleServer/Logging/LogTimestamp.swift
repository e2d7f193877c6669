import HTTP1
/// The access-log time stamps for one second, re-rendered only when the second changes: a busy
/// server logs many lines per second, and formatting a date is most of the cost of a line.
///
/// UTC throughout: converting to local time needs the time-zone database, and UTC lines sort and
/// compare across machines.
struct LogTimestamp {
    /// `[27/Nov/2026:08:41:44 +0000]`, as in nginx and Apache.
    private(set) var common: [UInt8] = Array("[01/Jan/1970:00:00:00 +0000]".utf8)
    /// `2026-11-27T08:41:44Z` (RFC 3339), for JSON lines.
    private(set) var iso8601: [UInt8] = Array("1970-01-01T00:00:00Z".utf8)
    private var second = 0

    private static let months = Array("JanFebMarAprMayJunJulAugSepOctNovDec".utf8)
    /// 9999-12-31T23:59:59Z: keeps every field its fixed width.
    private static let latest = 253_402_300_799

    /// Renders `time` (seconds since the epoch) unless it is the second already rendered. Writes
    /// into the existing arrays, so it never allocates.
    mutating func update(to time: Int) {
        let time = min(max(time, 0), Self.latest)
        guard time != second else { return }
        second = time
        let days = time / 86_400
        let secondOfDay = time % 86_400
        let civil = HTTPDate.civil(fromDays: Int64(days))
        let (year, month, day) = (Int(civil.year), civil.month, civil.day)
        let hour = secondOfDay / 3600
        let minute = secondOfDay / 60 % 60
        let seconds = secondOfDay % 60

        Self.put(day, width: 2, into: &common, at: 1)
        for i in 0..<3 { common[4 + i] = Self.months[(month - 1) * 3 + i] }
        Self.put(year, width: 4, into: &common, at: 8)
        Self.put(hour, width: 2, into: &common, at: 13)
        Self.put(minute, width: 2, into: &common, at: 16)
        Self.put(seconds, width: 2, into: &common, at: 19)

        Self.put(year, width: 4, into: &iso8601, at: 0)
        Self.put(month, width: 2, into: &iso8601, at: 5)
        Self.put(day, width: 2, into: &iso8601, at: 8)
        Self.put(hour, width: 2, into: &iso8601, at: 11)
        Self.put(minute, width: 2, into: &iso8601, at: 14)
        Self.put(seconds, width: 2, into: &iso8601, at: 17)
    }

    private static func put(_ value: Int, width: Int, into bytes: inout [UInt8], at offset: Int) {
        var value = value
        for i in stride(from: width - 1, through: 0, by: -1) {
            bytes[offset + i] = UInt8(truncatingIfNeeded: 0x30 + value % 10)
            value /= 10
        }
    }
}
