import Foundation
import Glibc
import Testing

/// The serving modes every server test runs in.
enum ServingMode {
    static let all = ["event-loop", "threads"]
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The built `spindle` binary running as a child process, with its stderr collected.
final class ServerProcess: @unchecked Sendable {
    /// Tests/IntegrationTests/ServerProcess.swift → the package root.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The debug build of this package, or `SPINDLE_BINARY` (to test another build, e.g. a release one).
    static let binary =
        ProcessInfo.processInfo.environment["SPINDLE_BINARY"]
        ?? packageRoot.appendingPathComponent(".build/debug/spindle").path

    let mode: String
    let ports: [UInt16]
    var port: UInt16 { ports[0] }
    /// The start-up line the server printed.
    let startLine: String
    let pid: Int32

    private let process: Process
    private let errors: OutputCollector
    private let exited = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// The configuration file written from `config`, which a test may rewrite before a SIGHUP.
    let configPath: String?

    /// The variables systemd passes; removed from the inherited environment so that a test run under
    /// systemd does not make the server think it was started by it.
    static let systemdVariables = [
        "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
    ]

    /// Starts `spindle --root ROOT --listen 127.0.0.1:PORT --mode MODE` and waits for its start-up line.
    /// `port` 0 lets the kernel pick one; a restarted server passes the port it had.
    /// Further listeners go on 127.0.0.2:0, 127.0.0.3:0... (the same address twice would be one listener).
    /// `fileLimit` runs it under `ulimit -n` through /bin/sh; `config` is written to a file and passed
    /// with `--config`. `accessLog` is the `--access-log` flag (nil: none, so the config file decides).
    /// `environment` is added to the inherited one. `launcher` runs before the binary (which becomes its
    /// last argument before spindle's own), e.g. `systemd-socket-activate -l ADDR`; the start is then
    /// complete when stderr shows `readyLine`, and `ports` is read only from spindle's own start-up line.
    init(
        mode: String, root: String = DocumentRoot.shared.root, port: UInt16 = 0, listeners: Int = 1,
        config: String? = nil,
        fileLimit: Int? = nil, extraArguments: [String] = [], startTimeout: Double = 15,
        accessLog: String? = "off", environment: [String: String] = [:], launcher: [String] = [],
        readyLine: String = ServerProcess.startLine
    ) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw HarnessError("\(Self.binary) is missing: build first (`swift build` or `make test`)")
        }
        self.mode = mode
        var arguments = ["--root", root, "--mode", mode]
        if let accessLog { arguments += ["--access-log", accessLog] }
        for index in 0..<listeners { arguments += ["--listen", "127.0.0.\(index + 1):\(index == 0 ? port : 0)"] }
        if let config {
            let file = DocumentRoot.shared.scratch + "/config-\(UUID().uuidString).toml"
            try config.write(toFile: file, atomically: true, encoding: .utf8)
            arguments += ["--config", file]
            configPath = file
        } else {
            configPath = nil
        }
        arguments += extraArguments
        let command = launcher + [Self.binary] + arguments
        let process = Process()
        if let fileLimit {
            // `exec` keeps the PID: signals sent to the child reach spindle itself.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(fileLimit) && exec \"$0\" \"$@\""] + command
        } else {
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
        }
        var inherited = ProcessInfo.processInfo.environment
        for name in Self.systemdVariables { inherited[name] = nil }
        process.environment = inherited.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        self.process = process
        self.errors = OutputCollector(pipe.fileHandleForReading)
        try process.run()
        pid = process.processIdentifier
        try? pipe.fileHandleForWriting.close()

