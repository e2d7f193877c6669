import HTTP1
import Testing

@Suite struct AcceptEncodingTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let field: String?
        let available: [ContentCoding]
        let expected: ContentCoding?
        var testDescription: String {
            "\(field ?? "<none>") of \(available.map(\.name)) → \(expected?.name ?? "identity")"
        }

        init(_ field: String?, _ expected: ContentCoding?, available: [ContentCoding] = [.br, .zstd, .gzip]) {
            self.field = field
            self.available = available
            self.expected = expected
        }
    }

    static let cases: [Case] = [
        // No field: identity; an empty field: identity only.
        Case(nil, nil),
        Case("", nil),
        // Plain lists: every named coding has q=1, so the configured order decides.
        Case("gzip", .gzip),
        Case("gzip, deflate, br", .br),
        Case("gzip, deflate, br, zstd", .br),
        Case("zstd, gzip", .zstd),
        Case("gzip, zstd", .zstd),
        Case("deflate", nil),
        Case("compress, x-compress", nil),
        Case("x-gzip", .gzip),
        Case("GZIP", .gzip),
        Case("Br", .br),
        Case(" gzip ,\tbr ", .br),
        Case(",,gzip,,", .gzip),
        // Ties follow the configured order, whatever the field's order.
        Case("br, gzip", .gzip, available: [.gzip, .br]),
        Case("gzip;q=0.5, br;q=0.5", .gzip, available: [.gzip, .br]),
        // q-values.
        Case("br;q=0, gzip", .gzip),
        Case("br;q=0.5, gzip", .gzip),
        Case("br;q=0.9, gzip;q=0.8", .br),
        Case("gzip;q=0.5, zstd;q=0.4", .gzip),
        Case("gzip;q=1.0, br;q=0.999", .gzip),
        Case("gzip;q=0.001", .gzip),
        Case("gzip;q=0", nil),
        Case("gzip;q=0.000", nil),
        Case("gzip; q=0.5", .gzip),
        Case("gzip ; Q=0.5", .gzip),
        Case("gzip;level=9;q=0.5, br;q=0.4", .gzip),
        // Malformed q counts as 0.
        Case("gzip;q=2", nil),
        Case("gzip;q=1.5", nil),
        Case("gzip;q=0.5555", nil),
        Case("gzip;q=abc, br", .br),
        Case("gzip;q=", nil),
        // `*` covers what is not named.
        Case("*", .br),
        Case("*;q=0.5", .br),
        Case("*, br;q=0", .zstd),
        Case("br;q=0, zstd;q=0, *", .gzip),
        Case("*;q=0", nil),
        Case("*;q=0, gzip", .gzip),
        Case("gzip;q=0.2, *;q=0.5", .br),
        Case("*;q=0.1, gzip;q=0.2", .gzip),
        // identity.
        Case("identity", nil),
        Case("identity, gzip", .gzip),
        Case("identity;q=1, gzip;q=0.9", nil),
        Case("identity;q=0.5, gzip", .gzip),
        Case("identity;q=0, gzip;q=0.1", .gzip),
        Case("identity;q=0", nil),
        Case("*;q=0.5, identity;q=0.6", nil),
        Case("*;q=0.7, identity;q=0.6", .br),
        Case("gzip;q=0.4, *;q=0.5", .br, available: [.gzip, .br]),
        // Only what exists can be chosen.
        Case("br", nil, available: [.gzip]),
        Case("br, gzip;q=0.1", .gzip, available: [.gzip]),
        Case("gzip", nil, available: []),
        // The first mention of a coding counts.
        Case("gzip;q=0, gzip", nil),
    ]

    @Test(arguments: cases)
    func negotiation(_ testCase: Case) {
        let chosen: ContentCoding?
        if let field = testCase.field {
            chosen = Array(field.utf8).withUnsafeBytes { AcceptEncoding.choose($0, available: testCase.available) }
        } else {
            chosen = AcceptEncoding.choose(nil, available: testCase.available)
        }
        #expect(chosen == testCase.expected)
    }

    @Test func codingNamesAndSuffixes() {
        #expect(ContentCoding.allCases.map(\.name) == ["br", "zstd", "gzip"])
        #expect(ContentCoding.allCases.map(\.fileSuffix) == [".br", ".zst", ".gz"])
        #expect(ContentCoding(name: "zstd") == .zstd)
        #expect(ContentCoding(name: "deflate") == nil)
    }
}
