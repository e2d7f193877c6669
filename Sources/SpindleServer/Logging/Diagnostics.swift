import Posix
import Synchronization

/// Leveled messages for operators, one line each on stderr: `spindle: warning: ...`.
///
/// Info lines carry no label (`spindle: listening on ...`); the others say what they are. Control
/// characters in messages are escaped, since messages may quote paths or request data.
///
/// Thread-safe, so the serving threads and the main loop can share one instance; the level can be
/// changed on reload while they run.
public final class Diagnostics: Sendable {
    /// Receives each finished line, newline included.
    public typealias Sink = @Sendable (String) -> Void

    private let rank: Atomic<Int>
    private let sink: Sink
    private let limits = Mutex<[String: Window]>([:])

    /// Rate-limit state for one key.
    private struct Window {
        var start: Int
        var suppressed: Int
    }

    public init(level: LogLevel = .info, sink: @escaping Sink = Diagnostics.standardError) {
        rank = Atomic(LogLevel.allCases.firstIndex(of: level) ?? 2)
        self.sink = sink
    }

    public var level: LogLevel {
        LogLevel.allCases[rank.load(ordering: .relaxed)]
    }

    public func setLevel(_ level: LogLevel) {
        rank.store(LogLevel.allCases.firstIndex(of: level) ?? 2, ordering: .relaxed)
    }

    public func isEnabled(_ level: LogLevel) -> Bool {
        self.level.shows(level)
    }

    /// The message is only built when its level is shown.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard isEnabled(level) else { return }
        sink(Self.line(level, message()))
    }

    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
    public func warning(_ message: @autoclosure () -> String) { log(.warn, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }

    /// Logs at most once per `interval` seconds for `key`, for events that can repeat thousands of
    /// times a second (EMFILE on accept, a full disk under the access log). The next line logged
    /// for the key says how many were suppressed. Pass `Int.max` as the interval for "only once".
    /// Returns whether the message was logged.
    @discardableResult
    public func logLimited(
        _ level: LogLevel, key: String, now: Int, every interval: Int = 60, _ message: @autoclosure () -> String
    ) -> Bool {
        guard isEnabled(level) else { return false }
        let suppressed: Int? = limits.withLock { windows in
            if let window = windows[key], now >= window.start, now - window.start < interval {
                windows[key]?.suppressed += 1
                return nil
            }
            let suppressed = windows[key]?.suppressed ?? 0
            windows[key] = Window(start: now, suppressed: 0)
            return suppressed
        }
        guard let suppressed else { return false }
        var text = message()
        if suppressed > 0 { text += " (\(suppressed) similar messages suppressed)" }
        sink(Self.line(level, text))
        return true
    }

    /// `spindle: warning: disk full\n`, with control characters in the message escaped.
    public static func line(_ level: LogLevel, _ message: String) -> String {
        let label =
            switch level {
            case .error: "error: "
            case .warn: "warning: "
            case .info: ""
            case .debug: "debug: "
            }
        return "spindle: \(label)" + escapingControlCharacters(message) + "\n"
    }

    /// `text` with control characters as `\xHH`: one line, and nothing that drives a terminal.
    public static func escapingControlCharacters(_ text: String) -> String {
        var bytes: [UInt8] = []
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F {
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the line with as few write(2) calls as possible, so lines from threads stay whole.
    public static let standardError: Sink = { line in
        var line = line
        // Nowhere left to report a failure to report.
        line.withUTF8 { try? StandardStream.error.writeAll(UnsafeRawBufferPointer($0)) }
    }
}
