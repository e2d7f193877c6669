import Foundation

/// One HTTP/1.1 response as received: the raw bytes plus the parsed status, fields and body.
struct HTTPResponse: Sendable, CustomStringConvertible {
    let raw: [UInt8]
    let statusLine: String
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The raw bytes without the Date field line: what the parity test compares.
    var rawWithoutDate: [UInt8] {
        let text = String(decoding: raw, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { return raw }
        let lines = text[..<headEnd.lowerBound].components(separatedBy: "\r\n")
            .filter { !$0.lowercased().hasPrefix("date:") }
        let head = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        return head + raw[(raw.count - body.count)...]
    }

    var description: String {
        let head = headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        return "\(statusLine)\n\(head)\n[\(body.count) body bytes]"
    }

    enum Parse {
        case complete(HTTPResponse, consumed: Int)
        case needMore
        /// The head is complete and the body runs to the end of the connection.
        case untilClose
        case malformed(String)
    }

    /// Parses one response from the start of `bytes`. `forHead` says the request was HEAD (no body).
    /// `atEOF` says no more bytes will come, which ends a body without Content-Length.
    static func parse(_ bytes: [UInt8], forHead: Bool, atEOF: Bool = false) -> Parse {
        guard let headEnd = find([13, 10, 13, 10], in: bytes) else {
            return atEOF && !bytes.isEmpty ? .malformed("connection closed inside the head") : .needMore
        }
        let headText = String(decoding: bytes[..<headEnd], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]), parts[1].count == 3 else {
            return .malformed("bad status line: \(statusLine.debugDescription)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return .malformed("bad field line: \(line)") }
            headers.append(
                (String(line[..<colon]), trimmed(line[line.index(after: colon)...])))
        }
        let bodyStart = headEnd + 4
        let length: Int
        let lengths = headers.filter { $0.name.lowercased() == "content-length" }
        if forHead || status / 100 == 1 || status == 204 || status == 304 {
            length = 0
        } else if let field = lengths.first {
            guard lengths.count == 1, let value = Int(field.value), value >= 0 else {
                return .malformed("bad Content-Length: \(lengths)")
            }
            length = value
        } else if headers.contains(where: { $0.name.lowercased() == "transfer-encoding" }) {
            return .malformed("chunked responses are not expected from spindle")
        } else {
            guard atEOF else { return .untilClose }
            length = bytes.count - bodyStart
        }
        guard bytes.count >= bodyStart + length else {
            return atEOF ? .malformed("connection closed inside the body") : .needMore
        }
        let response = HTTPResponse(
            raw: Array(bytes[..<(bodyStart + length)]), statusLine: statusLine, status: status, headers: headers,
            body: Array(bytes[bodyStart..<(bodyStart + length)]))
        return .complete(response, consumed: bodyStart + length)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard haystack.count >= needle.count + start else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }
}

private func trimmed(_ text: Substring) -> String {
    var slice = text
    while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
    return String(slice)
}
