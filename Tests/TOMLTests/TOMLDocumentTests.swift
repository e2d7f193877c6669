import Testing

@testable import TOML

@Suite struct TOMLDocumentTests {
    private func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        try TOMLDocument(parsing: text, file: "t.toml").root
    }

    struct ScalarCase: CustomTestStringConvertible, Sendable {
        let text: String
        let expected: TOMLValue.Kind
        var testDescription: String { text }
    }

    static let scalars: [ScalarCase] = [
        ScalarCase(text: "a = 1", expected: .integer(1)),
        ScalarCase(text: "a = 0", expected: .integer(0)),
        ScalarCase(text: "a = -17", expected: .integer(-17)),
        ScalarCase(text: "a = +5", expected: .integer(5)),
        ScalarCase(text: "a = 1_000_000", expected: .integer(1_000_000)),
        ScalarCase(text: "a = 9223372036854775807", expected: .integer(Int64.max)),
        ScalarCase(text: "a = -9223372036854775808", expected: .integer(Int64.min)),
        ScalarCase(text: "a = 0x1F", expected: .integer(31)),
        ScalarCase(text: "a = 0xdead_beef", expected: .integer(0xdead_beef)),
        ScalarCase(text: "a = 0o17", expected: .integer(15)),
        ScalarCase(text: "a = 0b101", expected: .integer(5)),
        ScalarCase(text: "a = 3.5", expected: .float(3.5)),
        ScalarCase(text: "a = -0.25", expected: .float(-0.25)),
        ScalarCase(text: "a = 1e3", expected: .float(1000)),
        ScalarCase(text: "a = 2.5E-1", expected: .float(0.25)),
        ScalarCase(text: "a = 1_000.5", expected: .float(1000.5)),
        ScalarCase(text: "a = inf", expected: .float(.infinity)),
        ScalarCase(text: "a = -inf", expected: .float(-.infinity)),
        ScalarCase(text: "a = true", expected: .boolean(true)),
        ScalarCase(text: "a = false", expected: .boolean(false)),
        ScalarCase(text: "a = \"plain\"", expected: .string("plain")),
        ScalarCase(text: "a = \"\"", expected: .string("")),
        ScalarCase(text: #"a = "tab\tquote\"back\\slash""#, expected: .string("tab\tquote\"back\\slash")),
        ScalarCase(text: #"a = "\b\f\n\r\e""#, expected: .string("\u{08}\u{0C}\n\r\u{1B}")),
        ScalarCase(text: #"a = "caf\u00E9 \U0001F600""#, expected: .string("café 😀")),
        ScalarCase(text: "a = \"café\"", expected: .string("café")),
        ScalarCase(text: #"a = 'C:\no\escapes'"#, expected: .string(#"C:\no\escapes"#)),
        ScalarCase(text: "a = 'it has \"quotes\"'", expected: .string("it has \"quotes\"")),
        ScalarCase(text: "a = \"with\ttab\"", expected: .string("with\ttab")),
        ScalarCase(text: "a = 1 # trailing comment", expected: .integer(1)),
        ScalarCase(text: "a=1", expected: .integer(1)),
        ScalarCase(text: "  a\t=\t1  ", expected: .integer(1)),
    ]

    @Test(arguments: scalars)
    func scalarValues(_ testCase: ScalarCase) throws {
        let root = try parse(testCase.text)
        #expect(root["a"]?.kind == testCase.expected)
        #expect(root["a"]?.line == 1)
    }

    @Test func nanIsAFloat() throws {
        guard case .float(let value)? = try parse("a = nan")["a"]?.kind else {
            Issue.record("not a float")
            return
        }
        #expect(value.isNaN)
    }

    @Test func keysOfEveryKind() throws {
        let root = try parse(
            """
            bare-key_1 = 1
            "quoted key" = 2
            'literal "key"' = 3
            "" = 4
            1234 = 5
            """)
        #expect(root.keys == ["bare-key_1", "quoted key", "literal \"key\"", "", "1234"])
        #expect(root["1234"]?.integer == 5)
    }

    @Test func dottedKeysBuildTables() throws {
        let root = try parse(
            """
            a.b.c = 1
            a . b . d = 2
            a."x.y" = 3
            """)
        let b = try #require(root["a"]?.table?["b"]?.table)
        #expect(b["c"]?.integer == 1)
        #expect(b["d"]?.integer == 2)
        #expect(root["a"]?.table?["x.y"]?.integer == 3)
    }

    @Test func tableHeadersAndLines() throws {
        let root = try parse(
            """
            top = 1

            [server]
            port = 80
            [server.tls]
            on = true
            [other]   # comment
            name = "x"
            """)
        #expect(root.keys == ["top", "server", "other"])
        let server = try #require(root["server"])
        #expect(server.line == 3)
        #expect(server.table?["port"]?.line == 4)
        #expect(server.table?["tls"]?.table?["on"]?.boolean == true)
        #expect(root["other"]?.table?["name"]?.line == 8)
    }

    @Test func superTableMayBeDefinedAfterItsChild() throws {
        let root = try parse("[a.b]\nx = 1\n[a]\ny = 2\n")
        #expect(root["a"]?.table?["b"]?.table?["x"]?.integer == 1)
        #expect(root["a"]?.table?["y"]?.integer == 2)
    }

    @Test func headerMayExtendDottedSubtable() throws {
        let root = try parse("[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true\n")
        #expect(root["fruit"]?.table?["apple"]?.table?["texture"]?.table?["smooth"]?.boolean == true)
    }

    @Test func multiLineArrayWithCommentsAndTrailingComma() throws {
        let root = try parse(
            """
            list = [
                "one",   # first
                # a comment line
                "two",
            ]
            nested = [[1, 2], [], ["x"]]
            empty = [ ]
            after = 1
            """)
        let list = try #require(root["list"]?.array)
        #expect(list.map(\.string) == ["one", "two"])
        #expect(list.map(\.line) == [2, 4])
        #expect(root["list"]?.line == 1)
        #expect(root["nested"]?.array?.count == 3)
        #expect(root["nested"]?.array?[0].array?.map(\.integer) == [1, 2])
        #expect(root["empty"]?.array == [])
        #expect(root["after"]?.line == 8)
    }

    @Test func inlineTables() throws {
        let root = try parse(
            """
            headers = { "X-Frame-Options" = "DENY", a.b = 2 }
            multi = {
                one = 1,
                two = 2,
            }
            empty = {}
            """)
        let headers = try #require(root["headers"]?.table)
        #expect(headers["X-Frame-Options"]?.string == "DENY")
        #expect(headers["a"]?.table?["b"]?.integer == 2)
        #expect(root["multi"]?.table?.keys == ["one", "two"])
        #expect(root["multi"]?.table?["two"]?.line == 4)
        #expect(root["empty"]?.table == TOMLTable())
    }

    @Test func crlfLineEndingsAndByteOrderMark() throws {
        let root = try TOMLDocument(bytes: [0xEF, 0xBB, 0xBF] + Array("a = 1\r\n\r\nb = 2\r\n".utf8), file: "t").root
        #expect(root["a"]?.integer == 1)
        #expect(root["b"]?.line == 3)
    }

    @Test func emptyDocumentsAreEmpty() throws {
        #expect(try parse("") == TOMLTable())
        #expect(try parse("# only a comment\n\n   \n") == TOMLTable())
    }

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        let text: String
        let line: Int
        let message: String
        var key: String? = nil
        var testDescription: String { text }
    }

    static let errors: [ErrorCase] = [
        ErrorCase(text: "a = ", line: 1, message: "expected a value", key: "a"),
        ErrorCase(text: "a = # nothing", line: 1, message: "expected a value", key: "a"),
        ErrorCase(text: "a", line: 1, message: "expected '='", key: "a"),
        // Deep nesting is refused, not recursed off the stack (a reload must report it, not crash).
        ErrorCase(text: "a = " + String(repeating: "[", count: 20_000), line: 1, message: "nested deeper", key: "a"),
        ErrorCase(
            text: "a = " + String(repeating: "{b=", count: 40), line: 1, message: "nested deeper",
            key: "a" + String(repeating: ".b", count: 32)),
        ErrorCase(text: "a = [", line: 1, message: "unterminated array", key: "a"),
        ErrorCase(text: "= 1", line: 1, message: "expected a key, found '='"),
        ErrorCase(text: "a = 1\n\na = 2", line: 3, message: "duplicate key (first defined on line 1)", key: "a"),
        ErrorCase(text: "[t]\nx = 1\n[t]", line: 3, message: "defined twice", key: "t"),
        ErrorCase(text: "[t]\nx = 1\nx = 2", line: 3, message: "duplicate key", key: "t.x"),
        ErrorCase(text: "x = 1\n[x]", line: 2, message: "already defined as an integer", key: "x"),
        ErrorCase(text: "a.b = 1\n[a]", line: 2, message: "already defined with dotted keys", key: "a"),
        ErrorCase(text: "[a.b]\n[a]\nb.c = 1", line: 3, message: "cannot add to table [a.b]", key: "a.b.c"),
        ErrorCase(
            text: "a = { x = 1 }\na.y = 2", line: 2, message: "inline table, which cannot be extended", key: "a.y"),
        ErrorCase(text: "a = { x = 1 }\n[a.b]", line: 2, message: "'a' is already an inline table", key: "a.b"),
        ErrorCase(text: "a = 1\na.b = 2", line: 2, message: "'a' is already an integer", key: "a.b"),
        ErrorCase(text: "a = { x = 1, x = 2 }", line: 1, message: "duplicate key", key: "a.x"),
        ErrorCase(text: "\n\na = \"open", line: 3, message: "unterminated string", key: "a"),
        ErrorCase(text: "a = 'open\nb = 1", line: 1, message: "unterminated string", key: "a"),
        ErrorCase(text: #"a = "bad \q""#, line: 1, message: "invalid escape '\\q'", key: "a"),
        ErrorCase(text: #"a = "\u12""#, line: 1, message: "needs 4 hex digits", key: "a"),
        ErrorCase(text: #"a = "\uD800""#, line: 1, message: "not a Unicode scalar", key: "a"),
        ErrorCase(text: "a = \"ctl\u{01}\"", line: 1, message: "control character 0x01", key: "a"),
        ErrorCase(text: "a = \"\"\"multi\"\"\"", line: 1, message: "multi-line strings", key: "a"),
        ErrorCase(text: "a = '''multi'''", line: 1, message: "multi-line strings", key: "a"),
        ErrorCase(text: "a = bare", line: 1, message: "invalid value 'bare' (strings need quotes)", key: "a"),
        ErrorCase(text: "a = 01", line: 1, message: "invalid value '01'", key: "a"),
        ErrorCase(text: "a = 1__0", line: 1, message: "invalid value", key: "a"),
        ErrorCase(text: "a = _1", line: 1, message: "invalid value", key: "a"),
        ErrorCase(text: "a = 1_", line: 1, message: "invalid value", key: "a"),
        ErrorCase(text: "a = 1.", line: 1, message: "invalid value", key: "a"),
        ErrorCase(text: "a = .5", line: 1, message: "invalid value '.5'", key: "a"),
        ErrorCase(text: "a = 1e", line: 1, message: "invalid value", key: "a"),
        ErrorCase(text: "a = -0x10", line: 1, message: "invalid value", key: "a"),
        ErrorCase(text: "a = 0x", line: 1, message: "invalid value", key: "a"),
        ErrorCase(text: "a = 0b102", line: 1, message: "invalid value", key: "a"),
        ErrorCase(text: "a = truely", line: 1, message: "invalid value", key: "a"),
        ErrorCase(text: "a = 9223372036854775808", line: 1, message: "does not fit in 64 bits", key: "a"),
        ErrorCase(text: "a = 0xFFFFFFFFFFFFFFFFF", line: 1, message: "does not fit in 64 bits", key: "a"),
        ErrorCase(text: "a = 1979-05-27", line: 1, message: "dates and times are not supported", key: "a"),
        ErrorCase(text: "a = 07:32:00", line: 1, message: "dates and times are not supported", key: "a"),
        ErrorCase(text: "[t]\n[[t]]", line: 2, message: "already defined as a table on line 1", key: "t"),
        ErrorCase(text: "[[t]]\n[t]", line: 2, message: "already defined as an array of tables on line 1", key: "t"),
        ErrorCase(text: "t = 1\n[[t]]", line: 2, message: "already defined as a value on line 1", key: "t"),
        ErrorCase(text: "[[t]\n", line: 1, message: "expected ']]'"),
        ErrorCase(text: "[t", line: 1, message: "expected ']'"),
        ErrorCase(text: "[]", line: 1, message: "expected a key, found ']'"),
        ErrorCase(text: "a = 1 b = 2", line: 1, message: "expected the end of the line, found 'b'"),
        ErrorCase(text: "[t] x = 1", line: 1, message: "expected the end of the line"),
        ErrorCase(text: "a = [\n1,\n2\n", line: 4, message: "unterminated array (opened on line 1)", key: "a"),
        ErrorCase(text: "a = [1 2]", line: 1, message: "expected ',' or ']'", key: "a"),
        ErrorCase(text: "a = [,]", line: 1, message: "expected a value", key: "a"),
        ErrorCase(text: "a = { x = 1", line: 1, message: "unterminated inline table", key: "a"),
        ErrorCase(text: "a = { x = 1 y = 2 }", line: 1, message: "expected ',' or '}'", key: "a"),
        ErrorCase(text: "a = 1\rb = 2", line: 1, message: "carriage return not followed by a line feed"),
        ErrorCase(text: "# bell \u{07}\na = 1", line: 1, message: "control character 0x07 in a comment"),
    ]

    @Test(arguments: errors)
    func errorsNameTheLine(_ testCase: ErrorCase) {
        #expect {
            try parse(testCase.text)
        } throws: { error in
            guard let error = error as? TOMLError else { return false }
            return error.file == "t.toml" && error.line == testCase.line && error.key == testCase.key
                && error.message.contains(testCase.message)
        }
    }

    @Test func arraysOfTables() throws {
        let root = try parse(
            """
            [[rule]]
            match = "/a"

            [[rule]]
            match = "/b"
            [rule.extra]
            x = 1
            """)
        let rules = try #require(root["rule"]?.array)
        #expect(rules.count == 2)
        #expect(rules.map(\.line) == [1, 4])
        #expect(rules[0].table?["match"]?.string == "/a")
        #expect(rules[1].table?["match"]?.string == "/b")
        #expect(rules[1].table?["extra"]?.table?["x"]?.integer == 1)
    }

    @Test func invalidUTF8NamesItsLine() {
        let bytes = Array("a = 1\nb = \"".utf8) + [0xC3, 0x28] + Array("\"\n".utf8)
        #expect(throws: TOMLError(file: "f", line: 2, message: "not valid UTF-8")) {
            try TOMLDocument(bytes: bytes, file: "f")
        }
    }

    @Test func errorDescriptionFormat() {
        #expect(
            TOMLError(file: "/etc/spindle.toml", line: 7, key: "timeouts.head", message: "too long").description
                == "/etc/spindle.toml:7: key 'timeouts.head': too long")
        #expect(TOMLError(file: "x.toml", line: 2, message: "bad").description == "x.toml:2: bad")
    }
}
