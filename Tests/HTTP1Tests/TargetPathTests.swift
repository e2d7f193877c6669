import HTTP1
import Testing

struct TargetPathTests {
    struct Accepted: CustomTestStringConvertible, Sendable {
        let raw: String
        let relative: String
        let trailingSlash: Bool
        let dotName: Bool
        var testDescription: String { raw }
    }

    static let accepted: [Accepted] = [
        .init(raw: "", relative: "", trailingSlash: true, dotName: false),
        .init(raw: "/", relative: "", trailingSlash: true, dotName: false),
        .init(raw: "/index.html", relative: "index.html", trailingSlash: false, dotName: false),
        .init(raw: "/a/b/c.css", relative: "a/b/c.css", trailingSlash: false, dotName: false),
        .init(raw: "/a/", relative: "a", trailingSlash: true, dotName: false),
        .init(raw: "//a//b//", relative: "a/b", trailingSlash: true, dotName: false),
        .init(raw: "/./a/./b", relative: "a/b", trailingSlash: false, dotName: false),
        .init(raw: "/a/.", relative: "a", trailingSlash: true, dotName: false),
        .init(raw: "/a/b/..", relative: "a", trailingSlash: true, dotName: false),
        .init(raw: "/a/b/../c", relative: "a/c", trailingSlash: false, dotName: false),
        .init(raw: "/a/..", relative: "", trailingSlash: true, dotName: false),
        .init(raw: "/a/%2e%2e/b", relative: "b", trailingSlash: false, dotName: false),
        .init(raw: "/a/%2E./b", relative: "b", trailingSlash: false, dotName: false),
        .init(raw: "/a/.%2e/b", relative: "b", trailingSlash: false, dotName: false),
        .init(raw: "/a/%2e/b", relative: "a/b", trailingSlash: false, dotName: false),
        .init(raw: "/a%2fb", relative: "a/b", trailingSlash: false, dotName: false),
        .init(raw: "/a/..%2fb", relative: "b", trailingSlash: false, dotName: false),
        .init(raw: "/hello%20world.txt", relative: "hello world.txt", trailingSlash: false, dotName: false),
        // Decoded exactly once: %252e is the literal three characters "%2e".
        .init(raw: "/%252e%252e/x", relative: "%2e%2e/x", trailingSlash: false, dotName: false),
        .init(raw: "/%25", relative: "%", trailingSlash: false, dotName: false),
        .init(raw: "/caf%C3%A9", relative: "café", trailingSlash: false, dotName: false),
        .init(raw: "/.git/config", relative: ".git/config", trailingSlash: false, dotName: true),
        .init(raw: "/a/.htaccess", relative: "a/.htaccess", trailingSlash: false, dotName: true),
        .init(raw: "/%2ehidden", relative: ".hidden", trailingSlash: false, dotName: true),
        .init(raw: "/...", relative: "...", trailingSlash: false, dotName: true),
        .init(raw: "/a.b/c", relative: "a.b/c", trailingSlash: false, dotName: false),
        .init(raw: "/.well-known/x/", relative: ".well-known/x", trailingSlash: true, dotName: true),
    ]

    @Test(arguments: accepted)
    func accepts(_ testCase: Accepted) throws {
        let resolved = try TargetPath.resolve(Array(testCase.raw.utf8))
        #expect(resolved.relative == testCase.relative)
        #expect(resolved.trailingSlash == testCase.trailingSlash)
        #expect(resolved.hasDotSegmentName == testCase.dotName)
    }

    struct Rejected: CustomTestStringConvertible, Sendable {
        let raw: String
        let error: TargetPathError
        var testDescription: String { raw }
    }

    static let rejected: [Rejected] = [
        .init(raw: "/..", error: .aboveRoot),
        .init(raw: "/../etc/passwd", error: .aboveRoot),
        .init(raw: "/a/../../etc/passwd", error: .aboveRoot),
        .init(raw: "/%2e%2e/etc/passwd", error: .aboveRoot),
        .init(raw: "/%2E%2E/etc/passwd", error: .aboveRoot),
        .init(raw: "/%2e./x", error: .aboveRoot),
        .init(raw: "/.%2e/x", error: .aboveRoot),
        .init(raw: "/..%2fetc%2fpasswd", error: .aboveRoot),
        .init(raw: "/%2f..", error: .aboveRoot),
        .init(raw: "/%2f%2e%2e%2fetc", error: .aboveRoot),
        .init(raw: "//../x", error: .aboveRoot),
        .init(raw: "/./../x", error: .aboveRoot),
        .init(raw: "/a/b/../../..", error: .aboveRoot),
        .init(raw: "/..\\etc", error: .backslash),
        .init(raw: "/..%5cetc", error: .backslash),
        .init(raw: "/..%5Cetc", error: .backslash),
        .init(raw: "/a\\b", error: .backslash),
        .init(raw: "/index.html%00.txt", error: .nul),
        .init(raw: "/%00", error: .nul),
        .init(raw: "/%", error: .invalidPercentEncoding),
        .init(raw: "/%2", error: .invalidPercentEncoding),
        .init(raw: "/%zz", error: .invalidPercentEncoding),
        .init(raw: "/%2g", error: .invalidPercentEncoding),
        .init(raw: "/%%32%65", error: .invalidPercentEncoding),
        // Overlong UTF-8 for '.' and '/' (IIS-era traversal) is not UTF-8 at all.
        .init(raw: "/%c0%ae%c0%ae/x", error: .invalidUTF8),
        .init(raw: "/%c0%af", error: .invalidUTF8),
        .init(raw: "/%e0%80%ae", error: .invalidUTF8),
        .init(raw: "/%ff", error: .invalidUTF8),
        .init(raw: "/%C3", error: .invalidUTF8),
        .init(raw: "*", error: .notAbsolute),
        .init(raw: "a/b", error: .notAbsolute),
        .init(raw: "%2fa", error: .notAbsolute),
    ]

    @Test(arguments: rejected)
    func rejects(_ testCase: Rejected) {
        #expect(throws: testCase.error) { try TargetPath.resolve(Array(testCase.raw.utf8)) }
    }

    @Test func resultNeverClimbsOrStartsWithSlash() throws {
        // Every combination of a few hostile pieces either throws or yields a clean relative path.
        let pieces = ["/", "..", ".", "%2e", "%2f", "a", "%2e%2e", ".%2e"]
        for first in pieces {
            for second in pieces {
                for third in pieces {
                    let raw = Array(("/" + first + second + "/" + third).utf8)
                    guard let resolved = try? TargetPath.resolve(raw) else { continue }
                    let segments = resolved.relative.split(separator: "/", omittingEmptySubsequences: false)
                    #expect(!resolved.relative.hasPrefix("/"))
                    if !resolved.relative.isEmpty {
                        #expect(!segments.contains { $0 == ".." || $0 == "." || $0.isEmpty })
                    }
                }
            }
        }
    }
}
