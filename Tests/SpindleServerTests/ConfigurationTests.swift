import Foundation
import Testing

@testable import SpindleServer

@Suite struct ConfigurationTests {
    /// The repository's `config/spindle.toml`, found from this file's path.
    private static var shippedConfigPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/spindle.toml").path
    }

    @Test func defaults() {
        let config = Configuration.default
        #expect(config.root == "public")
        #expect(config.listen.map(\.description) == ["127.0.0.1:8080"])
        #expect(config.mode == .eventLoop)
        #expect(config.index == ["index.html"])
        #expect(config.dotfiles == .deny)
        #expect(config.timeouts.head == .seconds(10))
        #expect(config.timeouts.keepAlive == .seconds(75))
        #expect(config.timeouts.send == .seconds(60))
        #expect(config.timeouts.shutdownGrace == .seconds(10))
        #expect(
            config.limits
                == Configuration.Limits(connections: 16_384, headSize: 32_768, headerCount: 100, requestLine: 8192))
        #expect(config.threadStackSize == 256 * 1024)
        #expect(config.accessLog == .standardOutput)
        #expect(config.accessLogFormat == .combined)
        #expect(config.logLevel == .info)
        #expect(config.mimeOverrides.isEmpty)
        #expect(config.headers.isEmpty)
        #expect(config.precompressed == [.br, .zstd, .gzip])
        #expect(config.cachePolicy == CachePolicy(mode: .auto, maxAge: 3600, rules: []))
        #expect(config.errorPages == [404: "404.html"])
        #expect(config.fallback == "")
        #expect(config.cors == CORSPolicy(allowOrigins: [], maxAge: 86_400))
        #expect(config.listing == false)
        #expect(config.listingMaxEntries == 10_000)
    }

    @Test func siteKeys() throws {
        let config = try Configuration.parse(
            """
            precompressed = ["gzip", "br"]
            cache = "off"
            cache_max_age = 60
            fallback = "/app/index.html"
            listing = true
            listing_max_entries = 500

            [[cache_rules]]
            match = "/fonts/*"
            cache_control = "public, max-age=604800"

            [[cache_rules]]
            match = "*.json"
            cache_control = "no-store"

            [error_pages]
            403 = "errors/403.html"
            500 = "500.html"

            [cors]
            allow_origins = ["https://example.com", "http://localhost:5173"]
            max_age = 600
            """, file: "site.toml")
        #expect(config.precompressed == [.gzip, .br])
        #expect(
            config.cachePolicy
                == CachePolicy(
                    mode: .off, maxAge: 60,
                    rules: [
                        .init(match: "/fonts/*", cacheControl: "public, max-age=604800"),
                        .init(match: "*.json", cacheControl: "no-store"),
                    ]))
        #expect(config.fallback == "app/index.html")
        #expect(config.listing == true)
        #expect(config.listingMaxEntries == 500)
        #expect(config.errorPages == [403: "errors/403.html", 500: "500.html"])
        #expect(config.cors == CORSPolicy(allowOrigins: ["https://example.com", "http://localhost:5173"], maxAge: 600))
        let inline = try Configuration.parse(
            """
            precompressed = []
            cache_rules = [{ match = "/a/*", cache_control = "no-cache" }]
            error_pages = {}
            cors = { allow_origins = ["*"] }
            """, file: "c")
        #expect(inline.precompressed.isEmpty)
        #expect(inline.cachePolicy.rules == [.init(match: "/a/*", cacheControl: "no-cache")])
        #expect(inline.errorPages.isEmpty)
        #expect(inline.cors.allowOrigins == ["*"])
    }

    @Test func emptyFileGivesDefaults() throws {
        #expect(try Configuration.parse("", file: "empty.toml") == .default)
        #expect(try Configuration.parse("# nothing\n[timeouts]\n[mime]\n", file: "c.toml") == .default)
    }

    @Test func shippedConfigLoadsAndMatchesDefaultsExceptRoot() throws {
        let config = try Configuration.load(path: Self.shippedConfigPath)
        #expect(config.root == "/var/www/spindle")
        var expected = Configuration.default
        expected.root = "/var/www/spindle"
        #expect(config == expected)
    }

    @Test func shippedConfigMentionsEveryKey() throws {
        let text = try String(contentsOfFile: Self.shippedConfigPath, encoding: .utf8)
        let keys =
            ConfigurationReader.topLevelKeys + ConfigurationReader.timeoutKeys + ConfigurationReader.limitKeys
            + ConfigurationReader.threadKeys + ConfigurationReader.corsKeys
        for key in keys {
            #expect(text.contains("\n\(key) = ") || text.contains("\n[\(key)]"), "missing \(key)")
        }
    }

    @Test func everyKeySet() throws {
        let config = try Configuration.parse(
            """
            root = "/srv/www"
            listen = ["0.0.0.0:80", "[::1]:8080", ":8443"]
            mode = "threads"
            index = ["index.htm", "default.html"]
            dotfiles = "allow"
            access_log = "/var/log/spindle/access.log"
            access_log_format = "json"
            log_level = "debug"

            [timeouts]
            head = 2.5
            keepalive = 5
            send = 0.001
            shutdown_grace = 0

            [limits]
            connections = 50
            head_size = 4096
            header_count = 20
            request_line = 1_024
            body_size = 0

            [threads]
            stack_size = 512

            [mime]
            wasm = "application/wasm"
            ".MD" = "text/markdown; charset=utf-8"

            [headers]
            "X-Frame-Options" = "DENY"
            X-Content-Type-Options = "nosniff"
            """, file: "full.toml")
        #expect(config.root == "/srv/www")
        #expect(config.listen.map(\.description) == ["0.0.0.0:80", "[::1]:8080", "0.0.0.0:8443"])
        #expect(config.mode == .threads)
        #expect(config.index == ["index.htm", "default.html"])
        #expect(config.dotfiles == .allow)
        #expect(config.accessLog == .file("/var/log/spindle/access.log"))
        #expect(config.accessLogFormat == .json)
        #expect(config.logLevel == .debug)
        #expect(
            config.timeouts
                == Configuration.Timeouts(
                    head: .milliseconds(2500), keepAlive: .seconds(5), send: .milliseconds(1), shutdownGrace: .zero))
        #expect(config.timeouts.head.wholeMilliseconds == 2500)
        var limits = Configuration.Limits(connections: 50, headSize: 4096, headerCount: 20, requestLine: 1024)
        limits.bodySize = 0
        #expect(config.limits == limits)
        #expect(config.limits.parserLimits.maxHead == 4096)
        #expect(config.limits.bodySize == 0)
        #expect(config.threadStackSize == 512 * 1024)
        #expect(config.mimeOverrides == ["wasm": "application/wasm", "md": "text/markdown; charset=utf-8"])
        #expect(
            config.headers == [
                .init(name: "X-Frame-Options", value: "DENY"), .init(name: "X-Content-Type-Options", value: "nosniff"),
            ])
    }

    @Test func alternativeSpellings() throws {
        let config = try Configuration.parse(
            """
            listen = "[::]:8080"
            access_log = "off"
            headers = { "X-Frame-Options" = "DENY" }
            mime = { wasm = "application/wasm" }
            timeouts.head = 1
            """, file: "c.toml")
        #expect(config.listen.map(\.description) == ["[::]:8080"])
        #expect(config.accessLog == .off)
        #expect(config.headers == [.init(name: "X-Frame-Options", value: "DENY")])
        #expect(config.mimeOverrides == ["wasm": "application/wasm"])
        #expect(config.timeouts.head == .seconds(1))
        #expect(try Configuration.parse("access_log = \"-\"", file: "c").accessLog == .standardOutput)
        #expect(try Configuration.parse("index = []", file: "c").index == [])
    }

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        let text: String
        let line: Int
        let key: String
        let message: String
        var testDescription: String { text }
    }

    static let errors: [ErrorCase] = [
        ErrorCase(text: "rot = \"x\"", line: 1, key: "rot", message: "unknown key (did you mean 'root'?)"),
        ErrorCase(text: "colour = 1", line: 1, key: "colour", message: "unknown key"),
        ErrorCase(text: "[timeouts]\nheda = 1", line: 2, key: "timeouts.heda", message: "did you mean 'head'?"),
        ErrorCase(text: "[limits]\nbogus = 1", line: 2, key: "limits.bogus", message: "unknown key"),
        ErrorCase(text: "[threads]\nstack = 1", line: 2, key: "threads.stack", message: "did you mean 'stack_size'?"),
        ErrorCase(text: "[server]\nx = 1", line: 1, key: "server", message: "unknown key"),
        ErrorCase(text: "root = 5", line: 1, key: "root", message: "expected a string, found an integer"),
        ErrorCase(text: "root = \"\"", line: 1, key: "root", message: "must be a non-empty path"),
        ErrorCase(text: "root = \"a\\u0000b\"", line: 1, key: "root", message: "must be a non-empty path"),
        ErrorCase(
            text: "listen = 8080", line: 1, key: "listen", message: "expected an array of strings, found an integer"),
        ErrorCase(text: "listen = []", line: 1, key: "listen", message: "needs at least one address"),
        ErrorCase(text: "\nstatus_listen = \"nope\"", line: 2, key: "status_listen", message: "invalid address"),
        ErrorCase(text: "status_listen = [\":9180\"]", line: 1, key: "status_listen", message: "expected a string"),
        ErrorCase(text: "listen = [\n  \":80\",\n  80,\n]", line: 3, key: "listen", message: "expected a string"),
        ErrorCase(text: "listen = [\n  \":80\",\n  \"nope\",\n]", line: 3, key: "listen", message: "invalid address"),
        ErrorCase(text: "listen = [\"localhost:80\"]", line: 1, key: "listen", message: "host names are not resolved"),
        ErrorCase(text: "listen = [\"1.2.3.4:99999\"]", line: 1, key: "listen", message: "0 to 65535"),
        ErrorCase(text: "listen = [\"::1:80\"]", line: 1, key: "listen", message: "needs brackets"),
        ErrorCase(
            text: "listen = [\":80\", \"0.0.0.0:80\"]", line: 1, key: "listen", message: "0.0.0.0:80 is listed twice"),
        ErrorCase(
            text: "mode = \"fork\"", line: 1, key: "mode", message: "'fork' is not one of \"event-loop\", \"threads\""),
        ErrorCase(text: "mode = true", line: 1, key: "mode", message: "expected a string, found a boolean"),
        ErrorCase(text: "dotfiles = \"maybe\"", line: 1, key: "dotfiles", message: "not one of \"deny\", \"allow\""),
        ErrorCase(text: "index = \"index.html\"", line: 1, key: "index", message: "expected an array of strings"),
        ErrorCase(text: "index = [\"a/b\"]", line: 1, key: "index", message: "is not a file name"),
        ErrorCase(text: "index = [\"..\"]", line: 1, key: "index", message: "is not a file name"),
        ErrorCase(text: "access_log = \"\"", line: 1, key: "access_log", message: "non-empty path"),
        ErrorCase(
            text: "access_log = false", line: 1, key: "access_log", message: "expected a string, found a boolean"),
        ErrorCase(text: "access_log_format = \"xml\"", line: 1, key: "access_log_format", message: "not one of"),
        ErrorCase(
            text: "log_level = \"verbose\"", line: 1, key: "log_level",
            message: "\"error\", \"warn\", \"info\", \"debug\""),
        ErrorCase(text: "timeouts = 5", line: 1, key: "timeouts", message: "expected a table, found an integer"),
        ErrorCase(
            text: "[timeouts]\nhead = 0", line: 2, key: "timeouts.head", message: "between 0.001 and 86400 seconds"),
        ErrorCase(
            text: "[timeouts]\nhead = \"10\"", line: 2, key: "timeouts.head", message: "expected a number of seconds"),
        ErrorCase(text: "[timeouts]\nsend = 100000", line: 2, key: "timeouts.send", message: "between"),
        ErrorCase(text: "[timeouts]\nkeepalive = -1", line: 2, key: "timeouts.keepalive", message: "between"),
        ErrorCase(
            text: "[timeouts]\nshutdown_grace = -0.5", line: 2, key: "timeouts.shutdown_grace", message: "between 0 and"
        ),
        ErrorCase(text: "[timeouts]\nhead = nan", line: 2, key: "timeouts.head", message: "between"),
        ErrorCase(text: "[timeouts]\nhead = inf", line: 2, key: "timeouts.head", message: "between"),
        ErrorCase(
            text: "[limits]\nconnections = 0", line: 2, key: "limits.connections",
            message: "0 is out of range (1 to 1000000)"),
        ErrorCase(
            text: "[limits]\nconnections = 1.5", line: 2, key: "limits.connections",
            message: "expected an integer, found a float"),
        ErrorCase(text: "[limits]\nhead_size = 100", line: 2, key: "limits.head_size", message: "out of range"),
        ErrorCase(text: "[limits]\nbody_size = -1", line: 2, key: "limits.body_size", message: "out of range"),
        ErrorCase(text: "[limits]\nheader_count = 10001", line: 2, key: "limits.header_count", message: "out of range"),
        ErrorCase(
            text: "[limits]\nrequest_line = 40000", line: 2, key: "limits.request_line",
            message: "must not exceed limits.head_size (32768)"),
        ErrorCase(
            text: "[limits]\nhead_size = 4096", line: 2, key: "limits.head_size",
            message: "must be at least limits.request_line (8192)"),
        ErrorCase(
            text: "[threads]\nstack_size = 8", line: 2, key: "threads.stack_size", message: "out of range (64 to 65536)"
        ),
        ErrorCase(text: "[mime]\nwasm = 5", line: 2, key: "mime.wasm", message: "expected a string"),
        ErrorCase(text: "[mime]\n\"a/b\" = \"x/y\"", line: 2, key: "mime.a/b", message: "is not a file extension"),
        ErrorCase(
            text: "[mime]\n\"tar.gz\" = \"x/y\"", line: 2, key: "mime.tar.gz", message: "is not a file extension"),
        ErrorCase(text: "[mime]\nx = \"notatype\"", line: 2, key: "mime.x", message: "is not a media type"),
        ErrorCase(text: "[mime]\nx = \"text/plain\\r\\nX: y\"", line: 2, key: "mime.x", message: "is not a media type"),
        ErrorCase(
            text: "[mime]\nwasm = \"a/b\"\n\".WASM\" = \"a/c\"", line: 3, key: "mime..WASM", message: "listed twice"),
        ErrorCase(
            text: "[headers]\n\"Bad Name\" = \"x\"", line: 2, key: "headers.Bad Name",
            message: "not a valid header field name"),
        ErrorCase(
            text: "[headers]\n\"Content-Length\" = \"5\"", line: 2, key: "headers.Content-Length",
            message: "sets this field itself"),
        ErrorCase(text: "[headers]\ndate = \"x\"", line: 2, key: "headers.date", message: "sets this field itself"),
        ErrorCase(text: "[headers]\nServer = \"x\"", line: 2, key: "headers.Server", message: "sets this field itself"),
        ErrorCase(text: "[headers]\nAllow = \"GET\"", line: 2, key: "headers.Allow", message: "sets this field itself"),
        ErrorCase(
            text: "[headers]\nX-A = \"a\\r\\nInjected: 1\"", line: 2, key: "headers.X-A", message: "visible ASCII"),
        ErrorCase(text: "[headers]\nX-A = \"caf\u{E9}\"", line: 2, key: "headers.X-A", message: "visible ASCII"),
        ErrorCase(text: "[headers]\nX-A = \" a\"", line: 2, key: "headers.X-A", message: "whitespace"),
        ErrorCase(text: "[headers]\nX-A = \"a\"\nx-a = \"b\"", line: 3, key: "headers.x-a", message: "listed twice"),
        ErrorCase(text: "[headers]\nX-A = 1", line: 2, key: "headers.X-A", message: "expected a string"),
        ErrorCase(
            text: "precompressed = [\"br\", \"deflate\"]", line: 1, key: "precompressed",
            message: "'deflate' is not one of \"br\", \"zstd\", \"gzip\""),
        ErrorCase(text: "precompressed = [\"br\", \"br\"]", line: 1, key: "precompressed", message: "listed twice"),
        ErrorCase(text: "precompressed = \"br\"", line: 1, key: "precompressed", message: "expected an array"),
        ErrorCase(text: "cache = \"on\"", line: 1, key: "cache", message: "'on' is not one of \"auto\", \"off\""),
        ErrorCase(text: "cache_max_age = -1", line: 1, key: "cache_max_age", message: "out of range"),
        ErrorCase(text: "cache_max_age = \"1h\"", line: 1, key: "cache_max_age", message: "expected an integer"),
        ErrorCase(
            text: "[[cache_rules]]\nmatch = \"/a\"\ncache_control = \"x\"\n[[cache_rules]]\nmatch = \"/b\"", line: 4,
            key: "cache_rules[2]",
            message: "needs both 'match' and 'cache_control'"),
        ErrorCase(
            text: "[[cache_rules]]\nmatch = \"fonts\"\ncache_control = \"x\"", line: 2, key: "cache_rules[1].match",
            message: "is not a path pattern"),
        ErrorCase(
            text: "[[cache_rules]]\nmatch = \"/a\"\ncache_control = \"a\\r\\nX: 1\"", line: 3,
            key: "cache_rules[1].cache_control", message: "visible ASCII"),
        ErrorCase(
            text: "[[cache_rules]]\nmatch = \"/a\"\ncache_control = \"\"", line: 3, key: "cache_rules[1].cache_control",
            message: "must not be empty"),
        ErrorCase(
            text: "[[cache_rules]]\nmach = \"/a\"", line: 2, key: "cache_rules[1].mach",
            message: "did you mean 'match'?"),
        ErrorCase(text: "cache_rules = [1]", line: 1, key: "cache_rules[1]", message: "expected a table"),
        ErrorCase(text: "[error_pages]\n200 = \"ok.html\"", line: 2, key: "error_pages.200", message: "400 to 599"),
        ErrorCase(
            text: "[error_pages]\nnotfound = \"x.html\"", line: 2, key: "error_pages.notfound", message: "400 to 599"),
        ErrorCase(
            text: "[error_pages]\n404 = \"../404.html\"", line: 2, key: "error_pages.404",
            message: "not a file under the root"),
        ErrorCase(
            text: "[error_pages]\n404 = \"\"", line: 2, key: "error_pages.404", message: "not a file under the root"),
        ErrorCase(text: "[error_pages]\n404 = 404", line: 2, key: "error_pages.404", message: "expected a string"),
        ErrorCase(text: "fallback = \"a/../../x\"", line: 1, key: "fallback", message: "not a file under the root"),
        ErrorCase(text: "fallback = \"/\"", line: 1, key: "fallback", message: "not a file under the root"),
        ErrorCase(text: "fallback = true", line: 1, key: "fallback", message: "expected a string"),
        ErrorCase(text: "\nlisting = \"yes\"", line: 2, key: "listing", message: "expected true or false"),
        ErrorCase(text: "listing = 1", line: 1, key: "listing", message: "expected true or false"),
        ErrorCase(text: "listing_max_entries = 0", line: 1, key: "listing_max_entries", message: "out of range"),
        ErrorCase(
            text: "listing_max_entries = 1000001", line: 1, key: "listing_max_entries", message: "out of range"),
        ErrorCase(
            text: "listing_max_entries = \"10\"", line: 1, key: "listing_max_entries", message: "expected an integer"),
        ErrorCase(
            text: "[cors]\nallow_origins = [\"https://example.com/\"]", line: 2, key: "cors.allow_origins",
            message: "is not an origin"),
        ErrorCase(
            text: "[cors]\nallow_origins = [\"example.com\"]", line: 2, key: "cors.allow_origins",
            message: "is not an origin"),
        ErrorCase(
            text: "[cors]\nallow_origins = [\"*\", \"https://a.example\"]", line: 2, key: "cors.allow_origins",
            message: "list it alone"),
        ErrorCase(
            text: "[cors]\nallow_origins = [\"https://a.example\", \"https://a.example\"]", line: 2,
            key: "cors.allow_origins", message: "listed twice"),
        ErrorCase(text: "[cors]\nmax_age = -5", line: 2, key: "cors.max_age", message: "out of range"),
        ErrorCase(text: "[cors]\norigins = []", line: 2, key: "cors.origins", message: "unknown key"),
        ErrorCase(text: "workers = 0", line: 1, key: "workers", message: "out of range (1 to 1024)"),
        ErrorCase(text: "workers = 1025", line: 1, key: "workers", message: "out of range"),
        ErrorCase(text: "workers = \"many\"", line: 1, key: "workers", message: "expected \"auto\" or a number"),
        ErrorCase(text: "workers = 1.5", line: 1, key: "workers", message: "expected an integer"),
        ErrorCase(
            text: "mode = \"threads\"\n\nworkers = 2", line: 3, key: "workers",
            message: "2 workers need mode \"event-loop\""),
        ErrorCase(
            text: "workers = 4\nmode = \"threads\"", line: 1, key: "workers", message: "need mode \"event-loop\""),
    ]

    @Test(arguments: errors)
    func errorsNameFileLineAndKey(_ testCase: ErrorCase) {
        #expect {
            try Configuration.parse(testCase.text, file: "bad.toml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.file == "bad.toml" && error.line == testCase.line && error.key == testCase.key
                && error.message.contains(testCase.message)
                && error.description.hasPrefix("bad.toml:\(testCase.line): key '\(testCase.key)': ")
        }
    }

    @Test func syntaxErrorsComeThroughParse() {
        #expect(throws: ConfigError(file: "c.toml", line: 2, key: "b", message: "expected a value after '='")) {
            try Configuration.parse("a = 1\nb =\n", file: "c.toml")
        }
    }

    @Test func exactDescription() {
        #expect {
            try Configuration.parse("\n[timeouts]\nhead = 0\n", file: "/etc/spindle/spindle.toml")
        } throws: { error in
            (error as? ConfigError)?.description
                == "/etc/spindle/spindle.toml:3: key 'timeouts.head': must be between 0.001 and 86400 seconds"
        }
    }

    @Test func loadReportsUnreadableFiles() throws {
        let missing = "/nonexistent/spindle-\(getpid()).toml"
        #expect(throws: ConfigError(file: missing, line: nil, message: "cannot open: No such file or directory")) {
            try Configuration.load(path: missing)
        }
        #expect(throws: ConfigError(file: "/tmp", line: nil, message: "cannot read: Is a directory")) {
            try Configuration.load(path: "/tmp")
        }
    }

    @Test func errorDescriptionFormat() {
        #expect(
            ConfigError(file: "/etc/spindle.toml", line: 7, key: "timeouts.head", message: "too long").description
                == "/etc/spindle.toml:7: key 'timeouts.head': too long")
        #expect(ConfigError(file: "x.toml", line: 2, message: "bad").description == "x.toml:2: bad")
        #expect(ConfigError(file: "x.toml", line: nil, message: "cannot open").description == "x.toml: cannot open")
    }

    @Test func loadReadsAFileAndNamesItInErrors() throws {
        let path = NSTemporaryDirectory() + "spindle-config-\(getpid()).toml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "mode = \"threads\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try Configuration.load(path: path).mode == .threads)
        try "mode = \"threads\"\n\nlisten = [\"x\"]\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try Configuration.load(path: path)
        } throws: { error in
            (error as? ConfigError)?.description.hasPrefix("\(path):3: key 'listen': invalid address") == true
        }
    }

    @Test func commandLineOverridesWin() throws {
        var config = try Configuration.parse("root = \"/srv\"\nmode = \"threads\"\nlisten = \":80\"", file: "c")
        config.apply()
        #expect(config.root == "/srv" && config.mode == .threads && config.listen.map(\.description) == ["0.0.0.0:80"])
        let address = try ListenAddress(parsing: "[::1]:9000")
        config.apply(root: "site", listen: [address, address], mode: .eventLoop)
        #expect(config.root == "site")
        #expect(config.mode == .eventLoop)
        #expect(config.listen == [address])
        config.apply(root: "", listen: [])
        #expect(config.root == "site" && config.listen == [address])
    }

    @Test func workers() throws {
        #expect(Configuration.default.workers == 1)
        #expect(try Configuration.parse("workers = 3", file: "c").workers == 3)
        let online = try Configuration.parse("workers = \"auto\"", file: "c").workers
        #expect(online == sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        // One worker in threads mode is just the threads mode.
        #expect(try Configuration.parse("workers = 1\nmode = \"threads\"", file: "c").mode == .threads)
    }

    @Test func workersFlag() throws {
        let flags = try CommandLineOverrides(root: nil, listen: [], mode: nil, accessLog: nil, workers: "2")
        #expect(try ConfigurationSource(path: nil, overrides: flags).load().workers == 2)
        #expect(
            try CommandLineOverrides(root: nil, listen: [], mode: nil, accessLog: nil, workers: "auto").workers ?? 0
                >= 1)
        #expect {
            try CommandLineOverrides(root: nil, listen: [], mode: nil, accessLog: nil, workers: "0")
        } throws: { error in
            (error as? ConfigError)?.description
                == "command line: key '--workers': expected \"auto\" or a number from 1 to 1024, got \"0\""
        }
        // Threads with several workers is refused, naming the flag that made the conflict.
        let threads = try CommandLineOverrides(root: nil, listen: [], mode: "threads", accessLog: nil, workers: "2")
        #expect {
            try ConfigurationSource(path: nil, overrides: threads).load()
        } throws: { error in
            (error as? ConfigError)?.description.hasPrefix("command line: key '--workers': 2 workers need mode") == true
        }
    }

    @Test func keySuggestionDistance() {
        #expect(ConfigurationReader.distance("root", "rot") == 1)
        #expect(ConfigurationReader.distance("keepalive", "keep_alive") == 1)
        #expect(ConfigurationReader.distance("", "abc") == 3)
        #expect(ConfigurationReader.distance("mode", "mode") == 0)
    }
}
