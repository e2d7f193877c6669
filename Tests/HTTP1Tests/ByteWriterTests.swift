import HTTP1
import Testing

struct ByteWriterTests {
    static func text(_ build: (inout [UInt8]) -> Void) -> String {
        var out = [UInt8]()
        build(&out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func appendsStaticStrings() {
        #expect(Self.text { $0.append("Server: spindle\r\n") } == "Server: spindle\r\n")
        #expect(Self.text { $0.append("") } == "")
    }

    @Test(arguments: [0, 1, 9, 10, 99, 100, 12345, Int64.max, -1, -10, Int64.min])
    func appendsDecimals(_ value: Int64) {
        #expect(Self.text { $0.appendDecimal(value) } == String(value))
    }

    @Test func appendsUnsignedAndIntDecimals() {
        #expect(Self.text { $0.appendDecimal(UInt64.max) } == String(UInt64.max))
        #expect(Self.text { $0.appendDecimal(42 as Int) } == "42")
    }

    @Test(arguments: [0, 1, 15, 16, 255, 0x5f3a, UInt64.max])
    func appendsHex(_ value: UInt64) {
        #expect(Self.text { $0.appendHex(value) } == String(value, radix: 16))
    }

    @Test func appendsAfterExistingBytes() {
        var out: [UInt8] = Array("Content-Length: ".utf8)
        out.appendDecimal(Int64(1024))
        out.append(bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(String(decoding: out, as: UTF8.self) == "Content-Length: 1024")
    }
}
