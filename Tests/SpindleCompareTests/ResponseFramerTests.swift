import SpindleCompare
import Testing

struct ResponseFramerTests {
    typealias Outcome = ResponseFramer.Outcome

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: String
        let status: Int
        let closes: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "content-length", bytes: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello",
            status: 200,
            closes: false),
        Case(
            name: "empty body", bytes: "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n", status: 404, closes: false
        ),
        Case(
            name: "connection close", bytes: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc",
            status: 200, closes: true),
        Case(
            name: "keep-alive is not close",
            bytes: "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nab", status: 200,
            closes: false),
        Case(
            name: "bare LF and odd case",
            bytes: "HTTP/1.0 301 Moved\nCONTENT-LENGTH:   4  \nCONNECTION: Close\n\nwxyz", status: 301, closes: true),
        Case(
            name: "304 has no body", bytes: "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", status: 304,
            closes: false),
        Case(
            name: "interim 100 first",
            bytes: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nZ", status: 201,
            closes: false),
        Case(
            name: "look-alike header names",
            bytes: "HTTP/1.1 200 OK\r\nContent-Lengthy: 9\r\nConnectionx: close\r\nContent-Length: 1\r\n\r\n.",
            status: 200, closes: false),
        Case(name: "no reason phrase", bytes: "HTTP/1.1 204\r\n\r\n", status: 204, closes: false),
    ]

    /// Feeds `bytes` in the given pieces; returns the outcome of the last piece and the total consumed.
    private func feed(_ pieces: [[UInt8]], into framer: inout ResponseFramer) -> [Outcome] {
        pieces.map { piece in piece.withUnsafeBytes { framer.consume($0) } }
    }

    @Test(arguments: cases) func wholeResponse(_ test: Case) {
        var framer = ResponseFramer()
        let bytes = Array(test.bytes.utf8)
        let outcome = bytes.withUnsafeBytes { framer.consume($0) }
        #expect(outcome == .complete(status: test.status, consumed: bytes.count, closes: test.closes))
        #expect(!framer.isInsideResponse)
    }

    @Test(arguments: cases) func splitAtEveryByte(_ test: Case) {
        let bytes = Array(test.bytes.utf8)
        for split in 1..<bytes.count {
            var framer = ResponseFramer()
            let outcomes = feed([Array(bytes[..<split]), Array(bytes[split...])], into: &framer)
            #expect(outcomes[0] == .needMore, "split at \(split)")
            #expect(
                outcomes[1] == .complete(status: test.status, consumed: bytes.count - split, closes: test.closes),
                "split at \(split)")
        }
    }

    @Test(arguments: cases) func oneByteAtATime(_ test: Case) {
        let bytes = Array(test.bytes.utf8)
        var framer = ResponseFramer()
        let outcomes = feed(bytes.map { [$0] }, into: &framer)
        #expect(outcomes.dropLast().allSatisfy { $0 == .needMore })
        #expect(outcomes.last == .complete(status: test.status, consumed: 1, closes: test.closes))
    }

    /// The load generator reads 8 KiB at a time, so a 1 MiB response arrives in ~129 pieces whose
    /// edges fall anywhere: inside the head, and at no particular place in the body. Sizes that are
    /// not powers of two move the edges around; the last piece also holds the next response's head.
    @Test(arguments: [8 * 1024, 8 * 1024 - 1, 7_001, 256 * 1024])
    func largeBodyInManyReads(_ readSize: Int) {
        let head = Array(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\n".utf8)
        let next = Array("HTTP/1.1 200 OK\r\n".utf8)
        let stream = head + [UInt8](repeating: 0x5A, count: 1 << 20) + next
        var framer = ResponseFramer()
        var offset = 0
        var outcome = Outcome.needMore
        var reads = 0
        while offset < stream.count {
            let piece = stream[offset..<min(offset + readSize, stream.count)]
            outcome = piece.withUnsafeBytes { framer.consume($0) }
            reads += 1
            guard outcome == .needMore else { break }
            offset += piece.count
        }
        let end = head.count + (1 << 20)
        #expect(reads == end / readSize + 1)
        #expect(outcome == .complete(status: 200, consumed: end - offset, closes: false))
        #expect(!framer.isInsideResponse)
    }

    @Test func twoResponsesInOneChunkStopAtTheFirst() {
        let first = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let bytes = Array((first + "HTTP/1.1 404 No\r\nContent-Length: 0\r\n\r\n").utf8)
        var framer = ResponseFramer()
        let outcome = bytes.withUnsafeBytes { framer.consume($0) }
        #expect(outcome == .complete(status: 200, consumed: first.utf8.count, closes: false))
        let rest = bytes.withUnsafeBytes { framer.consume(UnsafeRawBufferPointer(rebasing: $0[first.utf8.count...])) }
        #expect(rest == .complete(status: 404, consumed: bytes.count - first.utf8.count, closes: false))
    }

    @Test func bodyUntilCloseEndsAtEndOfStream() {
        var framer = ResponseFramer()
        let outcomes = feed([Array("HTTP/1.1 200 OK\r\n\r\nsome".utf8), Array(" body".utf8)], into: &framer)
        #expect(outcomes == [.needMore, .needMore])
        #expect(framer.endOfStream() == .complete(status: 200, consumed: 0, closes: true))
    }

    @Test func endOfStreamInsideHeadIsInvalid() {
        var framer = ResponseFramer()
        _ = feed([Array("HTTP/1.1 200 OK\r\nContent-".utf8)], into: &framer)
        #expect(framer.isInsideResponse)
        #expect(framer.endOfStream() == .invalid)
    }

    @Test func bodilessIgnoresContentLength() {
        var framer = ResponseFramer(bodiless: true)
        let bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".utf8)
        #expect(
            bytes.withUnsafeBytes { framer.consume($0) } == .complete(status: 200, consumed: bytes.count, closes: false)
        )
    }

    @Test(arguments: [
        "HTTX/1.1 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/2 200\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\rX",
    ])
    func invalidResponses(_ text: String) {
        var framer = ResponseFramer()
        #expect(Array(text.utf8).withUnsafeBytes { framer.consume($0) } == .invalid)
    }
}
