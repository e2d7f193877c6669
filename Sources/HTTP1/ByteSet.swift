/// A set of byte values as a 256-bit mask: membership is a shift and a test, with no table in memory
/// and no lazy global initialisation on the hot path. The constants below are checked byte by byte
/// against their definitions in ByteSetTests.
struct ByteSet: Sendable {
    let w0: UInt64  // 0x00...0x3F
    let w1: UInt64  // 0x40...0x7F
    let w2: UInt64  // 0x80...0xBF
    let w3: UInt64  // 0xC0...0xFF

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        let word: UInt64
        switch byte &>> 6 {
        case 0: word = w0
        case 1: word = w1
        case 2: word = w2
        default: word = w3
        }
        return (word &>> UInt64(byte & 63)) & 1 != 0
    }

    /// RFC 9110 §5.6.2 tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~". Methods and field names.
    static let token = ByteSet(w0: 0x03FF_6CFA_0000_0000, w1: 0x57FF_FFFF_C7FF_FFFE, w2: 0, w3: 0)

    /// Request-target bytes: RFC 3986 unreserved, sub-delims, ":@/?%" and "[]" (IPv6 literals), plus
    /// `"<>\^`{|}`, which browsers and curl send unencoded in paths and queries. Excluded: SP (the
    /// delimiter), "#" (a fragment is never sent), controls, DEL and bytes >= 0x80.
    static let target = ByteSet(w0: 0xFFFF_FFF6_0000_0000, w1: 0x7FFF_FFFF_FFFF_FFFF, w2: 0, w3: 0)

    /// Host field and absolute-form authority bytes: reg-name / IP-literal characters and ":" for the
    /// port (RFC 3986 §3.2.2). No "@": userinfo is an error (RFC 9110 §4.2.4).
    static let host = ByteSet(w0: 0x2FFF_7FF2_0000_0000, w1: 0x47FF_FFFE_AFFF_FFFE, w2: 0, w3: 0)

    /// RFC 9110 §5.5 field-value bytes: HTAB, SP, VCHAR and obs-text (>= 0x80).
    static let fieldValue = ByteSet(
        w0: 0xFFFF_FFFF_0000_0200, w1: 0x7FFF_FFFF_FFFF_FFFF, w2: 0xFFFF_FFFF_FFFF_FFFF, w3: 0xFFFF_FFFF_FFFF_FFFF)
}
