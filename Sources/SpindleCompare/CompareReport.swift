import Glibc
import Posix

/// The results of a run, rendered: a terminal table, CSV, JSON and an SVG chart, all written by
/// hand (no Foundation in this target).
public struct CompareReport: Sendable {
    public var results: [StepResult]
    public var options: CompareOptions

    public init(results: [StepResult], options: CompareOptions) {
        self.results = results
        self.options = options
    }

    /// What `--workers auto` means on this machine.
    var onlineCPUs: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Modes and variants in the order they first appear.
    var modes: [String] { unique(results.map(\.mode)) }
    var variants: [CompareVariant] { CompareVariant.allCases.filter { v in results.contains { $0.variant == v } } }
    var levels: [Int] { unique(results.map(\.connections)).sorted() }

    /// Rows grouped by variant, then level, the modes side by side for comparison.
    var ordered: [StepResult] {
        let modeOrder = modes
        return results.sorted {
            let a = (variants.firstIndex(of: $0.variant) ?? 0, $0.connections, modeOrder.firstIndex(of: $0.mode) ?? 0)
            let b = (variants.firstIndex(of: $1.variant) ?? 0, $1.connections, modeOrder.firstIndex(of: $1.mode) ?? 0)
            return a < b
        }
    }

    // MARK: Table

    public func table() -> String {
        let header = [
            "variant", "mode", "conns", "req/s", "MB/s", "p50", "p99", "p99.9", "errors", "peak RSS", "threads",
            "CPU s", "gen CPU s",
        ]
        var rows: [[String]] = []
        for step in ordered {
            let load = step.load
            rows.append([
                step.variant.rawValue, step.mode, String(step.connections),
                ReportFormat.fixed(load.requestsPerSecond, 0),
                ReportFormat.fixed(load.bytesPerSecond / 1e6, 1),
                ReportFormat.milliseconds(load.latency.percentile(50)),
                ReportFormat.milliseconds(load.latency.percentile(99)),
                ReportFormat.milliseconds(load.latency.percentile(99.9)), String(load.errors.total),
                ReportFormat.megabytes(step.peakResidentBytes), String(step.maxThreads),
                ReportFormat.fixed(step.cpuSeconds, 2), ReportFormat.fixed(step.generatorCPUSeconds, 2),
            ])
        }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        // Text columns align left, numbers right.
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                return i < 2 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        var text = line(header) + "\n" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        var previous: CompareVariant?
        for (step, row) in zip(ordered, rows) {
            if let previous, previous != step.variant { text += "\n" }
            previous = step.variant
            text += line(row) + "\n"
        }
        let notes = ordered.compactMap { step in
            step.note.map { "note: \(step.mode) \(step.variant.rawValue) c=\(step.connections): \($0)" }
        }
        return text + (notes.isEmpty ? "" : notes.joined(separator: "\n") + "\n")
    }

    // MARK: CSV

    public static let csvHeader =
        "mode,variant,path,connections,requests,seconds,requests_per_second,bytes_per_second,"
        + "p50_us,p99_us,p999_us,max_us,mean_us,errors,connect_errors,status_errors,reset_errors,"
        + "timeout_errors,protocol_errors,peak_rss_bytes,max_threads,cpu_seconds,generator_cpu_seconds,note"

