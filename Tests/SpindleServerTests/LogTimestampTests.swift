import HTTP1
import Testing

@testable import SpindleServer

@Suite struct LogTimestampTests {
    static let cases: [(Int, String, String)] = [
        (0, "[01/Jan/1970:00:00:00 +0000]", "1970-01-01T00:00:00Z"),
        (1_795_768_904, "[27/Nov/2026:08:41:44 +0000]", "2026-11-27T08:41:44Z"),
        (951_868_799, "[29/Feb/2000:23:59:59 +0000]", "2000-02-29T23:59:59Z"),
        (951_868_800, "[01/Mar/2000:00:00:00 +0000]", "2000-03-01T00:00:00Z"),
        (4_107_542_400, "[01/Mar/2100:00:00:00 +0000]", "2100-03-01T00:00:00Z"),
        (253_402_300_799, "[31/Dec/9999:23:59:59 +0000]", "9999-12-31T23:59:59Z"),
        // Out of range clamps rather than growing the field.
        (-1, "[01/Jan/1970:00:00:00 +0000]", "1970-01-01T00:00:00Z"),
        (Int.max, "[31/Dec/9999:23:59:59 +0000]", "9999-12-31T23:59:59Z"),
    ]

    @Test(arguments: cases)
    func renders(_ time: Int, _ common: String, _ iso: String) {
        var stamp = LogTimestamp()
        stamp.update(to: 1_000_000_000)  // start from a different second than the one checked
        stamp.update(to: time)
        #expect(String(decoding: stamp.common, as: UTF8.self) == common)
        #expect(String(decoding: stamp.iso8601, as: UTF8.self) == iso)
    }

    @Test func civilDatesMatchDayByDayCount() {
        // Walk 500 years a day at a time and compare with the closed-form conversion.
        var (year, month, day) = (1970, 1, 1)
        func daysIn(_ month: Int, _ year: Int) -> Int {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        }
        for days in 0..<(365 * 500) {
            let civil = HTTPDate.civil(fromDays: Int64(days))
            if civil != (Int64(year), month, day) {
                Issue.record("day \(days): \(civil) != \((year, month, day))")
                return
            }
            day += 1
            if day > daysIn(month, year) {
                day = 1
                month += 1
                if month > 12 {
                    month = 1
                    year += 1
                }
            }
        }
    }
}
