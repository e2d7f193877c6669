import HTTP1
import Posix

/// What a serving loop tells the rest of the process, and asks of it. Closures rather than a
/// protocol: there is one implementation, wired in `ServerRunner`; tests may leave them out.
public struct ServerHooks: Sendable {
    /// One access-log line per response. `head` is nil when the request could not be parsed;
    /// `socket` is the client's descriptor (for its address, looked up only when the log is on).
    public var logRequest:
        (
            @Sendable (
                _ socket: Int32, _ head: RequestHead?, _ request: UnsafeRawBufferPointer, _ response: Response,
                _ now: Int64
            ) -> Void
        )?
    /// SIGHUP: re-read the configuration; returns the new responder and settings, or nil to keep the old.
    public var reload: (@Sendable () -> (Responder, ServerSettings)?)?
    /// SIGUSR1: reopen log files.
    public var reopenLogs: (@Sendable () -> Void)?
    /// About once a second with the wall-clock time and live counters (log flush, watchdog, status).
    public var tick: (@Sendable (_ now: Int64, _ connections: Int, _ requests: Int) -> Void)?
    /// Serving has started / is stopping (systemd notifications).
    public var ready: (@Sendable () -> Void)?
    public var stopping: (@Sendable () -> Void)?
    /// A diagnostic line for stderr.
    public var warn: (@Sendable (String) -> Void)?

    public init() {}
}
