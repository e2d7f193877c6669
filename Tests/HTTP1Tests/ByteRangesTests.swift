import HTTP1
import Testing

struct ByteRangesTests {
    static func parse(_ value: String, length: Int64 = 1000, maxRanges: Int = ByteRanges.defaultMaxRanges)
        -> ByteRanges
    {
        ByteRanges.parse(Array(value.utf8), length: length, maxRanges: maxRanges)
    }

    @Test func singleRanges() {
        #expect(Self.parse("bytes=0-499") == .satisfiable([0..<500]))
        #expect(Self.parse("bytes=500-999") == .satisfiable([500..<1000]))
        #expect(Self.parse("bytes=500-5000") == .satisfiable([500..<1000]))
        #expect(Self.parse("bytes=999-999") == .satisfiable([999..<1000]))
        #expect(Self.parse("bytes=900-") == .satisfiable([900..<1000]))
        #expect(Self.parse("bytes=-100") == .satisfiable([900..<1000]))
        #expect(Self.parse("bytes=-5000") == .satisfiable([0..<1000]))
        #expect(Self.parse("BYTES=0-0") == .satisfiable([0..<1]))
        #expect(Self.parse("bytes=0-99999999999999999999999") == .satisfiable([0..<1000]))
    }

    @Test func lists() {
        #expect(Self.parse("bytes=0-9,20-29") == .satisfiable([0..<10, 20..<30]))
        #expect(Self.parse("bytes=0-9, 20-29 ,\t-10") == .satisfiable([0..<10, 20..<30, 990..<1000]))
        #expect(Self.parse("bytes=500-599,0-9") == .satisfiable([500..<600, 0..<10]))
        #expect(Self.parse("bytes=,0-9,,") == .satisfiable([0..<10]))
        // Adjacent ranges do not overlap.
        #expect(Self.parse("bytes=0-9,10-19") == .satisfiable([0..<10, 10..<20]))
        // Unsatisfiable members are dropped when another one is satisfiable.
        #expect(Self.parse("bytes=0-9,5000-6000") == .satisfiable([0..<10]))
    }

    @Test func unsatisfiable() {
        #expect(Self.parse("bytes=1000-") == .unsatisfiable)
        #expect(Self.parse("bytes=1000-2000") == .unsatisfiable)
        #expect(Self.parse("bytes=-0") == .unsatisfiable)
        #expect(Self.parse("bytes=5000-,6000-7000") == .unsatisfiable)
        #expect(Self.parse("bytes=99999999999999999999999-") == .unsatisfiable)
    }

    @Test(arguments: [
        "", "bytes", "bytes=", "bytes=,", "items=0-1", "bytes 0-1", "bytes=abc", "bytes=5-1", "bytes=0-1-2",
        "bytes=--1", "bytes=1", "bytes=0-1;2-3", "bytes=0 -1", "bytes=- 1", "bytes=+1-2", "bytes=0-0x10",
        "byte=0-1", "bytesx=0-1",
    ])
    func ignoresInvalid(_ value: String) {
        #expect(Self.parse(value) == .ignored)
    }

    @Test func declinesOverlapsAndTooManyRanges() {
        #expect(Self.parse("bytes=0-9,5-14") == .ignored)
        #expect(Self.parse("bytes=0-,-1") == .ignored)
        #expect(Self.parse("bytes=0-0,0-0") == .ignored)
        let sixteen = (0..<16).map { "\($0 * 10)-\($0 * 10 + 1)" }.joined(separator: ",")
        let seventeen = sixteen + ",500-501"
        guard case .satisfiable(let ranges) = Self.parse("bytes=" + sixteen) else {
            Issue.record("16 ranges should be served")
            return
        }
        #expect(ranges.count == 16)
        #expect(Self.parse("bytes=" + seventeen) == .ignored)
        #expect(Self.parse("bytes=0-1,5-6", maxRanges: 1) == .ignored)
    }

    @Test func emptyRepresentationIsServedWhole() {
        #expect(Self.parse("bytes=0-", length: 0) == .ignored)
        #expect(Self.parse("bytes=-10", length: 0) == .ignored)
    }
}
