/// The byte-level TOML reader behind `TOMLDocument`.
///
/// It builds a tree of reference-typed nodes while reading, because TOML lets a later `[a.b]`
/// header or dotted key reach back into a table created earlier, and then freezes the tree into
/// value types. Each node remembers how it was created, which is what the TOML rules on redefining
/// tables turn on.
struct TOMLParser {
    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line = 1
    /// Arrays and inline tables open at the moment: bounded, so a hostile file cannot recurse the
    /// parser off its stack (a reload must report it, not crash).
    private var depth = 0
    static let maxDepth = 32

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        try validateUTF8()
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        let root = Node(path: [], origin: .header, line: 1)
        var current = root
        while true {
            skipSpaces()
            guard let byte = peek() else { break }
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"):
                try expectLineEnd()
            case UInt8(ascii: "["):
                current = try parseTableHeader(root: root)
                try expectLineEnd()
            default:
                try parseKeyValue(into: current)
                try expectLineEnd()
            }
        }
        return root.frozen()
    }

    // MARK: - Structure

    private mutating func parseTableHeader(root: Node) throws(TOMLError) -> Node {
        let headerLine = line
        index += 1
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { index += 1 }
        let parts = try parseKey()
        guard peek() == UInt8(ascii: "]") else { throw error("expected ']' to close the table header") }
        index += 1
        if isArray {
            guard peek() == UInt8(ascii: "]") else { throw error("expected ']]' to close the table header") }
            index += 1
        }
        let name = parts.joined(separator: ".")
        var node = root
        for part in parts.dropLast() {
            switch node.child(part) {
            case .table(let child)?:
                node = child
            case .tables(let elements, _)?:
                // `[a.b]` after `[[a]]` extends the latest element of `a`.
                node = elements[elements.count - 1]
            case .value(let value)?:
                let what =
                    value.table == nil ? "\(value.typeName), not a table" : "an inline table, which cannot be extended"
                throw error(
                    at: headerLine, key: name, "'\(node.keyPath(part))' is already \(what) (line \(value.line))")
            case nil:
                let child = Node(path: node.path + [part], origin: .implicit, line: headerLine)
                node.entries.append((part, .table(child)))
                node = child
            }
        }
        let last = parts[parts.count - 1]
        if isArray {
            let element = Node(path: node.path + [last], origin: .header, line: headerLine)
            switch node.child(last) {
            case nil:
                node.entries.append((last, .tables([element], line: headerLine)))
            case .tables(let elements, let line)?:
                if let position = node.entries.firstIndex(where: { $0.key == last }) {
                    node.entries[position].child = .tables(elements + [element], line: line)
                }
            case let other?:
                throw error(
                    at: headerLine, key: name,
                    "already defined as \(other.isTable ? "a table" : "a value") on line \(other.line)")
            }
            return element
        }
        switch node.child(last) {
        case .tables(_, let line)?:
            throw error(at: headerLine, key: name, "already defined as an array of tables on line \(line)")
        case .table(let existing)?:
            switch existing.origin {
            case .implicit:
                existing.origin = .header
                existing.line = headerLine
                return existing
            case .header:
                throw error(
                    at: headerLine, key: name, "table [\(name)] is defined twice (first on line \(existing.line))")
            case .dotted:
                throw error(
                    at: headerLine, key: name,
                    "table [\(name)] was already defined with dotted keys on line \(existing.line)")
            }
        case .value(let value)?:
            throw error(at: headerLine, key: name, "already defined as \(value.typeName) on line \(value.line)")
        case nil:
            let table = Node(path: node.path + [last], origin: .header, line: headerLine)
            node.entries.append((last, .table(table)))
            return table
        }
    }

    private mutating func parseKeyValue(into table: Node) throws(TOMLError) {
        let keyLine = line
        let parts = try parseKey()
        guard peek() == UInt8(ascii: "=") else {
            throw error(key: table.keyPath(parts), "expected '=' after the key")
        }
        index += 1
        skipSpaces()
        let value = try parseValue(key: table.keyPath(parts))
        try insert(value, at: parts, into: table, line: keyLine)
    }

    /// Puts `value` at the dotted key `parts` below `table`, creating the intermediate tables.
    private func insert(_ value: TOMLValue, at parts: [String], into table: Node, line keyLine: Int)
        throws(TOMLError)
    {
        let name = table.keyPath(parts)
        var node = table
        for part in parts.dropLast() {
            switch node.child(part) {
            case .table(let child)? where child.origin == .dotted:
                node = child
            case .table(let child)?:
                throw error(
                    at: keyLine, key: name,
                    "cannot add to table [\(child.path.joined(separator: "."))] with dotted keys "
                        + "(it is defined on line \(child.line))")
            case .tables(_, let line)?:
                throw error(
                    at: keyLine, key: name, "'\(node.keyPath(part))' is an array of tables (line \(line))")
            case .value(let existing)?:
                let what = existing.table == nil ? existing.typeName : "an inline table, which cannot be extended"
                throw error(
                    at: keyLine, key: name, "'\(node.keyPath(part))' is already \(what) (line \(existing.line))")
            case nil:
                let child = Node(path: node.path + [part], origin: .dotted, line: keyLine)
                node.entries.append((part, .table(child)))
                node = child
            }
        }
        let last = parts[parts.count - 1]
        if let existing = node.child(last) {
            throw error(at: keyLine, key: name, "duplicate key (first defined on line \(existing.line))")
        }
        node.entries.append((last, .value(value)))
    }

    // MARK: - Keys

    /// A bare, quoted or dotted key, with the whitespace around it consumed.
    private mutating func parseKey() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            parts.append(try parseSimpleKey())
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else { return parts }
            index += 1
        }
    }

    private mutating func parseSimpleKey() throws(TOMLError) -> String {
        switch peek() {
        case UInt8(ascii: "\"")?:
            return try parseBasicString(key: nil)
        case UInt8(ascii: "'")?:
            return try parseLiteralString(key: nil)
        default:
            let start = index
            while let byte = peek(), Self.isBareKeyByte(byte) { index += 1 }
            guard index > start else {
                if let byte = peek(), !Self.isLineEnd(byte) {
                    throw error("expected a key, found \(Self.describe(byte))")
                }
                throw error("expected a key")
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
    }

    // MARK: - Values

    private mutating func parseValue(key: String) throws(TOMLError) -> TOMLValue {
        let valueLine = line
        guard let byte = peek(), !Self.isLineEnd(byte), byte != UInt8(ascii: "#") else {
            throw error(key: key, "expected a value after '='")
        }
        if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
            guard depth < Self.maxDepth else {
                throw error(key: key, "arrays and tables nested deeper than \(Self.maxDepth)")
            }
            depth += 1
        }
        defer { if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { depth -= 1 } }
        switch byte {
        case UInt8(ascii: "\""):
            return TOMLValue(.string(try parseBasicString(key: key)), line: valueLine)
        case UInt8(ascii: "'"):
            return TOMLValue(.string(try parseLiteralString(key: key)), line: valueLine)
        case UInt8(ascii: "["):
            return try parseArray(key: key)
        case UInt8(ascii: "{"):
            return try parseInlineTable(key: key)
        default:
            return try parseScalar(key: key)
        }
    }

    private mutating func parseArray(key: String) throws(TOMLError) -> TOMLValue {
        let startLine = line
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipSpacesCommentsAndNewlines()
            if peek() == UInt8(ascii: "]") { break }
            guard peek() != nil else { throw error(key: key, "unterminated array (opened on line \(startLine))") }
            elements.append(try parseValue(key: key))
            try skipSpacesCommentsAndNewlines()
            switch peek() {
            case UInt8(ascii: ",")?:
                index += 1
            case UInt8(ascii: "]")?:
                break
            case let byte?:
                throw error(key: key, "expected ',' or ']' in the array, found \(Self.describe(byte))")
            case nil:
                throw error(key: key, "unterminated array (opened on line \(startLine))")
            }
            if peek() == UInt8(ascii: "]") { break }
        }
        index += 1
        return TOMLValue(.array(elements), line: startLine)
    }

    private mutating func parseInlineTable(key: String) throws(TOMLError) -> TOMLValue {
        let startLine = line
        index += 1
        let table = Node(path: key.isEmpty ? [] : [key], origin: .dotted, line: startLine)
        while true {
            try skipSpacesCommentsAndNewlines()
            if peek() == UInt8(ascii: "}") { break }
            guard peek() != nil else {
                throw error(key: key, "unterminated inline table (opened on line \(startLine))")
            }
            try parseKeyValue(into: table)
            try skipSpacesCommentsAndNewlines()
            switch peek() {
            case UInt8(ascii: ",")?:
                index += 1
            case UInt8(ascii: "}")?:
                break
            case let byte?:
                throw error(key: key, "expected ',' or '}' in the inline table, found \(Self.describe(byte))")
            case nil:
                throw error(key: key, "unterminated inline table (opened on line \(startLine))")
            }
            if peek() == UInt8(ascii: "}") { break }
        }
        index += 1
        return TOMLValue(.table(table.frozen()), line: startLine)
    }

    /// Booleans, integers and floats: the token runs to the next delimiter and is then classified,
    /// which gives one clear message for anything malformed instead of a confusing partial read.
    private mutating func parseScalar(key: String) throws(TOMLError) -> TOMLValue {
        let valueLine = line
        let start = index
        while let byte = peek(), Self.isScalarByte(byte) { index += 1 }
        let token = Array(bytes[start..<index])
        guard !token.isEmpty, let text = String(validating: token, as: UTF8.self) else {
            throw error(key: key, "expected a value, found \(Self.describe(bytes[index]))")
        }
        switch text {
        case "true": return TOMLValue(.boolean(true), line: valueLine)
        case "false": return TOMLValue(.boolean(false), line: valueLine)
        case "inf", "+inf": return TOMLValue(.float(.infinity), line: valueLine)
        case "-inf": return TOMLValue(.float(-.infinity), line: valueLine)
        case "nan", "+nan", "-nan": return TOMLValue(.float(.nan), line: valueLine)
        default: break
        }
        if token.contains(UInt8(ascii: ":")) || Self.looksLikeDate(token) {
            throw error(key: key, "dates and times are not supported")
        }
        guard let number = TOMLNumber.parse(token) else {
            throw error(key: key, "invalid value '\(text)' (strings need quotes)")
        }
        switch number {
        case .integer(let value): return TOMLValue(.integer(value), line: valueLine)
        case .float(let value): return TOMLValue(.float(value), line: valueLine)
        case .outOfRange: throw error(key: key, "integer '\(text)' does not fit in 64 bits")
        }
    }

    // MARK: - Strings

    /// A single-line basic string; `key` is nil while reading a quoted key.
    private mutating func parseBasicString(key: String?) throws(TOMLError) -> String {
        if bytes[index...].starts(with: Array("\"\"\"".utf8)) {
            throw error(key: key, "multi-line strings are not supported")
        }
        index += 1
        var out: [UInt8] = []
        while true {
            guard let byte = peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") else {
                throw error(key: key, "unterminated string")
            }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out, key: key)
            case _ where Self.isForbiddenControl(byte):
                throw error(key: key, "control character \(Self.describe(byte)) in a string (use an escape)")
            default:
                out.append(byte)
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8], key: String?) throws(TOMLError) {
        guard let byte = peek() else { throw error(key: key, "unterminated string") }
        index += 1
        switch byte {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "e"): out.append(0x1B)
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = byte == UInt8(ascii: "u") ? 4 : 8
            var scalarValue: UInt32 = 0
            for _ in 0..<count {
                guard let digit = peek().flatMap(Self.hexValue) else {
                    throw error(key: key, "\\\(Character(Unicode.Scalar(byte))) needs \(count) hex digits")
                }
                scalarValue = scalarValue << 4 | UInt32(digit)
                index += 1
            }
            guard let scalar = Unicode.Scalar(scalarValue) else {
                throw error(key: key, "escape is not a Unicode scalar value")
            }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw error(key: key, "invalid escape '\\\(Self.printable(byte))'")
        }
    }

    private mutating func parseLiteralString(key: String?) throws(TOMLError) -> String {
        if bytes[index...].starts(with: Array("'''".utf8)) {
            throw error(key: key, "multi-line strings are not supported")
        }
        index += 1
        let start = index
        while true {
            guard let byte = peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") else {
                throw error(key: key, "unterminated string")
            }
            if byte == UInt8(ascii: "'") { break }
            if Self.isForbiddenControl(byte) {
                throw error(key: key, "control character \(Self.describe(byte)) in a string")
            }
            index += 1
        }
        let value = String(decoding: bytes[start..<index], as: UTF8.self)
        index += 1
        return value
    }

    // MARK: - Whitespace, comments, line ends

    private mutating func skipSpaces() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
    }

    /// After a header or a key/value pair only spaces and a comment may follow on the line.
    private mutating func expectLineEnd() throws(TOMLError) {
        skipSpaces()
        if peek() == UInt8(ascii: "#") { try skipComment() }
        guard let byte = peek() else { return }
        guard Self.isLineEnd(byte) else {
            throw error("expected the end of the line, found \(Self.describe(byte))")
        }
        try consumeNewline()
    }

    private mutating func skipSpacesCommentsAndNewlines() throws(TOMLError) {
        while true {
            skipSpaces()
            switch peek() {
            case UInt8(ascii: "#")?: try skipComment()
            case UInt8(ascii: "\n")?, UInt8(ascii: "\r")?: try consumeNewline()
            default: return
            }
        }
    }

    private mutating func skipComment() throws(TOMLError) {
        while let byte = peek(), !Self.isLineEnd(byte) {
            if Self.isForbiddenControl(byte) {
                throw error("control character \(Self.describe(byte)) in a comment")
            }
            index += 1
        }
    }

    private mutating func consumeNewline() throws(TOMLError) {
        if peek() == UInt8(ascii: "\r") {
            index += 1
            guard peek() == UInt8(ascii: "\n") else { throw error("carriage return not followed by a line feed") }
        }
        index += 1
        line += 1
    }

    /// TOML requires UTF-8; checking line by line up front lets the error name the line.
    private func validateUTF8() throws(TOMLError) {
        var lineNumber = 1
        for lineBytes in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if String(validating: lineBytes, as: UTF8.self) == nil {
                throw TOMLError(file: file, line: lineNumber, message: "not valid UTF-8")
            }
            lineNumber += 1
        }
    }

    // MARK: - Helpers

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func error(at errorLine: Int? = nil, key: String? = nil, _ message: String) -> TOMLError {
        TOMLError(file: file, line: errorLine ?? line, key: key, message: message)
    }

    private static func isLineEnd(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    private static func isScalarByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    /// TOML forbids control characters other than tab in strings and comments.
    private static func isForbiddenControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F
    }

    /// `1979-05-27`: four digits and a dash, which no valid number has.
    private static func looksLikeDate(_ token: [UInt8]) -> Bool {
        token.count >= 5 && token[4] == UInt8(ascii: "-")
            && token[0..<4].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func printable(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(Character(Unicode.Scalar(byte))) : hex(byte)
    }

    private static func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : hex(byte)
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return "0x" + String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
    }
}

