import Foundation
import Testing

extension Integration {
    /// The configuration file as the binary sees it: `check-config` and `--config` report a bad file as
    /// `FILE:LINE: key 'KEY': message` and exit 1; a good one passes; flags win over the file.
    @Suite struct ConfigFileTests {
        /// One invalid file and where the error must point.
        struct BadConfig: Sendable, CustomTestStringConvertible {
            let name: String
            let text: String
            let line: Int
            let key: String
            let message: String

            var testDescription: String { name }
        }

        static let badConfigs = [
            BadConfig(
                name: "unknown key", text: "root = \"public\"\ncolour = \"blue\"\n", line: 2, key: "colour",
                message: "unknown key"),
            BadConfig(
                name: "unknown key in a table", text: "[timeouts]\nhead = 5\n\nheadd = 3\n", line: 4,
                key: "timeouts.headd", message: "unknown key"),
            BadConfig(
                name: "wrong type", text: "# comment\n\n[limits]\nconnections = \"many\"\n", line: 4,
                key: "limits.connections", message: "expected an integer"),
            BadConfig(
                name: "string for an array", text: "mode = \"threads\"\nindex = \"index.html\"\n", line: 2,
                key: "index", message: "expected an array"),
            BadConfig(
                name: "host name as listen address",
                text: "listen = [\n    \"127.0.0.1:8080\",\n    \"localhost:80\",\n]\n", line: 3, key: "listen",
                message: "invalid address"),
            BadConfig(
                name: "listen port out of range", text: "listen = [\"127.0.0.1:70000\"]\n", line: 1, key: "listen",
                message: "70000"),
            BadConfig(
                name: "stack size out of range", text: "[threads]\nstack_size = 16\n", line: 2,
                key: "threads.stack_size", message: "out of range"),
            BadConfig(
                name: "zero connections", text: "[limits]\nconnections = 0\n", line: 2, key: "limits.connections",
                message: "out of range"),
            BadConfig(
                name: "zero head timeout", text: "\n[timeouts]\nhead = 0\n", line: 3, key: "timeouts.head",
                message: "must be between"),
            BadConfig(
                name: "unknown mode", text: "mode = \"fast\"\n", line: 1, key: "mode", message: "'fast'"),
            BadConfig(
                name: "unknown coding", text: "precompressed = [\"br\", \"lzma\"]\n", line: 1, key: "precompressed",
                message: "'lzma'"),
            BadConfig(
                name: "cache rule without a value",
                text:
                    "[[cache_rules]]\nmatch = \"/a/*\"\ncache_control = \"no-cache\"\n\n[[cache_rules]]\nmatch = \"/b/*\"\n",
                line: 5, key: "cache_rules[2]", message: "needs both"),
            BadConfig(
                name: "error page outside the root", text: "[error_pages]\n404 = \"../404.html\"\n", line: 2,
                key: "error_pages.404", message: "not a file under the root"),
            BadConfig(
                name: "origin with a path", text: "[cors]\nallow_origins = [\"https://example.com/app\"]\n", line: 2,
                key: "cors.allow_origins", message: "not an origin"),
        ]

        @Test(arguments: badConfigs)
        func badFileIsReportedWithFileLineAndKey(_ bad: BadConfig) throws {
            let file = DocumentRoot.shared.scratch + "/bad-\(UUID().uuidString).toml"
            try bad.text.write(toFile: file, atomically: true, encoding: .utf8)
            let location = "\(file):\(bad.line): key '\(bad.key)': "

            let check = try run(ServerProcess.binary, ["check-config", file], timeout: 10)
            #expect(check.status == 1)
            #expect(check.stderr.contains(location), "stderr: \(check.stderr)")
            #expect(check.stderr.contains(bad.message), "stderr: \(check.stderr)")
            #expect(check.stdout.isEmpty)

            // Serving with the file fails the same way before binding anything. The listen cases keep
            // the file's addresses (a flag would replace them); the others never reach the default port.
            var arguments = ["--config", file, "--root", DocumentRoot.shared.root]
            if bad.key != "listen" { arguments += ["--listen", "127.0.0.1:0"] }
            let serve = try run(ServerProcess.binary, arguments, timeout: 10)
            #expect(serve.status == 1)
            #expect(serve.stderr.contains(location), "stderr: \(serve.stderr)")
            #expect(!serve.stderr.contains(ServerProcess.startLine))
        }

        @Test func shippedConfigurationIsValid() throws {
            let file = ServerProcess.packageRoot.appendingPathComponent("config/spindle.toml").path
            let check = try run(ServerProcess.binary, ["check-config", file], timeout: 10)
            #expect(check.status == 0, "stderr: \(check.stderr)")
            #expect(String(decoding: check.stdout, as: UTF8.self) == "\(file): OK\n")
            #expect(check.stderr.isEmpty)
        }

        @Test func everyTableTogetherIsValid() throws {
            let file = DocumentRoot.shared.scratch + "/good-\(UUID().uuidString).toml"
            let text = """
                root = "public"
                listen = ["127.0.0.1:8080", "[::1]:8080", ":8081"]
                mode = "threads"
                index = ["index.html", "index.htm"]
                dotfiles = "allow"
                access_log = "off"
                access_log_format = "json"
                log_level = "warn"

                [timeouts]
                head = 2.5
                keepalive = 5
                send = 30
                shutdown_grace = 0

                [limits]
                connections = 100
                head_size = 16384
                header_count = 50
                request_line = 4096

                [threads]
                stack_size = 512

                [mime]
                wasm = "application/wasm"

                [headers]
                "X-Content-Type-Options" = "nosniff"

                """
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let check = try run(ServerProcess.binary, ["check-config", file], timeout: 10)
            #expect(check.status == 0, "stderr: \(check.stderr)")
            #expect(String(decoding: check.stdout, as: UTF8.self) == "\(file): OK\n")
        }

        /// The file names another root, another mode, another address and an access log; the flags
        /// (`--root`, `--mode`, `--listen`, `--access-log off`) win, and what no flag names comes from the file.
        @Test(arguments: ServingMode.all)
        func commandLineFlagsOverrideTheFile(mode: String) throws {
            let site = DocumentRoot.shared
            let otherRoot = site.scratch + "/other-root-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: otherRoot, withIntermediateDirectories: true)
            try "the file's root\n".write(toFile: otherRoot + "/index.html", atomically: true, encoding: .utf8)
            let neverLog = site.scratch + "/never-\(UUID().uuidString).log"
            let otherMode = mode == "threads" ? "event-loop" : "threads"
            let config = """
                root = "\(otherRoot)"
                listen = ["127.0.0.9:0"]
                mode = "\(otherMode)"
                access_log = "\(neverLog)"

                [headers]
                "X-From-File" = "yes"

                """
            let server = try ServerProcess(mode: mode, config: config)
            try withStarted(server) { server in
                #expect(server.startLine.contains("http://127.0.0.1:"), "\(server.startLine)")
                #expect(!server.startLine.contains("127.0.0.9"), "\(server.startLine)")
                #expect(server.startLine.contains("(\(mode), root "), "\(server.startLine)")
                #expect(!server.startLine.contains(otherRoot), "\(server.startLine)")
                let response = try RawClient.exchange(port: server.port, get("/"))
                #expect(response.status == 200)
                expectBody(response.body, site.index)
                #expect(response.header("X-From-File") == "yes")
            }
            #expect(!FileManager.default.fileExists(atPath: neverLog))
        }
    }
}
