/// Severity of a diagnostic message; a configured level shows itself and everything more severe.
public enum LogLevel: String, Sendable, Hashable, CaseIterable, Comparable {
    case error
    case warn
    case info
    case debug

    /// Lower is more severe.
    private var rank: Int {
        switch self {
        case .error: 0
        case .warn: 1
        case .info: 2
        case .debug: 3
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rank < rhs.rank
    }

    /// Whether a message at `level` is shown when this is the configured level.
    public func shows(_ level: LogLevel) -> Bool {
        level.rank <= rank
    }
}
