import HTTP1
import Posix
import TOML

/// Every setting Spindle runs with: the defaults, overridden by the configuration file, overridden
/// by command-line flags.
///
/// `load(path:)`, `parse(_:file:)` and `apply(root:listen:mode:)` only produce valid values. The
/// fields stay settable so that tests and tools can adjust one thing; code that sets them directly
/// is trusted to stay inside the documented ranges (docs/configuration.md).
public struct Configuration: Sendable, Equatable {
    /// Directory served; relative paths are relative to the working directory.
    public var root: String
    /// Never empty, no duplicates.
    public var listen: [ListenAddress]
    /// The health and metrics listener (`/healthz`, `/metrics`); nil for none. Never one of `listen`.
    public var statusListen: ListenAddress? = nil
    public var mode: ServingMode
    /// Event-loop processes under a supervisor; 1 is a single process and no supervisor.
    public var workers: Int
    /// File names tried, in order, for a request naming a directory. May be empty.
    public var index: [String]
    public var dotfiles: DotfilePolicy
    public var timeouts: Timeouts
    public var limits: Limits
    /// Stack size of each connection thread in `threads` mode, in bytes.
    public var threadStackSize: Int
    public var accessLog: AccessLogDestination
    public var accessLogFormat: AccessLogFormat
    public var logLevel: LogLevel
    /// Media type by file extension (lower-case, without the dot), on top of the built-in table.
    public var mimeOverrides: [String: String]
    /// Extra fields added to every response, in file order.
    public var headers: [Header]
    /// Precompressed variants served, in the server's order of preference; empty turns them off.
    public var precompressed: [ContentCoding]
    /// `cache`, `cache_max_age` and `[[cache_rules]]`.
    public var cachePolicy: CachePolicy
    /// Status code → file under the root (relative, no leading `/`).
    public var errorPages: [Int: String]
    /// File under the root for client-side routes (relative); empty for none.
    public var fallback: String
    public var cors: CORSPolicy
    /// Listings of directories without an index file.
    public var listing: Bool
    /// Most entries a listing shows (1 to 1,000,000).
    public var listingMaxEntries: Int

    public init(
        root: String = "public",
        listen: [ListenAddress] = Configuration.defaultListen,
        mode: ServingMode = .eventLoop,
        workers: Int = 1,
        index: [String] = ["index.html"],
        dotfiles: DotfilePolicy = .deny,
        timeouts: Timeouts = Timeouts(),
        limits: Limits = Limits(),
        threadStackSize: Int = 256 * 1024,
        accessLog: AccessLogDestination = .standardOutput,
        accessLogFormat: AccessLogFormat = .combined,
        logLevel: LogLevel = .info,
        mimeOverrides: [String: String] = [:],
        headers: [Header] = [],
        precompressed: [ContentCoding] = [.br, .zstd, .gzip],
        cachePolicy: CachePolicy = CachePolicy(),
        errorPages: [Int: String] = [404: "404.html"],
        fallback: String = "",
        cors: CORSPolicy = CORSPolicy(),
        listing: Bool = false,
        listingMaxEntries: Int = 10_000
    ) {
        self.root = root
        self.listen = listen
        self.mode = mode
        self.workers = workers
        self.index = index
        self.dotfiles = dotfiles
        self.timeouts = timeouts
        self.limits = limits
        self.threadStackSize = threadStackSize
        self.accessLog = accessLog
        self.accessLogFormat = accessLogFormat
        self.logLevel = logLevel
        self.mimeOverrides = mimeOverrides
        self.headers = headers
        self.precompressed = precompressed
        self.cachePolicy = cachePolicy
        self.errorPages = errorPages
        self.fallback = fallback
        self.cors = cors
        self.listing = listing
        self.listingMaxEntries = listingMaxEntries
    }

    public static let `default` = Configuration()

    /// `127.0.0.1:8080`, built without parsing so that the default cannot fail.
    public static var defaultListen: [ListenAddress] {
        [ListenAddress(uncheckedHost: "127.0.0.1", port: 8080, family: .ipv4)]
    }

    public static let maximumWorkers = 1024

    /// `"auto"` (the online CPUs) or a count from 1 to `maximumWorkers`; nil for anything else.
    public static func workerCount(parsing text: String) -> Int? {
        if text == "auto" { return min(maximumWorkers, ChildProcesses.onlineProcessors) }
        guard let count = Int(text), (1...maximumWorkers).contains(count) else { return nil }
        return count
    }

    /// Why `workers` and `mode` cannot go together, or nil when they can.
    var workersConflict: String? {
        guard workers > 1, mode == .threads else { return nil }
        return "\(workers) workers need mode \"event-loop\" (each worker is one event loop); "
            + "mode \"threads\" serves from one process"
    }

    /// Reads and validates a configuration file; keys it leaves out keep their defaults.
    public static func load(path: String) throws(ConfigError) -> Configuration {
        try read(ConfigFile.read(path: path), file: path)
    }

    /// Validates configuration text; `file` only names the source in errors.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> Configuration {
        try read(Array(text.utf8), file: file)
    }

    private static func read(_ bytes: [UInt8], file: String) throws(ConfigError) -> Configuration {
        let document: TOMLDocument
        do { document = try TOMLDocument(bytes: bytes, file: file) } catch { throw ConfigError(error) }
        return try ConfigurationReader(file: file).read(document.root)
    }

    /// Applies command-line flags, which win over the file. `nil` or an empty `listen` leaves the
    /// setting alone, so the caller can pass its options through unconditionally.
    public mutating func apply(root: String? = nil, listen: [ListenAddress] = [], mode: ServingMode? = nil) {
        if let root, !root.isEmpty { self.root = root }
        if !listen.isEmpty {
            // Repeating a flag is harmless; binding the same address twice is not.
            var unique: [ListenAddress] = []
            for address in listen where !unique.contains(address) { unique.append(address) }
            self.listen = unique
        }
        if let mode { self.mode = mode }
    }
}