        guard let line = errors.waitForLine(containing: readyLine, timeout: startTimeout) else {
            if process.isRunning { Glibc.kill(pid, SIGKILL) }
            let status = exited.wait(timeout: .now() + 5) == .success ? "\(process.terminationStatus)" : "?"
            throw HarnessError("no start-up line from \(command) (exit \(status)); stderr:\n\(errors.text)")
        }
        startLine = line
        ports = Self.ports(in: line)
        guard ports.count == listeners || readyLine != Self.startLine else {
            Glibc.kill(pid, SIGKILL)
            throw HarnessError("cannot read \(listeners) port(s) from start-up line: \(line)")
        }
    }

    deinit { kill() }

    /// What spindle prints on stderr once it is listening.
    static let startLine = "spindle: listening on "

    /// Everything the server wrote on stderr so far.
    var stderr: String { errors.text }

    /// The first complete stderr line containing `needle`, waiting up to `timeout` seconds for it.
    func waitForStderrLine(containing needle: String, timeout: Double) -> String? {
        errors.waitForLine(containing: needle, timeout: timeout)
    }

    /// Waits until `needle` occurs at least `count` times on stderr; false on timeout or exit.
    func waitForStderr(_ needle: String, count: Int, timeout: Double) -> Bool {
        errors.wait(timeout: timeout) { $0.components(separatedBy: needle).count - 1 >= count }
    }

    /// The port of the health and metrics listener (`--status-listen`), from its stderr line.
    func statusPort(timeout: Double = 5) throws -> UInt16 {
        guard let line = waitForStderrLine(containing: "spindle: health and metrics on ", timeout: timeout),
            let port = line.split(separator: ":").last.flatMap({ UInt16($0) })
        else { throw HarnessError("no status listener line on stderr: \(stderr)") }
        return port
    }

    /// `spindle: listening on http://127.0.0.1:PORT, http://... (MODE, root DIR)` → the ports.
    static func ports(in line: String) -> [UInt16] {
        guard let start = line.range(of: "listening on ")?.upperBound,
            let end = line.range(of: " (", range: start..<line.endIndex)?.lowerBound
        else { return [] }
        return line[start..<end].split(separator: ",").compactMap { url in
            url.split(separator: ":").last.flatMap { UInt16($0.trimmingCharacters(in: .whitespaces)) }
        }
    }

    var isRunning: Bool {
        lock.withLock { exitStatus == nil } && process.isRunning
    }

    func signal(_ number: Int32) {
        if isRunning { Glibc.kill(pid, number) }
    }

    /// Waits for the process to end; returns its exit status (128+N when killed by signal N), nil on timeout.
    func waitForExit(timeout: Double) -> Int32? {
        if let status = lock.withLock({ exitStatus }) { return status }
        guard exited.wait(timeout: .now() + timeout) == .success else { return nil }
        exited.signal()  // later waits return at once
        let status =
            process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
        lock.withLock { exitStatus = status }
        return status
    }

    /// SIGTERM, then wait (SIGKILL after `timeout`); returns the exit status, nil if it had to be killed.
    func stop(timeout: Double = 15) -> Int32? {
        signal(SIGTERM)
        if let status = waitForExit(timeout: timeout) { return status }
        kill()
        return nil
    }

    /// Kills the process if it is still running (test failure paths).
    func kill() {
        if isRunning {
            Glibc.kill(pid, SIGKILL)
            _ = waitForExit(timeout: 5)
        }
    }

    /// How many descriptors the process has open now.
    func descriptorCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// How many threads the process has now.
    func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? -1
    }
}

/// Runs `body` against a fresh server, then stops it with SIGTERM and expects exit status 0.
/// The server is killed if `body` throws.
func withServer<T>(
    _ mode: String, config: String? = nil, fileLimit: Int? = nil, listeners: Int = 1,
    sourceLocation: SourceLocation = #_sourceLocation, _ body: (ServerProcess) throws -> T
) throws -> T {
    let server = try ServerProcess(mode: mode, listeners: listeners, config: config, fileLimit: fileLimit)
    return try withStarted(server, sourceLocation: sourceLocation, body)
}

/// `withServer` for a server the caller started: runs `body`, then SIGTERM and expects exit status 0;
/// kills the server if `body` throws.
func withStarted<T>(
    _ server: ServerProcess, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (ServerProcess) throws -> T
) throws -> T {
    let result: T
    do {
        result = try body(server)
    } catch {
        server.kill()
        throw HarnessError("\(error)\nserver stderr:\n\(server.stderr)")
    }
    let status = server.stop()
    #expect(status == 0, "exit status after SIGTERM; stderr:\n\(server.stderr)", sourceLocation: sourceLocation)
    return result
}

/// Collects a pipe's output on its own thread.
final class OutputCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var data = Data()
    private var finished = false

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                condition.lock()
                if chunk.isEmpty { finished = true } else { data.append(chunk) }
                condition.broadcast()
                condition.unlock()
                if chunk.isEmpty { return }
            }
        }
        thread.start()
    }

    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits until the pipe reaches end of file (the writer exited); false on timeout.
    @discardableResult
    func waitForEnd(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !finished {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }

    /// Waits until `predicate` holds for the text collected so far; false on timeout or end of file.
    func wait(timeout: Double, until predicate: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if predicate(String(decoding: data, as: UTF8.self)) { return true }
            if finished || !condition.wait(until: deadline) { return false }
        }
    }

    /// The first complete line containing `needle`, waiting up to `timeout` seconds for it.
    func waitForLine(containing needle: String, timeout: Double) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            let text = String(decoding: data, as: UTF8.self)
            if let line = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .first(where: { $0.contains(needle) })
            {
                return String(line)
            }
            if finished || !condition.wait(until: deadline) { return nil }
        }
    }
}
