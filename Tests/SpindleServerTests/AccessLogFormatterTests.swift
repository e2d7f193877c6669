import Testing

@testable import SpindleServer

@Suite struct AccessLogFormatterTests {
    /// 2026-11-27T08:41:44Z
    static let time = 1_795_768_904

    private func line(
        _ format: AccessLogFormat, remote: String = "192.0.2.7", time: Int = Self.time, method: String = "GET",
        target: String = "/index.html", version: String = "HTTP/1.1", status: Int = 200, bytes: Int64 = 1234,
        referer: [UInt8]? = Array("https://example.com/".utf8), userAgent: [UInt8]? = Array("curl/8.5.0".utf8)
    ) -> String {
        var formatter = AccessLogFormatter(format: format)
        var buffer: [UInt8] = []
        Array(remote.utf8).withUnsafeBytes { remote in
            Array(method.utf8).withUnsafeBytes { method in
                Array(target.utf8).withUnsafeBytes { target in
                    Array(version.utf8).withUnsafeBytes { version in
                        withOptionalBytes(referer) { referer in
                            withOptionalBytes(userAgent) { userAgent in
                                formatter.append(
                                    to: &buffer, remote: remote, time: time, method: method, target: target,
                                    version: version, status: status, bytes: bytes, referer: referer,
                                    userAgent: userAgent)
                            }
                        }
                    }
                }
            }
        }
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func combinedLine() {
        #expect(
            line(.combined)
                == #"192.0.2.7 - - [27/Nov/2026:08:41:44 +0000] "GET /index.html HTTP/1.1" 200 1234 "#
                + #""https://example.com/" "curl/8.5.0""# + "\n")
    }

    @Test func commonLine() {
        #expect(
            line(.common) == #"192.0.2.7 - - [27/Nov/2026:08:41:44 +0000] "GET /index.html HTTP/1.1" 200 1234"# + "\n")
    }

    @Test func jsonLine() {
        #expect(
            line(.json)
                == #"{"time":"2026-11-27T08:41:44Z","remote":"192.0.2.7","method":"GET","target":"/index.html","#
                + #""version":"HTTP/1.1","status":200,"bytes":1234,"referer":"https://example.com/","#
                + #""user_agent":"curl/8.5.0"}"# + "\n")
    }

    @Test func missingFields() {
        #expect(
            line(
                .combined, remote: "", method: "", target: "", version: "", status: 400, bytes: 0, referer: nil,
                userAgent: [])
                == #"- - - [27/Nov/2026:08:41:44 +0000] "-" 400 0 "-" "-""# + "\n")
        #expect(
            line(
                .json, remote: "", method: "", target: "", version: "", status: 400, bytes: 0, referer: nil,
                userAgent: [])
                == #"{"time":"2026-11-27T08:41:44Z","remote":"","method":"","target":"","version":"","status":400,"#
                + #""bytes":0,"referer":null,"user_agent":""}"# + "\n")
        #expect(line(.common, version: "").contains(#""GET /index.html" 200"#))
        #expect(line(.common, target: "").contains(#""GET HTTP/1.1" 200"#))
    }

    static let textEscapes: [(String, [UInt8], String)] = [
        ("plain", Array("/a?b=c&d".utf8), "/a?b=c&d"),
        ("quote", Array("/\"quoted\"".utf8), #"/\x22quoted\x22"#),
        ("backslash", Array(#"/a\b"#.utf8), #"/a\x5Cb"#),
        ("CR LF", Array("/x\r\n1.2.3.4 - - fake".utf8), #"/x\x0D\x0A1.2.3.4 - - fake"#),
        ("escape", [0x2F, 0x1B, 0x5B, 0x33, 0x31, 0x6D], #"/\x1B[31m"#),
        ("NUL and tab", [0x00, 0x09], #"\x00\x09"#),
        ("DEL", [0x7F], #"\x7F"#),
        ("UTF-8", Array("/café".utf8), #"/caf\xC3\xA9"#),
        ("invalid UTF-8", [0xFF, 0x80], #"\xFF\x80"#),
        ("space and tilde", Array("a b~".utf8), "a b~"),
    ]

    @Test(arguments: textEscapes)
    func textEscaping(_ name: String, _ input: [UInt8], _ expected: String) {
        var buffer: [UInt8] = []
        input.withUnsafeBytes { AccessLogFormatter.appendEscaped($0, to: &buffer) }
        #expect(String(decoding: buffer, as: UTF8.self) == expected, "\(name)")
        #expect(buffer.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(name)")
    }

    static let jsonEscapes: [(String, [UInt8], String)] = [
        ("plain", Array("/a?b=c".utf8), "/a?b=c"),
        ("quote", Array("\"x\"".utf8), #"\"x\""#),
        ("backslash", Array(#"a\b"#.utf8), #"a\\b"#),
        ("short escapes", [0x08, 0x09, 0x0A, 0x0C, 0x0D], #"\b\t\n\f\r"#),
        ("NUL", [0x00], #"\u0000"#),
        ("escape", [0x1B], #"\u001b"#),
        ("DEL", [0x7F], #"\u007f"#),
        ("UTF-8", Array("é".utf8), #"\u00c3\u00a9"#),
        ("invalid UTF-8", [0xFF], #"\u00ff"#),
        ("slash kept", Array("</script>".utf8), "</script>"),
    ]

    @Test(arguments: jsonEscapes)
    func jsonEscaping(_ name: String, _ input: [UInt8], _ expected: String) {
        var buffer: [UInt8] = []
        input.withUnsafeBytes { AccessLogFormatter.appendJSONEscaped($0, to: &buffer) }
        #expect(String(decoding: buffer, as: UTF8.self) == expected, "\(name)")
    }

    @Test func injectionStaysOnOneLine() {
        let hostile = "/\r\n127.0.0.1 - - [01/Jan/2000:00:00:00 +0000] \"GET /admin HTTP/1.1\" 200 0"
        for format in AccessLogFormat.allCases {
            let text = line(format, target: hostile, userAgent: Array("\"\n{\"status\":200}".utf8))
            #expect(text.utf8.filter { $0 == 0x0A }.count == 1, "\(format)")
            #expect(text.hasSuffix("\n"))
        }
    }

    @Test func decimals() {
        for (value, text) in [
            (Int64(0), "0"), (7, "7"), (1_234_567, "1234567"), (-5, "-5"), (.max, "9223372036854775807"),
            (.min, "-9223372036854775808"),
        ] {
            var buffer: [UInt8] = []
            AccessLogFormatter.appendDecimal(value, to: &buffer)
            #expect(String(decoding: buffer, as: UTF8.self) == text)
        }
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
