import Glibc
import Posix

/// Number formatting for the report without Foundation (and without the C printf family, which
/// Swift cannot call): fixed decimals, thousands, units.
enum ReportFormat {
    /// `value` with `digits` decimals ("12.35"); non-finite values print as "0".
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return String(Int64(value)) }
        let units = Int64(scaled)
        let divisor = Int64(scale)
        let whole = units / divisor
        var text = (value < 0 && units != 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let fraction = String(units % divisor)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return text
    }

    /// Nanoseconds as milliseconds with three significant decimals' worth of precision ("0.412 ms").
    static func milliseconds(_ nanoseconds: Int64) -> String {
        let ms = Double(nanoseconds) / 1e6
        return fixed(ms, ms < 10 ? 3 : ms < 100 ? 2 : 1) + " ms"
    }

    /// Bytes as MB ("12.3 MB", decimal megabytes like `wrk`).
    static func megabytes(_ bytes: Int) -> String { fixed(Double(bytes) / 1e6, 1) + " MB" }

    /// Short axis labels: 950, 1.5k, 12k, 1.2M.
    static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e6 { return trimmed(fixed(value / 1e6, magnitude >= 1e7 ? 0 : 1)) + "M" }
        if magnitude >= 1e3 { return trimmed(fixed(value / 1e3, magnitude >= 1e4 ? 0 : 1)) + "k" }
        if magnitude >= 10 || magnitude == 0 { return fixed(value, 0) }
        if magnitude >= 1 { return trimmed(fixed(value, 1)) }
        return trimmed(fixed(value, 3))
    }

    /// "1.50" → "1.5", "2.0" → "2".
    static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var text = Substring(text)
        while text.last == "0" { text.removeLast() }
        if text.last == "." { text.removeLast() }
        return String(text)
    }

    /// Writes all of `text` to stdout or stderr; a stream the parent closed loses the text.
    static func write(_ text: String, to stream: StandardStream) {
        var text = text
        text.withUTF8 { try? stream.writeAll(UnsafeRawBufferPointer($0)) }
    }
}
