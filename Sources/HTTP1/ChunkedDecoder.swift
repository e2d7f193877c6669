/// Reads a chunked request body (RFC 9112 §7.1) and throws its data away: Spindle serves files and
/// never uses a body, but must find where one ends so the request behind it can be read. Resumable:
/// feed it the bytes as they arrive, in any split; it keeps only a few integers.
///
/// The grammar is strict, as the head's is: hex sizes only (no sign, no `0x`, no whitespace before
/// the size), no overflow, CRLF after every size line, after every chunk's data and after every
/// trailer line; a bare LF or CR is an error. Extensions are checked against their grammar
/// (`; name[=token|quoted-string]`, whitespace only around `;` and `=`) and skipped; trailer fields
/// are checked like header fields and skipped. Size lines and trailers together are bounded by the
/// head limits (`maxHead` bytes, `maxHeaderCount` trailer fields), the data by `maxData`.
public struct ChunkedDecoder: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Every byte given was consumed; the body goes on.
        case needMore
        /// The body ended after the first `consumed` bytes given; the rest belongs to the next request.
        case done(consumed: Int)
        /// `.invalidChunkedBody`, or `.bodyTooLarge` once the announced data passes `maxData`.
        case invalid(ParseError)
    }

    private enum State: Sendable {
        case sizeStart, size, lineLF
        /// In a chunk extension; see `Extension`.
        case ext(Extension)
        case data, dataCR, dataLF
        case trailerStart, trailerName, trailerValue, trailerLF, finalLF, done
    }

    /// Where in `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )` the decoder is.
    private enum Extension: Sendable {
        /// After the size, a name or a value: `;` next (whitespace first allowed); `=` too after a name.
        case afterItem(whitespace: Bool, afterName: Bool)
        case beforeName, name, beforeValue, token, quoted, quotedPair
    }

    private let limits: ParserLimits
    private let maxData: Int64
    private var state = State.sizeStart
    /// The chunk being read: its size while the size line is read, then the bytes still to skip.
    private var remaining: Int64 = 0
    /// Data bytes announced so far.
    public private(set) var dataBytes: Int64 = 0
    /// Bytes of size lines and trailers so far, against `limits.maxHead`.
    private var metadataBytes = 0
    private var trailerCount = 0

    public init(limits: ParserLimits, maxData: Int64) {
        self.limits = limits
        self.maxData = maxData
    }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        var index = 0
        let count = bytes.count
        while index < count {
            if case .data = state {
                let skipped = Int(min(remaining, Int64(count - index)))
                remaining -= Int64(skipped)
                index += skipped
                if remaining == 0 { state = .dataCR }
                continue
            }
            let byte = bytes[index]
            index += 1
            metadataBytes += 1
            if metadataBytes > limits.maxHead { return .invalid(.invalidChunkedBody) }
            guard let next = step(byte) else { return .invalid(.invalidChunkedBody) }
            switch next {
            case .data:
                // Compared before adding: after any data, a size near Int64.max would overflow the sum.
                if remaining > maxData - dataBytes { return .invalid(.bodyTooLarge) }
                dataBytes += remaining
                state = remaining == 0 ? .trailerStart : .data
            default:
                state = next
            }
            if case .done = state { return .done(consumed: index) }
        }
        return .needMore
    }

    /// The state after `byte`, or nil if the byte breaks the grammar. `.data` means the size line
    /// ended (the caller decides between data and trailers).
    private mutating func step(_ byte: UInt8) -> State? {
        switch state {
        case .sizeStart:
            guard let digit = TargetPath.hexValue(byte).map(Int64.init) else { return nil }
            remaining = digit
            return .size
        case .size:
            if let digit = TargetPath.hexValue(byte).map(Int64.init) {
                // 16 hex digits may not fit; anything near that is far beyond `maxData` anyway.
                guard remaining <= (Int64.max - 15) / 16 else { return nil }
                remaining = remaining * 16 + digit
                return .size
            }
            return endOfItem(byte, whitespace: false, afterName: false)
        case .ext(let ext):
            return extensionStep(ext, byte)
        case .lineLF:
            return byte == ASCII.lf ? .data : nil
        case .data:
            return nil  // handled by the caller
        case .dataCR:
            return byte == ASCII.cr ? .dataLF : nil
        case .dataLF:
            return byte == ASCII.lf ? .sizeStart : nil
        case .trailerStart:
            if byte == ASCII.cr { return .finalLF }
            return ByteSet.token.contains(byte) ? .trailerName : nil
        case .trailerName:
            if byte == UInt8(ascii: ":") { return .trailerValue }
            return ByteSet.token.contains(byte) ? .trailerName : nil
        case .trailerValue:
            if byte == ASCII.cr { return .trailerLF }
            return ByteSet.fieldValue.contains(byte) ? .trailerValue : nil
        case .trailerLF:
            guard byte == ASCII.lf else { return nil }
            trailerCount += 1
            return trailerCount > limits.maxHeaderCount ? nil : .trailerStart
        case .finalLF:
            return byte == ASCII.lf ? .done : nil
        case .done:
            return nil
        }
    }

    private func extensionStep(_ ext: Extension, _ byte: UInt8) -> State? {
        switch ext {
        case .afterItem(let whitespace, let afterName):
            return endOfItem(byte, whitespace: whitespace, afterName: afterName)
        case .beforeName:
            if ASCII.isWhitespace(byte) { return .ext(.beforeName) }
            return ByteSet.token.contains(byte) ? .ext(.name) : nil
        case .name:
            if ByteSet.token.contains(byte) { return .ext(.name) }
            return endOfItem(byte, whitespace: false, afterName: true)
        case .beforeValue:
            if ASCII.isWhitespace(byte) { return .ext(.beforeValue) }
            if byte == UInt8(ascii: "\"") { return .ext(.quoted) }
            return ByteSet.token.contains(byte) ? .ext(.token) : nil
        case .token:
            if ByteSet.token.contains(byte) { return .ext(.token) }
            return endOfItem(byte, whitespace: false, afterName: false)
        case .quoted:
            if byte == UInt8(ascii: "\"") { return .ext(.afterItem(whitespace: false, afterName: false)) }
            if byte == UInt8(ascii: "\\") { return .ext(.quotedPair) }
            return ByteSet.fieldValue.contains(byte) ? .ext(.quoted) : nil
        case .quotedPair:
            return ByteSet.fieldValue.contains(byte) ? .ext(.quoted) : nil
        }
    }

    /// After a size, an extension name or a value: whitespace, `;`, `=` (after a name) or the CR
    /// that ends the line (not after whitespace: BWS only surrounds `;` and `=`).
    private func endOfItem(_ byte: UInt8, whitespace: Bool, afterName: Bool) -> State? {
        if ASCII.isWhitespace(byte) { return .ext(.afterItem(whitespace: true, afterName: afterName)) }
        if byte == UInt8(ascii: ";") { return .ext(.beforeName) }
        if byte == UInt8(ascii: "=") && afterName { return .ext(.beforeValue) }
        if byte == ASCII.cr && !whitespace { return .lineLF }
        return nil
    }
}
