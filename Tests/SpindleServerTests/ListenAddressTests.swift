import SpindleServer
import Testing

@Suite struct ListenAddressTests {
    struct ValidCase: CustomTestStringConvertible, Sendable {
        let text: String
        let host: String
        let port: UInt16
        let family: ListenAddress.Family
        let description: String
        var testDescription: String { text }
    }

    static let valid: [ValidCase] = [
        ValidCase(text: "127.0.0.1:8080", host: "127.0.0.1", port: 8080, family: .ipv4, description: "127.0.0.1:8080"),
        ValidCase(text: ":80", host: "0.0.0.0", port: 80, family: .ipv4, description: "0.0.0.0:80"),
        ValidCase(text: "0.0.0.0:65535", host: "0.0.0.0", port: 65535, family: .ipv4, description: "0.0.0.0:65535"),
        ValidCase(text: "[::1]:8080", host: "::1", port: 8080, family: .ipv6, description: "[::1]:8080"),
        ValidCase(text: "[::]:1", host: "::", port: 1, family: .ipv6, description: "[::]:1"),
        ValidCase(text: "[0:0::0:1]:80", host: "::1", port: 80, family: .ipv6, description: "[::1]:80"),
        ValidCase(
            text: "[2001:DB8::1]:443", host: "2001:db8::1", port: 443, family: .ipv6, description: "[2001:db8::1]:443"),
        ValidCase(
            text: "[::ffff:192.0.2.1]:80", host: "::ffff:192.0.2.1", port: 80, family: .ipv6,
            description: "[::ffff:192.0.2.1]:80"),
        ValidCase(text: "10.0.0.1:00080", host: "10.0.0.1", port: 80, family: .ipv4, description: "10.0.0.1:80"),
    ]

    @Test(arguments: valid)
    func parses(_ testCase: ValidCase) throws {
        let address = try ListenAddress(parsing: testCase.text)
        #expect(address.host == testCase.host)
        #expect(address.port == testCase.port)
        #expect(address.family == testCase.family)
        #expect(address.description == testCase.description)
        #expect(try ListenAddress(parsing: address.description) == address)
    }

    static let invalid: [(String, String)] = [
        ("", "expected HOST:PORT"),
        ("8080", "expected HOST:PORT"),
        ("1.2.3.4", "expected HOST:PORT"),
        ("1.2.3.4:", "port '' is not a number"),
        ("1.2.3.4:65536", "from 0 to 65535"),
        ("1.2.3.4:123456", "from 0 to 65535"),
        ("1.2.3.4:+80", "is not a number"),
        ("127.0.0.1\u{0}junk:80", "expected HOST:PORT"),
        ("1.2.3.4:8o", "is not a number"),
        ("localhost:80", "host names are not resolved"),
        ("example.com:80", "is not an IPv4 address"),
        ("1.2.3:80", "is not an IPv4 address"),
        ("256.1.1.1:80", "is not an IPv4 address"),
        ("01.2.3.4:80", "is not an IPv4 address"),
        (" 1.2.3.4:80", "is not an IPv4 address"),
        ("::1:80", "needs brackets"),
        ("[::1]80", "expected HOST:PORT"),
        ("[::1]", "expected HOST:PORT"),
        ("[::1:80", "missing ']'"),
        ("[1.2.3.4]:80", "is not an IPv6 address"),
        ("[fe80::1%eth0]:80", "is not an IPv6 address"),
        ("[]:80", "is not an IPv6 address"),
    ]

    @Test(arguments: invalid)
    func rejects(_ text: String, _ message: String) {
        #expect {
            try ListenAddress(parsing: text)
        } throws: { error in
            (error as? ListenAddress.ParseError)?.message.contains(message) == true
        }
    }

    @Test func urlAndWildcard() throws {
        #expect(try ListenAddress(parsing: "[::1]:8080").url == "http://[::1]:8080")
        #expect(try ListenAddress(parsing: ":8080").isWildcard)
        #expect(try ListenAddress(parsing: "[::]:8080").isWildcard)
        #expect(try !ListenAddress(parsing: "127.0.0.1:8080").isWildcard)
    }
}
