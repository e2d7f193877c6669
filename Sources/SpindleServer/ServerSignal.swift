import Glibc

/// What the signals a server handles ask of it, in both serving modes.
enum ServerSignal {
    /// SIGTERM, SIGINT: stop accepting, finish in-flight responses, exit.
    case drain
    /// SIGHUP: re-read the configuration (not while draining).
    case reload
    /// SIGUSR1: reopen log files.
    case reopenLogs

    static let handled: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGUSR1]

    init?(_ number: Int32) {
        switch number {
        case SIGTERM, SIGINT: self = .drain
        case SIGHUP: self = .reload
        case SIGUSR1: self = .reopenLogs
        default: return nil
        }
    }
}
