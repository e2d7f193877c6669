import Testing

@testable import HTTP1

/// The byte classes spelled out from their RFC definitions, independently of the bit masks.
enum Reference {
    static let alphaDigit = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    /// RFC 9110 §5.6.2.
    static let token = alphaDigit.union("!#$%&'*+-.^_`|~".utf8)
    /// RFC 3986 unreserved, sub-delims, ":@/?%", "[]", plus what browsers send unencoded.
    static let target = alphaDigit.union("-._~".utf8).union("!$&'()*+,;=".utf8).union(":@/?%[]".utf8)
        .union("\"<>\\^`{|}".utf8)
    static let host = alphaDigit.union("-._~".utf8).union("!$&'()*+,;=".utf8).union("%:[]".utf8)

    static func isFieldValue(_ byte: UInt8) -> Bool { byte == 0x09 || (byte >= 0x20 && byte != 0x7F) }
}

@Suite struct ByteSetTests {
    @Test func tokenMatchesRFC9110() {
        for byte in UInt8.min...UInt8.max {
            #expect(ByteSet.token.contains(byte) == Reference.token.contains(byte), "byte \(byte)")
        }
    }

    @Test func targetMatchesDocumentedSet() {
        for byte in UInt8.min...UInt8.max {
            #expect(ByteSet.target.contains(byte) == Reference.target.contains(byte), "byte \(byte)")
        }
    }

    @Test func hostMatchesRFC3986Authority() {
        for byte in UInt8.min...UInt8.max {
            #expect(ByteSet.host.contains(byte) == Reference.host.contains(byte), "byte \(byte)")
        }
    }

    @Test func fieldValueMatchesRFC9110() {
        for byte in UInt8.min...UInt8.max {
            #expect(ByteSet.fieldValue.contains(byte) == Reference.isFieldValue(byte), "byte \(byte)")
        }
    }
}