    public func csv() -> String {
        var text = Self.csvHeader + "\n"
        for step in ordered {
            let load = step.load
            let errors = load.errors
            let fields: [String] = [
                csvField(step.mode), step.variant.rawValue, csvField(step.path), String(step.connections),
                String(load.requests), ReportFormat.fixed(load.seconds, 3),
                ReportFormat.fixed(load.requestsPerSecond, 1),
                ReportFormat.fixed(load.bytesPerSecond, 0), micros(load.latency.percentile(50)),
                micros(load.latency.percentile(99)), micros(load.latency.percentile(99.9)),
                micros(load.latency.maximum),
                ReportFormat.fixed(load.latency.mean / 1e3, 1), String(errors.total), String(errors.connect),
                String(errors.status), String(errors.reset), String(errors.timeout), String(errors.protocolViolation),
                String(step.peakResidentBytes), String(step.maxThreads), ReportFormat.fixed(step.cpuSeconds, 3),
                ReportFormat.fixed(step.generatorCPUSeconds, 3),
                csvField(step.note ?? ""),
            ]
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    private func micros(_ nanoseconds: Int64) -> String { ReportFormat.fixed(Double(nanoseconds) / 1e3, 1) }

    /// RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled.
    private func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    // MARK: JSON

    public func json() -> String {
        var text = "{\n"
        text += "  \"tool\": \"spindle compare\",\n"
        text += "  \"durationSeconds\": \(number(options.duration)),\n"
        text += "  \"warmupSeconds\": \(number(options.warmup)),\n"
        text += "  \"port\": \(options.port),\n"
        text += "  \"onlineCPUs\": \(onlineCPUs),\n"
        text += "  \"connections\": [\(levels.map(String.init).joined(separator: ", "))],\n"
        text += "  \"modes\": [\(modes.map(jsonString).joined(separator: ", "))],\n"
        text += "  \"results\": ["
        for (index, step) in ordered.enumerated() {
            let load = step.load
            let errors = load.errors
            let latency = load.latency
            text += index == 0 ? "\n" : ",\n"
            text += "    {\"mode\": \(jsonString(step.mode)), \"variant\": \(jsonString(step.variant.rawValue)), "
            text += "\"path\": \(jsonString(step.path)), \"connections\": \(step.connections),\n"
            text += "     \"requests\": \(load.requests), \"seconds\": \(number(load.seconds)), "
            text += "\"requestsPerSecond\": \(number(load.requestsPerSecond)), "
            text += "\"bytesPerSecond\": \(number(load.bytesPerSecond)),\n"
            text += "     \"latencyMicroseconds\": {\"p50\": \(number(Double(latency.percentile(50)) / 1e3)), "
            text += "\"p99\": \(number(Double(latency.percentile(99)) / 1e3)), "
            text += "\"p999\": \(number(Double(latency.percentile(99.9)) / 1e3)), "
            text += "\"max\": \(number(Double(latency.maximum) / 1e3)), \"mean\": \(number(latency.mean / 1e3))},\n"
            text += "     \"errors\": {\"total\": \(errors.total), \"connect\": \(errors.connect), "
            text += "\"status\": \(errors.status), \"reset\": \(errors.reset), \"timeout\": \(errors.timeout), "
            text += "\"protocol\": \(errors.protocolViolation)},\n"
            text += "     \"peakRSSBytes\": \(step.peakResidentBytes), \"maxThreads\": \(step.maxThreads), "
            text += "\"cpuSeconds\": \(number(step.cpuSeconds)), "
            text += "\"generatorCPUSeconds\": \(number(step.generatorCPUSeconds)), "
            text += "\"note\": \(step.note.map(jsonString) ?? "null")}"
        }
        text += results.isEmpty ? "]\n}\n" : "\n  ]\n}\n"
        return text
    }

    private func number(_ value: Double) -> String { ReportFormat.trimmed(ReportFormat.fixed(value, 3)) }

    private func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    // MARK: Files

    /// Writes compare.csv, compare.json and compare.svg into `directory` (created, with its
    /// parents, if missing); returns their paths.
    @discardableResult
    public func write(to directory: String) throws(CompareError) -> [String] {
        try Self.makeDirectories(directory)
        var written: [String] = []
        for (name, text) in [("compare.csv", csv()), ("compare.json", json()), ("compare.svg", svg())] {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            try CompareFixture.write(Array(text.utf8), to: path)
            written.append(path)
        }
        return written
    }

    static func makeDirectories(_ path: String) throws(CompareError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw CompareError("cannot create \(prefix): \(Errno.current("mkdir"))")
            }
        }
    }
}

private func unique<T: Equatable>(_ items: [T]) -> [T] {
    var seen: [T] = []
    for item in items where !seen.contains(item) { seen.append(item) }
    return seen
}
