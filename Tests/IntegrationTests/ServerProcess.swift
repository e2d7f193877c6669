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

    /// Starts `spindle --root ROOT --listen 127.0.0.1:0 --mode MODE` and waits for its start-up line.
    /// Further listeners go on 127.0.0.2, 127.0.0.3... (the same address twice would be one listener).
    /// `fileLimit` runs it under `ulimit -n` through /bin/sh; `config` is written to a file and passed
    /// with `--config`.
    init(
        mode: String, root: String = DocumentRoot.shared.root, listeners: Int = 1, config: String? = nil,
        fileLimit: Int? = nil, extraArguments: [String] = [], startTimeout: Double = 15
    ) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw HarnessError("\(Self.binary) is missing: build first (`swift build` or `make test`)")
        }
        self.mode = mode
        var arguments = ["--root", root, "--mode", mode, "--access-log", "off"]
        for index in 0..<listeners { arguments += ["--listen", "127.0.0.\(index + 1):0"] }
        if let config {
            let file = DocumentRoot.shared.scratch + "/config-\(UUID().uuidString).toml"
            try config.write(toFile: file, atomically: true, encoding: .utf8)
            arguments += ["--config", file]
        }
        arguments += extraArguments
        let process = Process()
        if let fileLimit {
            // `exec` keeps the PID: signals sent to the child reach spindle itself.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(fileLimit) && exec \"$0\" \"$@\"", Self.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = arguments
        }
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

        guard let line = errors.waitForLine(containing: "spindle: listening on ", timeout: startTimeout) else {
            if process.isRunning { Glibc.kill(pid, SIGKILL) }
            let status = exited.wait(timeout: .now() + 5) == .success ? "\(process.terminationStatus)" : "?"
            throw HarnessError("no start-up line from spindle \(arguments) (exit \(status)); stderr:\n\(errors.text)")
        }
        startLine = line
        ports = Self.ports(in: line)
        guard ports.count == listeners else {
            Glibc.kill(pid, SIGKILL)
            throw HarnessError("cannot read \(listeners) port(s) from start-up line: \(line)")
        }
    }

    deinit { kill() }

    /// Everything the server wrote on stderr so far.
    var stderr: String { errors.text }

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
