import Testing

@testable import SpindleServer

@Suite struct CachePolicyTests {
    let html = "text/html; charset=utf-8"
    let css = "text/css; charset=utf-8"

    @Test func autoPolicy() {
        let policy = CachePolicy()
        #expect(policy.cacheControl(forPath: "/index.html", contentType: html) == "no-cache")
        #expect(
            policy.cacheControl(forPath: "/page.xhtml", contentType: "application/xhtml+xml; charset=utf-8")
                == "no-cache")
        #expect(policy.cacheControl(forPath: "/assets/app.3f9a1c2b.css", contentType: css) == CachePolicy.immutable)
        #expect(policy.cacheControl(forPath: "/style.css", contentType: css) == "public, max-age=3600")
        #expect(policy.cacheControl(forPath: "/a.5e6f7a8b.html", contentType: html) == "no-cache")
        #expect(CachePolicy(maxAge: 0).cacheControl(forPath: "/x.png", contentType: "image/png") == "public, max-age=0")
    }

    @Test func offSendsNothingUnlessARuleMatches() {
        let policy = CachePolicy(mode: .off, rules: [.init(match: "/fonts/*", cacheControl: "public, max-age=604800")])
        #expect(policy.cacheControl(forPath: "/index.html", contentType: html) == nil)
        #expect(policy.cacheControl(forPath: "/app.3f9a1c2b.js", contentType: css) == nil)
        #expect(policy.cacheControl(forPath: "/fonts/a.woff2", contentType: "font/woff2") == "public, max-age=604800")
    }

    @Test func rulesComeFirstAndTheFirstMatchWins() {
        let policy = CachePolicy(rules: [
            .init(match: "/fonts/*", cacheControl: "A"), .init(match: "*.woff2", cacheControl: "B"),
            .init(match: "/index.html", cacheControl: "C"),
        ])
        #expect(policy.cacheControl(forPath: "/fonts/x.woff2", contentType: "font/woff2") == "A")
        #expect(policy.cacheControl(forPath: "/other/x.woff2", contentType: "font/woff2") == "B")
        #expect(policy.cacheControl(forPath: "/index.html", contentType: html) == "C")
        #expect(policy.cacheControl(forPath: "/docs/index.html", contentType: html) == "no-cache")
    }

    @Test func globMatching() {
        let cases: [(String, String, Bool)] = [
            ("/fonts/*", "/fonts/a.woff2", true),
            ("/fonts/*", "/fonts/sub/a.woff2", true),
            ("/fonts/*", "/fonts", false),
            ("/fonts/*", "/fontsx/a", false),
            ("*.woff2", "/a/b.woff2", true),
            ("*.woff2", "/a/b.woff", false),
            ("/a/*/c.txt", "/a/b/c.txt", true),
            ("/a/*/c.txt", "/a/b/x/c.txt", true),
            ("/a/*/c.txt", "/a/c.txt", false),
            ("*", "/anything", true),
            ("/exact.txt", "/exact.txt", true),
            ("/exact.txt", "/exact.txt2", false),
            ("/**", "/x", true),
            ("*a*a*a*b", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
        ]
        for (pattern, path, expected) in cases {
            #expect(CachePolicy.matches(pattern, path) == expected, "\(pattern) ~ \(path)")
        }
    }
}
