import Glibc
import HTTP1
import Posix
import Synchronization

/// The access log: one line per response, buffered and written with write(2) to a file opened
/// O_APPEND or to stdout.
///
/// Lines collect in a buffer that is written when it passes `flushThreshold`, when the caller's
/// once-a-second `flushIfDue(now:)` finds anything pending, and on `flush()` at shutdown, so a busy
/// server makes one write per 32 KiB instead of one per request, and an idle one shows lines within
/// a second. One instance is shared by every serving thread: a `Mutex` guards the buffer, which
/// costs an uncontended lock per line in event-loop mode and keeps lines whole in threads mode.
///
/// Every write(2) carries whole lines only, so that several processes (`workers`) can append to one
/// file or pipe and no line is ever torn by another's: to a regular file (opened O_APPEND) the whole
/// buffer goes in one write, which the kernel appends at once; to a pipe or terminal, which keeps
/// only writes of up to PIPE_BUF bytes whole, lines go in runs of at most that size.
///
/// When a write fails or falls short (disk full, stdout closed) the lines not written are dropped,
/// never finished by a second write, and the failure is reported through `Diagnostics`,
/// rate-limited: logging must never stop serving.
public final class AccessLog: Sendable {
    public static let flushThreshold = 32 * 1024

    public let destination: AccessLogDestination
    public let format: AccessLogFormat
    private let diagnostics: Diagnostics?
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var output: Output {
            didSet { wholeWriteLimit = output.wholeWriteLimit }
        }
        /// The most one write may carry and stay whole: looked up when the destination is set, not
        /// at every flush.
        var wholeWriteLimit: Int
        var buffer: [UInt8]
        var formatter: AccessLogFormatter
        var lastFlush = 0
        var droppedLines = 0
    }

    /// Opens the destination (a file is created 0640 if missing). `.off` gives a log that ignores
    /// `record`, so callers need no special case.
    public init(destination: AccessLogDestination, format: AccessLogFormat, diagnostics: Diagnostics? = nil)
        throws(LogFileError)
    {
        self.destination = destination
        self.format = format
        self.diagnostics = diagnostics
        let output: Output
        switch destination {
        case .off: output = .off
        case .standardOutput: output = .standardOutput
        case .file(let path): output = .file(try Self.open(path))
        }
        var buffer: [UInt8] = []
        // Room for the threshold plus a long line, so that steady-state appends never reallocate.
        buffer.reserveCapacity(destination == .off ? 0 : 2 * Self.flushThreshold)
        state = Mutex(
            State(
                output: output, wholeWriteLimit: output.wholeWriteLimit, buffer: buffer,
                formatter: AccessLogFormatter(format: format)))
    }

    // The file closes with the state.
    deinit { flush() }

    public var isEnabled: Bool { destination != .off }

    /// Records one response. Every byte field is escaped on the way in (see `AccessLogFormatter`).
    ///
    /// - Parameters:
    ///   - remote: the client address as text (`192.0.2.7`, `2001:db8::1`); empty logs `-`.
    ///   - time: seconds since the epoch, rendered in UTC.
    ///   - method, target, version: as sent; all three empty (a head that failed to parse) logs `-`.
    ///   - status: the status code sent.
    ///   - bytes: body bytes sent (not counting the head), as nginx's `$body_bytes_sent`.
    ///   - referer, userAgent: the field values, `nil` when absent.
    public func record(
        remote: UnsafeRawBufferPointer,
        time: Int,
        method: UnsafeRawBufferPointer,
        target: UnsafeRawBufferPointer,
        version: UnsafeRawBufferPointer,
        status: Int,
        bytes: Int64,
        referer: UnsafeRawBufferPointer?,
        userAgent: UnsafeRawBufferPointer?
    ) {
        guard isEnabled else { return }
        state.withLock { state in
            state.formatter.append(
                to: &state.buffer, remote: remote, time: time, method: method, target: target, version: version,
                status: status, bytes: bytes, referer: referer, userAgent: userAgent)
            if state.buffer.count >= Self.flushThreshold {
                write(&state, now: time)
            }
        }
    }

    /// Records a response to a parsed request head whose ranges point into `buffer`.
    public func record(
        head: RequestHead, in buffer: UnsafeRawBufferPointer, remote: UnsafeRawBufferPointer, time: Int,
        status: Int, bytes: Int64
    ) {
        guard isEnabled else { return }
        let version = head.version.name
        record(
            remote: remote, time: time, method: Self.slice(buffer, head.methodBytes),
            target: Self.slice(buffer, head.target),
            version: UnsafeRawBufferPointer(start: version.utf8Start, count: version.utf8CodeUnitCount),
            status: status, bytes: bytes, referer: head.referer.map { Self.slice(buffer, $0) },
            userAgent: head.userAgent.map { Self.slice(buffer, $0) })
    }

    /// Writes pending lines unless the last write was within this second; call at least once a
    /// second from the loop (and from any idle thread in threads mode).
    public func flushIfDue(now: Int) {
        guard isEnabled else { return }
        state.withLock { state in
            if !state.buffer.isEmpty && now != state.lastFlush { write(&state, now: now) }
        }
    }

    /// Writes everything pending; for shutdown and before a reopen.
    public func flush() {
        guard isEnabled else { return }
        state.withLock { state in
            if !state.buffer.isEmpty { write(&state, now: state.lastFlush) }
        }
    }

    /// Reopens a file destination by path, for logrotate (SIGUSR1, SIGHUP): pending lines go to the
    /// old file, later ones to the new. If the new open fails, logging continues to the old file.
    public func reopen() throws(LogFileError) {
        guard case .file(let path) = destination else { return }
        // An optional to take from: the lock's closure cannot consume a captured descriptor.
        var opened: FileDescriptor? = try Self.open(path)
        state.withLock { state in
            if !state.buffer.isEmpty { write(&state, now: state.lastFlush) }
            if let newFile = opened.take() { state.output = .file(newFile) }  // closes the old file
        }
    }

    // MARK: - Private

    private func write(_ state: inout State, now: Int) {
        state.lastFlush = now
        var failure: String?
        var written = 0
        let limit = state.wholeWriteLimit
        state.buffer.withUnsafeBytes { bytes in
            while written < bytes.count {
                let chunk = UnsafeRawBufferPointer(
                    rebasing: bytes[written..<Self.linesEnd(bytes, from: written, limit: limit)])
                do throws(Errno) {
                    let count = try state.output.write(chunk)
                    written += count
                    // The rest of a torn line, written later, would land after another process's lines.
                    if count < chunk.count { failure = "short write (\(count) of \(chunk.count) bytes)" }
                } catch {
                    failure = error.reason
                }
                if failure != nil { return }
            }
        }
        if let failure {
            state.droppedLines += state.buffer[written...].count(where: { $0 == UInt8(ascii: "\n") })
            let dropped = state.droppedLines
            diagnostics?.logLimited(
                .error, key: "access-log-write", now: now,
                "cannot write the access log (\(destination.configValue)): \(failure); \(dropped) lines lost so far")
        }
        state.buffer.removeAll(keepingCapacity: true)
    }

    /// Where the run of whole lines starting at `start` ends: as many lines as fit in `limit` bytes,
    /// or the one line alone if it is longer. `bytes` ends with a newline.
    static func linesEnd(_ bytes: UnsafeRawBufferPointer, from start: Int, limit: Int) -> Int {
        if bytes.count - start <= limit { return bytes.count }
        let newline = UInt8(ascii: "\n")
        if let last = bytes[start..<(start + limit)].lastIndex(of: newline) { return last + 1 }
        return bytes[(start + limit)...].firstIndex(of: newline).map { $0 + 1 } ?? bytes.count
    }

    private static func open(_ path: String) throws(LogFileError) -> FileDescriptor {
        do {
            return try FileDescriptor.open(path, flags: O_WRONLY | O_APPEND | O_CREAT, mode: 0o640)
        } catch {
            throw LogFileError(path: path, code: error.code)
        }
    }

    private static func slice(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[range])
    }
}

/// Where the log's bytes go: nowhere, the standard output it borrows, or a file it owns.
private enum Output: ~Copyable {
    case off
    case standardOutput
    case file(FileDescriptor)

    /// One write(2); would-block (a non-blocking pipe left to us) counts as a failure.
    func write(_ bytes: UnsafeRawBufferPointer) throws(Errno) -> Int {
        let written: Int?
        switch self {
        case .off: return bytes.count
        case .standardOutput: written = try StandardStream.output.write(bytes)
        case .file(let descriptor): written = try descriptor.write(bytes)
        }
        guard let written else { throw Errno(EAGAIN, "write") }
        return written
    }

    /// The most bytes one write keeps whole among other writers: any number on a regular file,
    /// PIPE_BUF on a pipe (and, to be safe, on anything else).
    var wholeWriteLimit: Int {
        let status: FileStatus?
        switch self {
        case .off: return .max
        case .standardOutput: status = try? StandardStream.output.status()
        case .file(let descriptor): status = try? descriptor.status()
        }
        return status?.isRegular == true ? .max : Int(PIPE_BUF)
    }
}
