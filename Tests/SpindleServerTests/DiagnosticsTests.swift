import SpindleServer
import Synchronization
import Testing

@Suite struct DiagnosticsTests {
    /// A `Diagnostics` whose lines are kept for inspection.
    private final class Capture: Sendable {
        private final class Lines: Sendable {
            let storage = Mutex<[String]>([])
        }
        private let lines: Lines
        let diagnostics: Diagnostics

        init(level: LogLevel) {
            let lines = Lines()
            self.lines = lines
            diagnostics = Diagnostics(level: level) { line in lines.storage.withLock { $0.append(line) } }
        }

        var captured: [String] { lines.storage.withLock { $0 } }
    }

    @Test func linesAreLabelledByLevel() {
        #expect(Diagnostics.line(.error, "port in use") == "spindle: error: port in use\n")
        #expect(Diagnostics.line(.warn, "slow disk") == "spindle: warning: slow disk\n")
        #expect(
            Diagnostics.line(.info, "listening on http://127.0.0.1:8080")
                == "spindle: listening on http://127.0.0.1:8080\n")
        #expect(Diagnostics.line(.debug, "accepted") == "spindle: debug: accepted\n")
    }

    @Test func controlCharactersAreEscaped() {
        #expect(
            Diagnostics.line(.warn, "bad\r\nspindle: forged\u{1B}[0m")
                == "spindle: warning: bad\\x0D\\x0Aspindle: forged\\x1B[0m\n")
        #expect(Diagnostics.line(.info, "café") == "spindle: café\n")
    }

    @Test func levelFilters() {
        let capture = Capture(level: .warn)
        let diagnostics = capture.diagnostics
        diagnostics.error("e")
        diagnostics.warning("w")
        diagnostics.info("i")
        diagnostics.debug("d")
        #expect(capture.captured == ["spindle: error: e\n", "spindle: warning: w\n"])
        #expect(diagnostics.isEnabled(.error) && !diagnostics.isEnabled(.info))
        diagnostics.setLevel(.debug)
        #expect(diagnostics.level == .debug)
        diagnostics.debug("d")
        #expect(capture.captured.last == "spindle: debug: d\n")
    }

    @Test func messagesAreOnlyBuiltWhenShown() {
        let capture = Capture(level: .error)
        var built = false
        capture.diagnostics.debug(
            {
                built = true
                return "expensive"
            }())
        #expect(!built)
    }

    @Test func rateLimitedMessagesCountWhatTheySuppress() {
        let capture = Capture(level: .info)
        let diagnostics = capture.diagnostics
        #expect(diagnostics.logLimited(.error, key: "emfile", now: 100, every: 60, "too many open files"))
        #expect(!diagnostics.logLimited(.error, key: "emfile", now: 101, every: 60, "too many open files"))
        #expect(!diagnostics.logLimited(.error, key: "emfile", now: 159, every: 60, "too many open files"))
        #expect(diagnostics.logLimited(.warn, key: "other", now: 101, "another event"))
        #expect(diagnostics.logLimited(.error, key: "emfile", now: 160, every: 60, "too many open files"))
        #expect(
            capture.captured == [
                "spindle: error: too many open files\n",
                "spindle: warning: another event\n",
                "spindle: error: too many open files (2 similar messages suppressed)\n",
            ])
    }

    @Test func logOnce() {
        let capture = Capture(level: .info)
        for second in 0..<5 {
            capture.diagnostics.logLimited(.warn, key: "once", now: second * 1000, every: .max, "only once")
        }
        #expect(capture.captured == ["spindle: warning: only once\n"])
    }

    @Test func rateLimitingRespectsTheLevel() {
        let capture = Capture(level: .error)
        #expect(!capture.diagnostics.logLimited(.debug, key: "k", now: 0, "hidden"))
        #expect(capture.captured.isEmpty)
    }

    @Test func levelOrder() {
        #expect(LogLevel.error < LogLevel.warn && LogLevel.warn < LogLevel.info && LogLevel.info < LogLevel.debug)
        #expect(LogLevel.info.shows(.warn) && !LogLevel.warn.shows(.info))
    }
}