extension TOMLParser {
    /// A table under construction.
    fileprivate final class Node {
        enum Origin {
            /// Created only as the prefix of a header (`a` in `[a.b]`); may still get its own header.
            case implicit
            /// Defined by its own `[header]` (the root counts as one).
            case header
            /// Created by a dotted key (`a.b = 1`) or as an inline table; only dotted keys may extend it.
            case dotted
        }

        enum Child {
            case value(TOMLValue)
            case table(Node)
            /// `[[key]]` elements, in order; `line` is the first header's.
            case tables([Node], line: Int)

            var line: Int {
                switch self {
                case .value(let value): value.line
                case .table(let node): node.line
                case .tables(_, let line): line
                }
            }

            var isTable: Bool {
                if case .table = self { return true }
                return false
            }
        }

        let path: [String]
        var origin: Origin
        var line: Int
        var entries: [(key: String, child: Child)] = []

        init(path: [String], origin: Origin, line: Int) {
            self.path = path
            self.origin = origin
            self.line = line
        }

        func child(_ key: String) -> Child? {
            entries.first { $0.key == key }?.child
        }

        func keyPath(_ key: String) -> String {
            (path + [key]).joined(separator: ".")
        }

        func keyPath(_ keys: [String]) -> String {
            (path + keys).joined(separator: ".")
        }

        func frozen() -> TOMLTable {
            TOMLTable(
                entries: entries.map { entry in
                    switch entry.child {
                    case .value(let value):
                        TOMLTable.Entry(key: entry.key, value: value)
                    case .table(let node):
                        TOMLTable.Entry(key: entry.key, value: TOMLValue(.table(node.frozen()), line: node.line))
                    case .tables(let nodes, let line):
                        TOMLTable.Entry(
                            key: entry.key,
                            value: TOMLValue(
                                .array(nodes.map { TOMLValue(.table($0.frozen()), line: $0.line) }), line: line))
                    }
                })
        }
    }
}
