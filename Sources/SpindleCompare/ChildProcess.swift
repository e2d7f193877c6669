import Glibc
import Posix

/// The server under test, as a child process: spawned with posix_spawn, stdin and stdout on
/// /dev/null, stderr on a pipe that is read for the readiness line and then drained (a server that
/// logs under load must never block on a full pipe).
public final class ChildProcess {
    public typealias Termination = ChildProcesses.Termination

    public let pid: pid_t
    public let command: [String]
    private let errorPipe: Int32
    private var pendingLine: [UInt8] = []
    /// The last lines the child wrote on stderr (at most 40), for diagnostics.
    public private(set) var recentLines: [String] = []
    private var linesRead = 0
    public private(set) var termination: Termination?

    /// Starts `command[0]` (an absolute or relative path, not searched in PATH) with the other
    /// elements as arguments and this process's environment.
    public init(_ command: [String]) throws(CompareError) {
        guard let executable = command.first else { throw CompareError("no server command") }
        self.command = command
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw CompareError("pipe: \(Errno.current("pipe"))") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)

        let child: pid_t
        do {
            child = try ChildProcesses.spawn(
                executable, arguments: command, environment: ChildProcesses.environment,
                descriptors: [
                    .open(0, path: "/dev/null", flags: O_RDONLY), .open(1, path: "/dev/null", flags: O_WRONLY),
                    .duplicate(writeEnd, onto: 2),
                ])
        } catch {
            close(writeEnd)
            close(readEnd)
            throw CompareError("cannot start \(executable): \(error)")
        }
        close(writeEnd)
        pid = child
        errorPipe = readEnd
        _ = fcntl(readEnd, F_SETFL, O_NONBLOCK)
    }

    deinit {
        if termination == nil { _ = stop(grace: 2) }
        close(errorPipe)
    }

    /// Waits until a line on stderr contains `marker` (or, with no marker, until `probe` accepts a
    /// TCP connection), the child exits, or `timeout` seconds pass. Returns the readiness line.
    @discardableResult
    public func waitUntilReady(marker: String?, probe: SocketAddress? = nil, timeout: Double = 10) throws(CompareError)
        -> String
    {
        let deadline = MonotonicClock.nanoseconds() + Int64(timeout * 1e9)
        var seen = linesRead
        while true {
            if let marker {
                let fresh = min(linesRead - seen, recentLines.count)
                seen = linesRead
                for line in recentLines.suffix(fresh) where line.contains(marker) { return line }
            } else if let probe, (try? FileDescriptor.connect(to: probe)) != nil {
                return "accepting connections on \(probe)"
            }
            if let termination = poll() {
                throw CompareError("\(command[0]) exited before it was ready (\(termination))\(tail)")
            }
            let left = deadline - MonotonicClock.nanoseconds()
            if left <= 0 { throw CompareError("\(command[0]) not ready after \(timeout) s\(tail)") }
            var output = Poll()
            output.add(errorPipe)
            _ = try? output.wait(timeoutMilliseconds: Int32(min(left / 1_000_000 + 1, 20)))
            drainOutput()
        }
    }

    /// Reads whatever the child has written to stderr so far, keeping the last lines.
    public func drainOutput() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(errorPipe, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            for byte in buffer[..<n] {
                if byte == UInt8(ascii: "\n") {
                    recentLines.append(String(decoding: pendingLine, as: UTF8.self))
                    linesRead += 1
                    pendingLine.removeAll(keepingCapacity: true)
                    if recentLines.count > 40 { recentLines.removeFirst(recentLines.count - 40) }
                } else if pendingLine.count < 4096 {
                    pendingLine.append(byte)
                }
            }
        }
    }

    /// The termination, if the child has ended (reaping it); nil while it runs.
    @discardableResult
    public func poll() -> Termination? {
        if let termination { return termination }
        termination = ChildProcesses.reap(pid, blocking: false)
        return termination
    }

    /// SIGTERM, then SIGKILL if the child has not ended within `grace` seconds; reaps it.
    @discardableResult
    public func stop(grace: Double = 5) -> Termination {
        if let termination = poll() { return termination }
        ChildProcesses.signal(pid, SIGTERM)
        let deadline = MonotonicClock.nanoseconds() + Int64(grace * 1e9)
        while MonotonicClock.nanoseconds() < deadline {
            drainOutput()
            if let termination = poll() { return termination }
            var pause = timespec(tv_sec: 0, tv_nsec: 5_000_000)
            nanosleep(&pause, nil)
        }
        ChildProcesses.signal(pid, SIGKILL)
        // Our own child, killed: the blocking wait returns it (ECHILD only if it was reaped already).
        let termination = ChildProcesses.reap(pid, blocking: true) ?? .signaled(SIGKILL)
        self.termination = termination
        return termination
    }

    private var tail: String {
        drainOutput()
        return recentLines.isEmpty ? "" : "; its last output:\n" + recentLines.suffix(10).joined(separator: "\n")
    }
}
