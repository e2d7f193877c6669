import Foundation
import Glibc

/// Debian's HAProxy running in the foreground (`-db`) as a child process, with its log on stderr.
/// `make test` installs it when it is missing (`make haproxy`).
final class HAProxy: @unchecked Sendable {
    static let candidates = ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"]

    /// The binary, or nil after saying loudly that the tests needing it are skipped.
    static let path = tool(
        candidates, for: "the fleet tests (replicas behind a load balancer)",
        "`make test` installs it (`make haproxy`: apt-get install haproxy); see its output for why it failed.")

    /// The ports of its frontends, free ports of 127.0.0.1 given to `configuration`.
    let ports: [UInt16]
    /// The first frontend's port, where the fleet test puts the stats page too (`statsPath`).
    var port: UInt16 { ports[0] }
    static let statsPath = "/fleet-stats"

    private let process: Process
    private let output: OutputCollector
    private let exited: DispatchSemaphore

    /// Writes `configuration(ports)` to `directory`/haproxy.cfg, with `count` free ports of 127.0.0.1 for
    /// its frontends, and starts HAProxy; ready once the first frontend accepts connections. HAProxy
    /// cannot report ports the kernel picked, so they are found free first and, if one is taken
    /// meanwhile, others are tried.
    init(directory: String, ports count: Int = 1, configuration: ([UInt16]) -> String) throws {
        guard let path = Self.path else { throw HarnessError("haproxy is not installed") }
        let file = directory + "/haproxy.cfg"
        var attempt = 0
        while true {
            attempt += 1
            let ports = try (0..<count).map { _ in try Self.freePort() }
            try configuration(ports).write(toFile: file, atomically: true, encoding: .utf8)
            let check = try run(path, ["-c", "-f", file])
            guard check.status == 0 else {
                throw HarnessError(
                    "haproxy -c -f \(file): \(check.stderr)\(String(decoding: check.stdout, as: UTF8.self))")
            }

            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["-db", "-f", file]
            process.standardInput = FileHandle.nullDevice
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            let exited = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in exited.signal() }
            try process.run()
            try? pipe.fileHandleForWriting.close()
            let output = OutputCollector(pipe.fileHandleForReading)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline && (try? RawClient(port: ports[0])) == nil {
                usleep(20_000)
            }
            if process.isRunning && (try? RawClient(port: ports[0])) != nil {
                self.ports = ports
                self.process = process
                self.output = output
                self.exited = exited
                return
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            _ = exited.wait(timeout: .now() + 5)
            output.waitForEnd(timeout: 2)
            guard attempt < 3, output.text.contains("cannot bind") else {
                throw HarnessError("haproxy did not start on ports \(ports):\n\(output.text)")
            }
        }
    }

    deinit { stop() }

    /// What HAProxy printed: its log (abnormal requests only, with `option dontlog-normal`) and
    /// server state changes.
    var log: String { output.text }

    /// Stops it (SIGTERM: a hard stop, which is all a test needs) and waits for it to exit.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if exited.wait(timeout: .now() + 5) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            _ = exited.wait(timeout: .now() + 5)
        }
    }

    /// One row of HAProxy's CSV statistics: a server, or a proxy's FRONTEND or BACKEND line.
    struct Row {
        let proxy: String
        let name: String
        let fields: [String: String]

        /// UP, DOWN, MAINT... for a server; OPEN for a frontend.
        var status: String { fields["status"] ?? "" }
        func count(_ field: String) -> Int { fields[field].flatMap { Int($0) } ?? 0 }
    }

    /// The statistics now, by `proxy/name`.
    func stats() throws -> [String: Row] { try Self.stats(port: port) }

    /// Waits until HAProxy's health checks report `server` in backend `backend` as `status`.
    func waitFor(_ backend: String, _ server: String, _ status: String, timeout: Double = 10) throws {
        try pollUntil(timeout: timeout, "haproxy to see \(backend)/\(server) \(status)") {
            (try? stats())?["\(backend)/\(server)"]?.status == status
        }
    }

    /// `GET /fleet-stats;csv` with curl (HAProxy answers it with a chunked body, which RawClient does not read).
    private static func stats(port: UInt16) throws -> [String: Row] {
        let result = try run(
            "/usr/bin/curl", ["-sS", "--fail", "--max-time", "2", "http://127.0.0.1:\(port)\(statsPath);csv"],
            timeout: 5)
        guard result.status == 0 else { throw HarnessError("haproxy stats: \(result.stderr)") }
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
        guard let header = lines.first, header.hasPrefix("# ") else { throw HarnessError("haproxy stats: no CSV") }
        let names = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var rows: [String: Row] = [:]
        for line in lines.dropFirst() {
            let values = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard values.count >= 2 else { continue }
            let fields = Dictionary(zip(names, values), uniquingKeysWith: { first, _ in first })
            rows["\(values[0])/\(values[1])"] = Row(proxy: values[0], name: values[1], fields: fields)
        }
        return rows
    }

    /// A port of 127.0.0.1 that is free now: bound with port 0, read back, closed.
    private static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 ? getsockname(fd, $0, &length) : -1
            }
        }
        guard result == 0 else { throw HarnessError("bind 127.0.0.1:0: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }
}
