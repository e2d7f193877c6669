// libFuzzer target for RequestParser and ChunkedDecoder. Compiled together with Sources/HTTP1/*.swift
// into one module (see Tests/Fuzz/run.sh), so it uses the parser without `import`.
//
// Input layout: byte 0 and byte 1 pick the limits and the split points; the rest is the request bytes
// (or a chunked body).
// Every buffer handed to the parser is an exact-size heap copy, so AddressSanitizer reports any read
// past the end. Invariants are checked with `precondition`, which traps in -O builds: a trap is a
// finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let control = Int(data[0])
    let seed = Int(data[1])
    let input = UnsafeBufferPointer(start: data + 2, count: size - 2)
    // Even control bytes: the default limits. Odd ones: tiny limits (including 0) to reach the limit paths.
    let limits =
        control & 1 == 0
        ? ParserLimits()
        : ParserLimits(maxRequestLine: control >> 1, maxHead: seed * 2, maxHeaderCount: control >> 4)
    let parserCheck = FuzzCheck(input: input, limits: limits, seed: seed)
    parserCheck.run()
    // The chunked decoder (ChunkedDecoderFuzz.swift) on the same bytes, and on those after a complete
    // head. Tiny limits go with a tiny data limit or none (Int64.max, for the overflow paths).
    let maxData: Int64 = control & 1 == 0 ? 64 * 1024 : seed & 1 == 0 ? Int64(seed) : Int64.max
    let decoderCheck = ChunkedFuzzCheck(limits: limits, maxData: maxData, seed: seed)
    decoderCheck.run(input)
    if case .complete(_, let consumed) = parserCheck.parseFresh(input.count) {
        decoderCheck.run(UnsafeBufferPointer(rebasing: input[consumed...]))
    }
    return 0
}

struct FuzzCheck {
    let input: UnsafeBufferPointer<UInt8>
    let limits: ParserLimits
    let seed: Int

    func run() {
        let count = input.count
        let whole = parseFresh(count)
        checkInvariants(whole, count: count)

        // Fed in two and in three pieces, the parser must end where the whole buffer took it.
        let first = count == 0 ? 0 : seed % (count + 1)
        let second = count == 0 ? 0 : first + (seed &* 7919) % (count - first + 1)
        for splits in [[first], [first, second]] {
            var parser = RequestParser(limits: limits)
            var finished = false
            for split in splits {
                let partial = withCopy(split) { parser.parse($0) }
                checkInvariants(partial, count: split)
                if partial != .needMore {
                    // A complete head or an error never depends on bytes not yet received.
                    precondition(partial == whole, "prefix \(split) gave \(partial), whole gave \(whole)")
                    finished = true
                }
                // A fresh parser on the same prefix agrees with the resumed one.
                precondition(parseFresh(split) == partial, "resumed and fresh parsers disagree at \(split)")
            }
            let end = withCopy(count) { parser.parse($0) }
            precondition(end == whole, "split \(splits) gave \(end), whole gave \(whole)")
            _ = finished
        }

        // One byte at a time, for inputs short enough that the quadratic copying stays cheap.
        if count <= 96 {
            var parser = RequestParser(limits: limits)
            var last = ParseResult.needMore
            for length in 0...count {
                let result = withCopy(length) { parser.parse($0) }
                if last != .needMore { precondition(result == last, "changed after finishing") }
                last = result
            }
            precondition(last == whole, "byte at a time gave \(last), whole gave \(whole)")
        }

        // Pipelining: after each complete head, reset and parse the rest of the same buffer.
        withCopy(count) { buffer in
            var parser = RequestParser(limits: limits)
            var offset = 0
            while offset < buffer.count {
                let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
                let result = parser.parse(rest)
                checkInvariants(result, count: rest.count)
                guard case .complete(_, let consumed) = result else { break }
                offset += consumed
                parser.reset()
                precondition(parser.parse(rest) == result, "reset parser disagrees")
                parser.reset()
            }
        }
    }

    func parseFresh(_ length: Int) -> ParseResult {
        var parser = RequestParser(limits: limits)
        return withCopy(length) { parser.parse($0) }
    }

    /// Runs `body` on an exact-size heap copy of the first `length` input bytes.
    func withCopy<R>(_ length: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 1)
        defer { copy.deallocate() }
        copy.copyMemory(from: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[..<length])))
        return body(UnsafeRawBufferPointer(copy))
    }

    func checkInvariants(_ result: ParseResult, count: Int) {
        guard case .complete(let head, let consumed) = result else { return }
        precondition(consumed > 0 && consumed <= count, "consumed \(consumed) of \(count)")
        precondition(consumed <= limits.maxHead, "head larger than maxHead")
        precondition(head.headerCount <= limits.maxHeaderCount, "too many headers accepted")
        precondition(head.methodBytes.lowerBound < head.methodBytes.upperBound, "empty method")
        precondition(head.methodBytes.count <= limits.maxRequestLine, "request line over its limit")
        precondition(!head.target.isEmpty, "empty target")
        let inHead = 0..<consumed
        let ranges: [Range<Int>?] = [
            head.methodBytes, head.target, head.path, head.query, head.host, head.range, head.ifNoneMatch,
            head.ifMatch, head.ifModifiedSince, head.ifUnmodifiedSince, head.ifRange, head.acceptEncoding,
            head.userAgent, head.referer,
        ]
        for case let range? in ranges {
            precondition(
                range.lowerBound >= inHead.lowerBound && range.upperBound <= inHead.upperBound,
                "range \(range) outside head")
        }
        // path and query lie inside the target.
        for case let range? in [head.path, head.query] {
            precondition(range.lowerBound >= head.target.lowerBound && range.upperBound <= head.target.upperBound)
        }
        precondition(head.methodBytes.upperBound < head.target.lowerBound, "method overlaps target")
        precondition(!(head.isChunked && head.contentLength != nil), "Content-Length with chunked")
        precondition((head.contentLength ?? 0) >= 0, "negative Content-Length")
        precondition(head.version == .http10 || head.host != nil, "HTTP/1.1 without host")
    }
}
