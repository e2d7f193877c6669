/// The outcome of a `Range` header (RFC 9110 §14.2) against a representation of known length.
public enum ByteRanges: Sendable, Equatable {
    /// Serve the whole representation with 200: the header was absent, not `bytes`, syntactically
    /// invalid, or one of the cases Spindle deliberately declines (see `parse`).
    case ignored
    /// Serve these ranges with 206, in the order requested. Each is non-empty and within the length.
    case satisfiable([Range<Int64>])
    /// No requested range overlaps the representation → 416 with `Content-Range: bytes */length`.
    case unsatisfiable

    /// The most ranges served as multipart; more are answered with the full representation.
    public static let defaultMaxRanges = 16

    /// Parses a Range field value.
    ///
    /// Decisions beyond the RFC (all allowed by §14.2, "a server MAY ignore the Range header field"):
    /// - more than `maxRanges` range-specs → `.ignored` (200 in full): many tiny ranges cost more to
    ///   serve than the whole file and are a known amplification trick;
    /// - satisfiable ranges that overlap → `.ignored`, for the same reason (§14.2 lets a server refuse
    ///   overlapping ranges);
    /// - a zero-length representation → `.ignored`: no range-spec can select a byte, and the full
    ///   (empty) 200 is what every client wants.
    public static func parse(_ value: UnsafeRawBufferPointer, length: Int64, maxRanges: Int = defaultMaxRanges)
        -> ByteRanges
    {
        var index = 0
        let count = value.count
        skipWhitespace(value, &index)
        // range-unit is case-insensitive; only "bytes" is known.
        let unit: StaticString = "bytes="
        let unitMatches = unit.withUTF8Buffer { unitBytes -> Bool in
            guard index + unitBytes.count <= count else { return false }
            for offset in 0..<unitBytes.count where value[index + offset] | 0x20 != unitBytes[offset] | 0x20 {
                return false
            }
            return true
        }
        guard unitMatches else { return .ignored }
        index += unit.utf8CodeUnitCount

        var ranges = [Range<Int64>]()
        var specs = 0
        while true {
            skipWhitespace(value, &index)
            if index == count { break }
            if value[index] == UInt8(ascii: ",") {
                // Empty list elements are allowed by the #rule (RFC 9110 §5.6.1.2).
                index += 1
                continue
            }
            specs += 1
            if specs > maxRanges { return .ignored }
            if value[index] == UInt8(ascii: "-") {
                index += 1
                guard let suffix = number(value, &index) else { return .ignored }
                if suffix > 0 && length > 0 {
                    ranges.append(max(0, length - suffix)..<length)
                }
            } else {
                guard let first = number(value, &index), index < count, value[index] == UInt8(ascii: "-")
                else { return .ignored }
                index += 1
                var last = Int64.max
                if index < count, isDigit(value[index]) {
                    guard let parsed = number(value, &index) else { return .ignored }
                    // last < first makes the whole header invalid (RFC 9110 §14.1.1).
                    guard parsed >= first else { return .ignored }
                    last = parsed
                }
                if first < length {
                    ranges.append(first..<(min(last, length - 1) + 1))
                }
            }
            skipWhitespace(value, &index)
            if index == count { break }
            guard value[index] == UInt8(ascii: ",") else { return .ignored }
            index += 1
        }
        if specs == 0 || length == 0 { return .ignored }
        if ranges.isEmpty { return .unsatisfiable }
        if ranges.count > 1 {
            for i in 0..<ranges.count {
                for j in (i + 1)..<ranges.count where ranges[i].overlaps(ranges[j]) {
                    return .ignored
                }
            }
        }
        return .satisfiable(ranges)
    }

    /// Convenience for tests and callers holding an array.
    public static func parse(_ value: [UInt8], length: Int64, maxRanges: Int = defaultMaxRanges) -> ByteRanges {
        value.withUnsafeBytes { parse($0, length: length, maxRanges: maxRanges) }
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func skipWhitespace(_ value: UnsafeRawBufferPointer, _ index: inout Int) {
        while index < value.count && (value[index] == UInt8(ascii: " ") || value[index] == UInt8(ascii: "\t")) {
            index += 1
        }
    }

    /// 1*DIGIT, saturating at Int64.max: a position beyond any file is still syntactically valid.
    private static func number(_ value: UnsafeRawBufferPointer, _ index: inout Int) -> Int64? {
        let start = index
        var result: Int64 = 0
        while index < value.count && isDigit(value[index]) {
            let digit = Int64(value[index] &- UInt8(ascii: "0"))
            let (times10, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            result = overflow1 || overflow2 ? Int64.max : sum
            index += 1
        }
        return index > start ? result : nil
    }
}
