import Foundation
import Testing

/// Debian's headless Chromium, which `make test` installs when it is missing (`make chromium`).
enum Chromium {
    static let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]

    /// The browser, or nil after saying loudly that the browser tests are skipped.
    static let path = tool(
        candidates, for: "the Chromium end-to-end tests",
        "`make test` installs it (`make chromium`: apt-get install chromium); see its output for why it failed.")

    /// Loads `url` headless with the profile in `profile` (kept between calls, with its HTTP cache) and
    /// returns the DOM after the page's scripts ran.
    static func dumpDOM(_ url: String, profile: String) throws -> String {
        guard let path else { throw HarnessError("chromium is not installed") }
        let result = try run(
            path,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-extensions",
                "--user-data-dir=\(profile)", "--dump-dom", url,
            ], timeout: 45)
        guard result.status == 0 else {
            throw HarnessError("chromium exited with \(result.status): \(result.stderr.suffix(2000))")
        }
        return String(decoding: result.stdout, as: UTF8.self)
    }
}

extension Integration {
    /// `public/` in a real browser, served with `--fallback app.html`: a client-side route renders the
    /// app page, every request is 200 or 304, the stylesheet arrives as a precompressed variant and is
    /// decoded (the page sees its styles), and a second visit with the same profile revalidates the
    /// page (no-cache: 304) and takes the fingerprinted assets from the cache (immutable: no request).
    @Suite struct ChromiumTests {
        static let publicRoot = ServerProcess.packageRoot.appendingPathComponent("public").path

        struct LogEntry {
            var path: String
            var status: Int
            var bytes: Int
        }

        /// Requests in a common/combined access log.
        static func entries(_ log: String) -> [LogEntry] {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                guard let start = line.range(of: "\"GET "), let end = line.range(of: " HTTP/1.1\" ") else { return nil }
                let fields = line[end.upperBound...].split(separator: " ")
                guard fields.count >= 2, let status = Int(fields[0]), let bytes = Int(fields[1]) else { return nil }
                return LogEntry(path: String(line[start.upperBound..<end.lowerBound]), status: status, bytes: bytes)
            }
        }

        static func fileSize(_ path: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
        }

        @Test(
            .enabled(if: Chromium.path != nil, "chromium is not installed (make chromium)"), arguments: ServingMode.all)
        func browserLoadsThePublicSite(mode: String) throws {
            let id = UUID().uuidString
            let log = DocumentRoot.shared.scratch + "/chromium-\(id).log"
            let profile = DocumentRoot.shared.scratch + "/chromium-profile-\(id)"
            defer { try? FileManager.default.removeItem(atPath: profile) }
            let server = try ServerProcess(
                mode: mode, root: Self.publicRoot, extraArguments: ["--fallback", "app.html"], accessLog: log)
            try withStarted(server) { server in
                let url = "http://127.0.0.1:\(server.port)/settings/profile"
                let dom = try Chromium.dumpDOM(url, profile: profile)
                #expect(dom.contains("Route: /settings/profile"), "the app page's script did not render the route")
                #expect(dom.contains("data-styled=\"yes\""), "the page does not see its stylesheet")

                try pollUntil(timeout: 5, "the stylesheet and script in \(log)") {
                    Self.entries(log).filter { $0.path.hasPrefix("/assets/") }.count >= 2
                }
                let first = Self.entries(log)
                for entry in first {
                    #expect([200, 304].contains(entry.status), "\(entry.path): \(entry.status)")
                }
                #expect(first.first?.path == "/settings/profile")
                let css = try #require(first.first { $0.path.hasPrefix("/assets/site.") && $0.path.hasSuffix(".css") })
                let file = Self.publicRoot + css.path
                #expect(
                    [Self.fileSize(file + ".br"), Self.fileSize(file + ".gz")].contains(css.bytes),
                    "the stylesheet went out as \(css.bytes) bytes, not as its .br or .gz variant")

                let again = try Chromium.dumpDOM(url, profile: profile)
                #expect(again.contains("Route: /settings/profile"))
                #expect(again.contains("data-styled=\"yes\""))
                try pollUntil(timeout: 5, "the second visit in \(log)") {
                    Self.entries(log).dropFirst(first.count).contains { $0.path == "/settings/profile" }
                }
                let second = Array(Self.entries(log).dropFirst(first.count))
                #expect(second.first { $0.path == "/settings/profile" }?.status == 304, "the page was not revalidated")
                #expect(!second.contains { $0.path.hasPrefix("/assets/") }, "immutable assets were asked for again")
                for entry in second {
                    #expect([200, 304].contains(entry.status), "\(entry.path): \(entry.status)")
                }
            }
        }
    }
}
