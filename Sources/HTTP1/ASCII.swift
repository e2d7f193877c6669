/// Byte constants and allocation-free comparisons of request bytes with ASCII literals.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let star: UInt8 = 0x2A
    static let comma: UInt8 = 0x2C
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let colon: UInt8 = 0x3A
    static let question: UInt8 = 0x3F

    /// Controls other than CR and LF (whose meaning depends on where they appear), and DEL.
    @inline(__always)
    static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != cr && byte != lf) || byte == 0x7F
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Whether the `count` bytes at `bytes` equal `literal`. With `folding`,
    /// ASCII letters compare case-insensitively: `literal` must then be lowercase letters, digits and "-".
    /// OR-ing 0x20 maps only the two cases of a letter onto a lowercase letter, and onto a digit or "-"
    /// only the digit or "-" itself or a control byte, which never reaches a comparison (field names
    /// are tokens and values exclude controls).
    /// Compares a word at a time: the last word overlaps the previous one rather than looping on bytes.
    @inline(__always)
    static func equals(_ bytes: UnsafePointer<UInt8>, _ count: Int, _ literal: StaticString, folding: Bool) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        let other = literal.utf8Start
        let p = UnsafeRawPointer(bytes)
        let q = UnsafeRawPointer(other)
        if count >= 8 {
            let mask: UInt64 = folding ? 0x2020_2020_2020_2020 : 0
            var k = 0
            while k + 8 < count {
                guard
                    p.loadUnaligned(fromByteOffset: k, as: UInt64.self) | mask
                        == q.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                else { return false }
                k += 8
            }
            return p.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) | mask
                == q.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 {
            let mask: UInt32 = folding ? 0x2020_2020 : 0
            return p.loadUnaligned(as: UInt32.self) | mask == q.loadUnaligned(as: UInt32.self)
                && p.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) | mask
                    == q.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        let mask: UInt8 = folding ? 0x20 : 0
        for k in 0..<count where bytes[k] | mask != other[k] { return false }
        return true
    }
}
