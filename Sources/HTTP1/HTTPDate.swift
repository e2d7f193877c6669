/// HTTP-date (RFC 9110 §5.6.7): formats IMF-fixdate, parses IMF-fixdate, RFC 850 and asctime.
/// All arithmetic is on the proleptic Gregorian calendar in UTC; no time zone database is involved.
public enum HTTPDate {
    /// Length of an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static let length = 29

    /// Appends `epochSeconds` as an IMF-fixdate. Years outside 0...9999 are clamped, because the
    /// format has exactly four year digits.
    public static func append(_ epochSeconds: Int64, to out: inout [UInt8]) {
        let clamped = min(max(epochSeconds, minimumEpoch), maximumEpoch)
        var days = clamped / 86_400
        var secondOfDay = clamped % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        // 1970-01-01 was a Thursday (index 4 with Sunday = 0).
        var weekday = (days + 4) % 7
        if weekday < 0 { weekday += 7 }
        let hour = Int(secondOfDay / 3600)
        let minute = Int(secondOfDay / 60 % 60)
        let second = Int(secondOfDay % 60)

        dayNames.withUTF8Buffer { names in
            let base = Int(weekday) * 3
            out.append(names[base])
            out.append(names[base + 1])
            out.append(names[base + 2])
        }
        out.append(UInt8(ascii: ","))
        out.append(UInt8(ascii: " "))
        appendTwoDigits(day, to: &out)
        out.append(UInt8(ascii: " "))
        monthNames.withUTF8Buffer { names in
            let base = (month - 1) * 3
            out.append(names[base])
            out.append(names[base + 1])
            out.append(names[base + 2])
        }
        out.append(UInt8(ascii: " "))
        appendTwoDigits(Int(year / 100), to: &out)
        appendTwoDigits(Int(year % 100), to: &out)
        out.append(UInt8(ascii: " "))
        appendTwoDigits(hour, to: &out)
        out.append(UInt8(ascii: ":"))
        appendTwoDigits(minute, to: &out)
        out.append(UInt8(ascii: ":"))
        appendTwoDigits(second, to: &out)
        out.append(" GMT")
    }

