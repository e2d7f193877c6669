/// Everything `spindle compare` can be told. The defaults are the fixed workload of the issue.
public struct CompareOptions: Sendable {
    /// Measured seconds per step (after `warmup`).
    public var duration: Double = 5
    public var warmup: Double = 0.5
    /// Concurrency levels: connections held open by the load generator.
    public var connections: [Int] = [1, 16, 64, 256, 1024]
    /// Directory for compare.csv, compare.json and compare.svg (created if missing).
    public var output: String = "compare-results"
    /// The port on 127.0.0.1 every model listens on, one after the other.
    public var port: UInt16 = 18080
    /// The site to serve; nil: a generated one with a 1 KiB `/small.html` and a 1 MiB `/large.bin`.
    public var root: String?
    /// The small file's URL path; nil: `/small.html` in the generated site, `/index.html` otherwise.
    public var small: String?
    /// The large file's URL path; nil: `/large.bin` in the generated site, no large-file step otherwise.
    public var large: String?
    /// Serving models, in order: a `--mode`, or `workers` (the event loop with `--workers auto`).
    public var modes: [String] = ["event-loop", "threads", "workers"]
    public var variants: [CompareVariant] = CompareVariant.allCases
    public var requestTimeout: Double = 10
    /// The server to start instead of this executable: `{port}`, `{mode}` and `{root}` in any argument
    /// are replaced. With it, `readyMarker` nil means "ready once the port accepts a connection".
    public var serverCommand: [String]?
    /// A stderr line containing this text means the server is ready.
    public var readyMarker: String? = "spindle: listening on"
    public var readyTimeout: Double = 10
    /// Print the progress lines (stderr) and the table (stdout).
    public var verbose = true

    public init() {}

    /// The highest level accepted; RLIMIT_NOFILE is raised to fit.
    public static let maximumConnections = 50_000

    /// Parses "1,16,64" into levels (positive, at most `maximumConnections`, duplicates dropped, sorted).
    public static func parseConnections(_ text: String) throws(CompareError) -> [Int] {
        var levels: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingSpaces
            guard let level = Int(trimmed), level >= 1, level <= maximumConnections else {
                throw CompareError("--connections: '\(trimmed)' is not a number from 1 to \(maximumConnections)")
            }
            if !levels.contains(level) { levels.append(level) }
        }
        return levels.sorted()
    }

    /// Parses "keep-alive-large,close-small" into variants (in the order given, duplicates dropped).
    public static func parseVariants(_ text: String) throws(CompareError) -> [CompareVariant] {
        var variants: [CompareVariant] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(part.trimmingSpaces)
            guard let variant = CompareVariant(rawValue: name) else {
                let known = CompareVariant.allCases.map(\.rawValue).joined(separator: ", ")
                throw CompareError("'\(name)' is not one of \(known)")
            }
            if !variants.contains(variant) { variants.append(variant) }
        }
        return variants
    }

    /// Checks what parsing alone cannot.
    public func validate() throws(CompareError) {
        guard duration > 0 else { throw CompareError("--duration must be positive") }
        guard !connections.isEmpty else { throw CompareError("--connections: no levels") }
        guard port != 0 else { throw CompareError("--port must be 1-65535") }
        guard !modes.isEmpty, !variants.isEmpty else { throw CompareError("nothing to measure") }
        for path in [small, large].compactMap({ $0 }) where !path.hasPrefix("/") {
            throw CompareError("file paths are URL paths and start with /: \(path)")
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
