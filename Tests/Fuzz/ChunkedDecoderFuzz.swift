// Invariants of ChunkedDecoder, checked by the libFuzzer entry point in ParserFuzz.swift on every
// input: on the whole input (a body on its own) and on the bytes after a complete head (a body as
// the server sees it). Every piece handed to the decoder is an exact-size heap copy, so
// AddressSanitizer reports any read past the end.

struct ChunkedFuzzCheck {
    let limits: ParserLimits
    let maxData: Int64
    let seed: Int

    /// What a decoder made of the input: `.done(consumed:)` counted from the input's first byte.
    struct Decoded: Equatable {
        let outcome: ChunkedDecoder.Outcome
        let dataBytes: Int64
    }

    func run(_ input: UnsafeBufferPointer<UInt8>) {
        let count = input.count
        let whole = decode(input, splits: [])
        checkInvariants(whole, count: count)

        // However the input is split, the decoder ends where the whole input took it.
        let first = count == 0 ? 0 : seed % (count + 1)
        let second = count == 0 ? 0 : first + (seed &* 7919) % (count - first + 1)
        for splits in [[first], [first, second]] {
            let split = decode(input, splits: splits)
            precondition(split == whole, "split \(splits) gave \(split), whole gave \(whole)")
        }
        // Cheap: the decoder keeps no bytes, so one byte at a time is linear.
        if count <= 4096 {
            let bytewise = decode(input, splits: Array(0...count))
            precondition(bytewise == whole, "byte at a time gave \(bytewise), whole gave \(whole)")
        }

        // The end never depends on bytes after it, and comes no earlier.
        if case .done(let consumed) = whole.outcome {
            let body = UnsafeBufferPointer(rebasing: input[..<consumed])
            precondition(decode(body, splits: []) == whole, "the body alone decodes differently")
            let short = decode(UnsafeBufferPointer(rebasing: input[..<(consumed - 1)]), splits: [])
            precondition(short.outcome == .needMore, "a strict prefix of the body gave \(short)")
        }
    }

    /// Feeds `input` to a fresh decoder in pieces ending at `splits` (then the rest), stopping at the
    /// first outcome other than `.needMore`.
    func decode(_ input: UnsafeBufferPointer<UInt8>, splits: [Int]) -> Decoded {
        var decoder = ChunkedDecoder(limits: limits, maxData: maxData)
        var start = 0
        for end in splits + [input.count] {
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: end - start, alignment: 1)
            defer { copy.deallocate() }
            copy.copyMemory(from: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[start..<end])))
            let outcome = decoder.consume(UnsafeRawBufferPointer(copy))
            switch outcome {
            case .needMore:
                start = end
            case .done(let consumed):
                precondition(consumed > 0 && consumed <= end - start, "consumed \(consumed) of \(end - start)")
                return Decoded(outcome: .done(consumed: start + consumed), dataBytes: decoder.dataBytes)
            case .invalid:
                return Decoded(outcome: outcome, dataBytes: decoder.dataBytes)
            }
        }
        return Decoded(outcome: .needMore, dataBytes: decoder.dataBytes)
    }

    func checkInvariants(_ decoded: Decoded, count: Int) {
        precondition(decoded.dataBytes >= 0 && decoded.dataBytes <= max(maxData, 0), "data \(decoded.dataBytes)")
        switch decoded.outcome {
        case .needMore:
            break
        case .done(let consumed):
            precondition(consumed <= count, "consumed \(consumed) of \(count)")
            // Everything but the data is size lines, CRLFs and trailers: at least "0\r\n\r\n", at most maxHead.
            let metadata = consumed - Int(decoded.dataBytes)
            precondition(metadata >= 5 && metadata <= limits.maxHead, "\(metadata) bytes of size lines and trailers")
        case .invalid(let error):
            precondition(error == .invalidChunkedBody || error == .bodyTooLarge, "unexpected \(error)")
        }
    }
}