    /// The IMF-fixdate of `epochSeconds` as bytes.
    public static func format(_ epochSeconds: Int64) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(length)
        append(epochSeconds, to: &out)
        return out
    }

    /// Parses any of the three HTTP-date formats; nil when the value is not a valid date.
    ///
    /// The day name must be a valid name but is not checked against the date (like nginx and most
    /// caches): a mismatch carries no information worth rejecting a validator over. RFC 850's two-digit
    /// year is read as 1970–2069 instead of "within 50 years of now", so the parser stays clock-free.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var scanner = Scanner(bytes: bytes)
        // IMF-fixdate and asctime start with a three-letter day name; RFC 850 with the full name.
        guard let dayName = scanner.letters(), dayName.count >= 3 else { return nil }
        if scanner.take(UInt8(ascii: ",")) {
            guard scanner.take(UInt8(ascii: " ")) else { return nil }
            if dayName.count == 3 {
                guard isShortDayName(dayName) else { return nil }
                // IMF-fixdate: 06 Nov 1994 08:49:37 GMT
                guard let day = scanner.digits(2), scanner.take(UInt8(ascii: " ")),
                    let month = scanner.month(), scanner.take(UInt8(ascii: " ")),
                    let year = scanner.digits(4), scanner.take(UInt8(ascii: " ")),
                    let time = scanner.timeOfDay(), scanner.takeGMT(), scanner.atEnd
                else { return nil }
                return epoch(year: year, month: month, day: day, time: time)
            }
            guard isLongDayName(dayName) else { return nil }
            // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            guard let day = scanner.digits(2), scanner.take(UInt8(ascii: "-")),
                let month = scanner.month(), scanner.take(UInt8(ascii: "-")),
                let shortYear = scanner.digits(2), scanner.take(UInt8(ascii: " ")),
                let time = scanner.timeOfDay(), scanner.takeGMT(), scanner.atEnd
            else { return nil }
            let year = shortYear < 70 ? 2000 + shortYear : 1900 + shortYear
            return epoch(year: year, month: month, day: day, time: time)
        }
        // asctime: Sun Nov  6 08:49:37 1994
        guard dayName.count == 3, isShortDayName(dayName), scanner.take(UInt8(ascii: " ")),
            let month = scanner.month(), scanner.take(UInt8(ascii: " "))
        else { return nil }
        let day: Int
        if scanner.take(UInt8(ascii: " ")) {
            guard let digit = scanner.digits(1) else { return nil }
            day = digit
        } else {
            guard let digits = scanner.digits(2) else { return nil }
            day = digits
        }
        guard scanner.take(UInt8(ascii: " ")), let time = scanner.timeOfDay(), scanner.take(UInt8(ascii: " ")),
            let year = scanner.digits(4), scanner.atEnd
        else { return nil }
        return epoch(year: year, month: month, day: day, time: time)
    }

    /// Convenience for tests and callers holding an array.
    public static func parse(_ bytes: [UInt8]) -> Int64? {
        bytes.withUnsafeBytes { parse($0) }
    }

    // MARK: - Calendar

    static let minimumEpoch: Int64 = -62_167_219_200  // 0000-01-01T00:00:00Z
    static let maximumEpoch: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z

    private static let dayNames: StaticString = "SunMonTueWedThuFriSat"
    private static let monthNames: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"

    @inline(__always)
    private static func appendTwoDigits(_ value: Int, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value / 10) &+ UInt8(ascii: "0"))
        out.append(UInt8(truncatingIfNeeded: value % 10) &+ UInt8(ascii: "0"))
    }

    /// Days since 1970-01-01 → (year, month 1...12, day 1...31). Howard Hinnant's `civil_from_days`.
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
        let month = Int(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// (year, month 1...12, day) → days since 1970-01-01. Howard Hinnant's `days_from_civil`.
    static func days(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func epoch(year: Int, month: Int, day: Int, time: Int) -> Int64? {
        guard day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        return days(year: Int64(year), month: month, day: day) * 86_400 + Int64(time)
    }

    private static func isShortDayName(_ name: UnsafeRawBufferPointer) -> Bool {
        dayNames.withUTF8Buffer { names in
            var base = 0
            while base < names.count {
                if names[base] == name[0] && names[base + 1] == name[1] && names[base + 2] == name[2] {
                    return true
                }
                base += 3
            }
            return false
        }
    }

    private static func isLongDayName(_ name: UnsafeRawBufferPointer) -> Bool {
        for candidate: StaticString in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] {
            let equal = candidate.withUTF8Buffer { $0.elementsEqual(name) }
            if equal { return true }
        }
        return false
    }

    /// A cursor over the field value. Names are matched case-sensitively: the grammar defines them so.
    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func letters() -> UnsafeRawBufferPointer? {
            let start = index
            while index < bytes.count,
                (bytes[index] >= UInt8(ascii: "A") && bytes[index] <= UInt8(ascii: "Z"))
                    || (bytes[index] >= UInt8(ascii: "a") && bytes[index] <= UInt8(ascii: "z"))
            {
                index += 1
            }
            return index > start ? UnsafeRawBufferPointer(rebasing: bytes[start..<index]) : nil
        }

        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }

        mutating func month() -> Int? {
            guard index + 3 <= bytes.count else { return nil }
            let found = HTTPDate.monthNames.withUTF8Buffer { names -> Int? in
                var month = 0
                while month < 12 {
                    let base = month * 3
                    if names[base] == bytes[index] && names[base + 1] == bytes[index + 1]
                        && names[base + 2] == bytes[index + 2]
                    {
                        return month + 1
                    }
                    month += 1
                }
                return nil
            }
            if found != nil { index += 3 }
            return found
        }

        /// `HH:MM:SS` → seconds into the day. Second 60 (a leap second) is accepted as RFC 9110 allows.
        mutating func timeOfDay() -> Int? {
            guard let hour = digits(2), hour < 24, take(UInt8(ascii: ":")),
                let minute = digits(2), minute < 60, take(UInt8(ascii: ":")),
                let second = digits(2), second <= 60
            else { return nil }
            return hour * 3600 + minute * 60 + second
        }

        mutating func takeGMT() -> Bool {
            take(UInt8(ascii: " ")) && take(UInt8(ascii: "G")) && take(UInt8(ascii: "M")) && take(UInt8(ascii: "T"))
        }
    }
}
