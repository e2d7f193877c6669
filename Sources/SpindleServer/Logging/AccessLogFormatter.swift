/// Renders one access-log line per response into a byte buffer, escaping every client-supplied
/// byte so that a request cannot forge lines, break the field structure or send terminal escapes
/// to whoever reads the log.
///
/// - common/combined: bytes outside printable ASCII, `"` and `\` become `\xHH` (as nginx does), so
///   each field stays one quoted, unambiguous token and the original bytes can be recovered.
/// - json: RFC 8259 escapes; each byte at or above 0x80 becomes `\u00HH`, so the line is ASCII and
///   valid JSON whatever the request held, and each raw byte is recovered as the code point U+00HH.
///
/// Missing values are `-` in the text formats and `null` (or `""`) in JSON.
struct AccessLogFormatter {
    let format: AccessLogFormat
    private var timestamp = LogTimestamp()

    init(format: AccessLogFormat) {
        self.format = format
    }

    /// Appends one line, newline included. Allocates nothing once `buffer` has the capacity.
    mutating func append(
        to buffer: inout [UInt8],
        remote: UnsafeRawBufferPointer,
        time: Int,
        method: UnsafeRawBufferPointer,
        target: UnsafeRawBufferPointer,
        version: UnsafeRawBufferPointer,
        status: Int,
        bytes: Int64,
        referer: UnsafeRawBufferPointer?,
        userAgent: UnsafeRawBufferPointer?
    ) {
        timestamp.update(to: time)
        switch format {
        case .common, .combined:
            Self.appendText(remote, to: &buffer)
            Self.append(" - - ", to: &buffer)
            buffer.append(contentsOf: timestamp.common)
            Self.append(" \"", to: &buffer)
            if method.isEmpty && target.isEmpty && version.isEmpty {
                buffer.append(UInt8(ascii: "-"))
            } else {
                // Parts are joined by one space; an empty one (a request that failed to parse) is left out.
                Self.appendEscaped(method, to: &buffer)
                if !target.isEmpty {
                    if !method.isEmpty { buffer.append(UInt8(ascii: " ")) }
                    Self.appendEscaped(target, to: &buffer)
                }
                if !version.isEmpty {
                    if !method.isEmpty || !target.isEmpty { buffer.append(UInt8(ascii: " ")) }
                    Self.appendEscaped(version, to: &buffer)
                }
            }
            Self.append("\" ", to: &buffer)
            Self.appendDecimal(Int64(status), to: &buffer)
            buffer.append(UInt8(ascii: " "))
            Self.appendDecimal(bytes, to: &buffer)
            if format == .combined {
                Self.append(" \"", to: &buffer)
                Self.appendText(referer, to: &buffer)
                Self.append("\" \"", to: &buffer)
                Self.appendText(userAgent, to: &buffer)
                buffer.append(UInt8(ascii: "\""))
            }
        case .json:
            Self.append("{\"time\":\"", to: &buffer)
            buffer.append(contentsOf: timestamp.iso8601)
            Self.append("\",\"remote\":", to: &buffer)
            Self.appendJSONString(remote, to: &buffer)
            Self.append(",\"method\":", to: &buffer)
            Self.appendJSONString(method, to: &buffer)
            Self.append(",\"target\":", to: &buffer)
            Self.appendJSONString(target, to: &buffer)
            Self.append(",\"version\":", to: &buffer)
            Self.appendJSONString(version, to: &buffer)
            Self.append(",\"status\":", to: &buffer)
            Self.appendDecimal(Int64(status), to: &buffer)
            Self.append(",\"bytes\":", to: &buffer)
            Self.appendDecimal(bytes, to: &buffer)
            Self.append(",\"referer\":", to: &buffer)
            Self.appendJSONString(referer, to: &buffer)
            Self.append(",\"user_agent\":", to: &buffer)
            Self.appendJSONString(userAgent, to: &buffer)
            buffer.append(UInt8(ascii: "}"))
        }
        buffer.append(UInt8(ascii: "\n"))
    }

    // MARK: - Text formats

    /// An escaped field, or `-` when it is absent or empty (as nginx logs an empty variable).
    private static func appendText(_ field: UnsafeRawBufferPointer?, to buffer: inout [UInt8]) {
        guard let field, !field.isEmpty else {
            buffer.append(UInt8(ascii: "-"))
            return
        }
        appendEscaped(field, to: &buffer)
    }

    static func appendEscaped(_ field: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        for byte in field {
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                buffer.append(byte)
            } else {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "x"))
                buffer.append(upperHex[Int(byte >> 4)])
                buffer.append(upperHex[Int(byte & 0xF)])
            }
        }
    }

    // MARK: - JSON

    /// A JSON string, or `null` when the field is absent.
    private static func appendJSONString(_ field: UnsafeRawBufferPointer?, to buffer: inout [UInt8]) {
        guard let field else {
            append("null", to: &buffer)
            return
        }
        buffer.append(UInt8(ascii: "\""))
        appendJSONEscaped(field, to: &buffer)
        buffer.append(UInt8(ascii: "\""))
    }

    static func appendJSONEscaped(_ field: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        for byte in field {
            let short: UInt8? =
                switch byte {
                case UInt8(ascii: "\""): UInt8(ascii: "\"")
                case UInt8(ascii: "\\"): UInt8(ascii: "\\")
                case 0x08: UInt8(ascii: "b")
                case 0x09: UInt8(ascii: "t")
                case 0x0A: UInt8(ascii: "n")
                case 0x0C: UInt8(ascii: "f")
                case 0x0D: UInt8(ascii: "r")
                default: nil
                }
            if let short {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(short)
            } else if byte >= 0x20 && byte < 0x7F {
                buffer.append(byte)
            } else {
                // DEL is legal JSON but a terminal control; bytes >= 0x80 may not be UTF-8.
                append("\\u00", to: &buffer)
                buffer.append(lowerHex[Int(byte >> 4)])
                buffer.append(lowerHex[Int(byte & 0xF)])
            }
        }
    }

    // MARK: - Helpers

    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)
    private static let lowerHex: [UInt8] = Array("0123456789abcdef".utf8)

    private static func append(_ text: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    static func appendDecimal(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        // Magnitude as UInt64 so that Int64.min does not overflow.
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &digits) { scratch in
            var end = scratch.count
            repeat {
                end -= 1
                scratch[end] = UInt8(truncatingIfNeeded: 0x30 + magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[end...]))
        }
    }
}
