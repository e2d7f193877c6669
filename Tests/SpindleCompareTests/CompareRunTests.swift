import Foundation
import Posix
import SpindleCompare
import Testing

/// The whole flow, with a small Python server standing in for Spindle: it prints Spindle's
/// start-up line once listening, so readiness, probing, stopping and the report are all exercised.
struct CompareRunTests {
    static let python = "/usr/bin/python3"
    static let server = """
        import sys, functools, http.server
        class Handler(http.server.SimpleHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
        port, root, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=root))
        print(f"spindle: listening on http://127.0.0.1:{port} ({mode}, root {root})", file=sys.stderr, flush=True)
        httpd.serve_forever()
        """

    private func freePort() throws -> UInt16 {
        let address = try #require(SocketAddress(host: "127.0.0.1", port: 0))
        return try #require(try FileDescriptor.listen(on: address).localAddress()?.port)
    }

    private func options(output: String) throws -> CompareOptions {
        var options = CompareOptions()
        // Long enough that a step on a loaded machine (a Python server, a busy CI runner) still counts requests.
        options.duration = 0.5
        options.warmup = 0.05
        options.connections = [1, 4]
        options.port = try freePort()
        options.output = output
        options.serverCommand = [Self.python, "-c", Self.server, "{port}", "{root}", "{mode}"]
        options.verbose = false
        return options
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python)))
    func runsEveryStepAgainstAServer() throws {
        let output = NSTemporaryDirectory() + "spindle-compare-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let options = try options(output: output)
        let status = try Compare.run(options)
        #expect(status == 0)

        let json = try Data(contentsOf: URL(fileURLWithPath: output + "/compare.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let results = try #require(root["results"] as? [[String: Any]])
        #expect(results.count == 3 * 2 * 3)
        #expect(Set(results.compactMap { $0["mode"] as? String }) == ["event-loop", "threads", "workers"])
        for result in results {
            let requests = result["requests"] as? Int ?? 0
            let errors = (result["errors"] as? [String: Int])?["total"] ?? -1
            #expect(requests > 0, "\(result)")
            #expect(errors == 0, "\(result)")
            #expect((result["peakRSSBytes"] as? Int ?? 0) > 1_000_000)
            #expect((result["maxThreads"] as? Int ?? 0) >= 1)
            #expect((result["generatorCPUSeconds"] as? Double ?? 0) > 0)
            #expect(result["note"] is NSNull)
        }
        let paths = Set(results.compactMap { $0["path"] as? String })
        #expect(paths == ["/small.html", "/large.bin"])
        #expect(FileManager.default.fileExists(atPath: output + "/compare.csv"))
        #expect(FileManager.default.fileExists(atPath: output + "/compare.svg"))
    }

    @Test func workersIsTheEventLoopOncePerCPU() {
        let command = CompareRun.serverCommand(executable: "/bin/spindle", mode: "workers", root: "/srv", port: 8080)
        #expect(
            command == [
                "/bin/spindle", "--root", "/srv", "--listen", "127.0.0.1:8080", "--mode", "event-loop", "--workers",
                "auto",
            ])
        let threads = CompareRun.serverCommand(executable: "/bin/spindle", mode: "threads", root: "/srv", port: 8080)
        #expect(threads.suffix(2) == ["--mode", "threads"])
    }

    @Test func serverThatCannotStartIsRecordedPerStep() throws {
        let output = NSTemporaryDirectory() + "spindle-compare-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var options = try options(output: output)
        options.serverCommand = ["/bin/sh", "-c", "echo 'spindle: cannot bind {port}' >&2; exit 1"]
        options.modes = ["threads"]
        let run = CompareRun(options)
        let results = try run.run()
        #expect(results.count == 2 * 3)
        #expect(results.allSatisfy { $0.load.requests == 0 && ($0.note ?? "").contains("cannot bind") })
        #expect(try Compare.run(options) == 1)
        #expect(FileManager.default.fileExists(atPath: output + "/compare.json"))
    }
}
