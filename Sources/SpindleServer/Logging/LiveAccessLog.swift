import HTTP1
import Posix
import Synchronization

/// The access log the serving threads write to right now: a reload may replace it while they run.
public final class LiveAccessLog: Sendable {
    private let current: Mutex<AccessLog>
    private let diagnostics: Diagnostics

    public init(_ log: AccessLog, diagnostics: Diagnostics) {
        current = Mutex(log)
        self.diagnostics = diagnostics
    }

    public var log: AccessLog { current.withLock { $0 } }

    public func replace(with log: AccessLog) { current.withLock { $0 = log } }

    /// Reopens the file (logrotate); a failure is reported and the old file kept.
    public func reopen() {
        do { try log.reopen() } catch { diagnostics.error("access log: reopen: \(error)") }
    }

    /// One line for a response; `head` is nil when the request could not be parsed. The client's
    /// address is looked up only here, so a server without a log never asks for it.
    public func record(
        socket: Int32, head: RequestHead?, request: UnsafeRawBufferPointer, response: Response, now: Int64
    ) {
        let log = self.log
        guard log.isEnabled else { return }
        let record = { (remote: UnsafeRawBufferPointer) in
            if let head {
                log.record(
                    head: head, in: request, remote: remote, time: Int(now), status: response.status.code,
                    bytes: response.bodyLength)
            } else {
                let empty = UnsafeRawBufferPointer(start: nil, count: 0)
                log.record(
                    remote: remote, time: Int(now), method: empty, target: empty, version: empty,
                    status: response.status.code, bytes: response.bodyLength, referer: nil, userAgent: nil)
            }
        }
        if let peer = SocketAddress(peerOf: socket) {
            peer.withHostBytes(record)
        } else {
            record(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }
}
