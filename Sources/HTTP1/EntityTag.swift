/// Entity tags (RFC 9110 §8.8.3): generation from file metadata and matching against the
/// conditional request fields. Tags are handled as bytes including their quotes, e.g. `"5f3a-1c"`.
public enum EntityTag {
    /// A strong tag from the file's modification time and size: `"<hex seconds>-<hex size>"` like nginx,
    /// or `"<hex seconds>.<hex nanoseconds>-<hex size>"` when the nanoseconds are non-zero, so that two
    /// writes within one second still change the tag. Identical on replicas that preserve mtimes.
    public static func make(size: Int64, modificationSeconds: Int64, modificationNanoseconds: Int64) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(40)
        out.append(UInt8(ascii: "\""))
        out.appendHex(UInt64(bitPattern: modificationSeconds))
        if modificationNanoseconds != 0 {
            out.append(UInt8(ascii: "."))
            out.appendHex(UInt64(bitPattern: modificationNanoseconds))
        }
        out.append(UInt8(ascii: "-"))
        out.appendHex(UInt64(bitPattern: size))
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// If-None-Match: true when `*` or any listed tag matches `etag` by weak comparison (the `W/`
    /// prefix is ignored on both sides). A malformed list matches nothing.
    public static func ifNoneMatchMatches(_ field: UnsafeRawBufferPointer, etag: [UInt8]) -> Bool {
        anyMatches(field, etag: etag, strong: false)
    }

    /// If-Match: true when `*` or any listed tag matches `etag` by strong comparison (weak tags never
    /// match). A malformed list matches nothing, which fails the precondition: the safe side for a
    /// field whose purpose is to prevent acting on the wrong representation.
    public static func ifMatchMatches(_ field: UnsafeRawBufferPointer, etag: [UInt8]) -> Bool {
        anyMatches(field, etag: etag, strong: true)
    }

    /// If-Range (RFC 9110 §13.1.5): true when the Range may be honoured. An entity tag must match
    /// strongly; an HTTP-date must equal Last-Modified exactly. Anything else (weak tag, invalid date,
    /// a list) → false, so the full representation is sent.
    public static func ifRangeAllowsRange(_ field: UnsafeRawBufferPointer, etag: [UInt8], lastModified: Int64)
        -> Bool
    {
        guard let first = field.first else { return false }
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "W") && field.count > 1 && field[1] == UInt8(ascii: "/")
        {
            var index = 0
            guard let tag = nextTag(field, &index), !tag.weak, index == field.count else { return false }
            return equalOpaque(UnsafeRawBufferPointer(rebasing: field[tag.opaque]), etag)
        }
        return HTTPDate.parse(field) == lastModified
    }

    private static func anyMatches(_ field: UnsafeRawBufferPointer, etag: [UInt8], strong: Bool) -> Bool {
        var index = 0
        skipListSeparators(field, &index)
        if index < field.count && field[index] == UInt8(ascii: "*") {
            index += 1
            skipListSeparators(field, &index)
            return index == field.count
        }
        let ownIsWeak = etag.count >= 2 && etag[0] == UInt8(ascii: "W") && etag[1] == UInt8(ascii: "/")
        let own = ownIsWeak ? Array(etag[2...]) : etag
        while index < field.count {
            guard let tag = nextTag(field, &index) else { return false }
            if !(strong && (tag.weak || ownIsWeak))
                && equalOpaque(UnsafeRawBufferPointer(rebasing: field[tag.opaque]), own)
            {
                return true
            }
            let before = index
            skipListSeparators(field, &index)
            // Tags must be separated by a comma.
            if index < field.count && !field[before..<index].contains(UInt8(ascii: ",")) { return false }
        }
        return false
    }

    /// Parses `[W/] DQUOTE *etagc DQUOTE` at `index`; `opaque` includes the quotes.
    private static func nextTag(_ field: UnsafeRawBufferPointer, _ index: inout Int) -> (
        weak: Bool, opaque: Range<Int>
    )? {
        var weak = false
        if index + 1 < field.count && field[index] == UInt8(ascii: "W") && field[index + 1] == UInt8(ascii: "/") {
            weak = true
            index += 2
        }
        guard index < field.count, field[index] == UInt8(ascii: "\"") else { return nil }
        let start = index
        index += 1
        while index < field.count {
            let byte = field[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return (weak, start..<index)
            }
            // etagc = %x21 / %x23-7E / obs-text
            guard byte == 0x21 || byte >= 0x23 && byte != 0x7F else { return nil }
            index += 1
        }
        return nil
    }

    private static func skipListSeparators(_ field: UnsafeRawBufferPointer, _ index: inout Int) {
        while index < field.count
            && (field[index] == UInt8(ascii: ",") || field[index] == UInt8(ascii: " ")
                || field[index] == UInt8(ascii: "\t"))
        {
            index += 1
        }
    }

    @inline(__always)
    private static func equalOpaque(_ candidate: UnsafeRawBufferPointer, _ etag: [UInt8]) -> Bool {
        candidate.count == etag.count && candidate.elementsEqual(etag)
    }
}
