/// Command-line flags that win over the configuration file, validated like the file's own values.
public struct CommandLineOverrides: Sendable {
    public var root: String?
    public var listen: [ListenAddress] = []
    public var mode: ServingMode?
    /// `--workers N|auto`, resolved to a count.
    public var workers: Int?
    public var accessLog: AccessLogDestination?
    /// The client-side route fallback file; "" turns it off.
    public var fallback: String?
    /// `--listing` turns listings on; without it the file decides.
    public var listing = false
    /// The health and metrics listener; "" turns it off.
    public var statusListen: String?
    /// `statusListen` parsed; nil when it is "" (off).
    private var statusListenAddress: ListenAddress?

    public init() {}

    public init(
        root: String?, listen: [String], mode: String?, accessLog: String?, fallback: String? = nil,
        workers: String? = nil, statusListen: String? = nil, listing: Bool = false
    ) throws(ConfigError) {
        self.root = root
        self.listing = listing
        for text in listen {
            do {
                self.listen.append(try ListenAddress(parsing: text))
            } catch {
                throw ConfigError(file: "command line", line: nil, key: "--listen", message: error.message)
            }
        }
        if let mode {
            guard let parsed = ServingMode(rawValue: mode) else {
                throw ConfigError(
                    file: "command line", line: nil, key: "--mode",
                    message: "expected \"event-loop\" or \"threads\", got \"\(mode)\"")
            }
            self.mode = parsed
        }
        if let workers {
            guard let count = Configuration.workerCount(parsing: workers) else {
                throw ConfigError(
                    file: "command line", line: nil, key: "--workers",
                    message:
                        "expected \"auto\" or a number from 1 to \(Configuration.maximumWorkers), got \"\(workers)\"")
            }
            self.workers = count
        }
        self.accessLog = accessLog.map(AccessLogDestination.init(configValue:))
        if let fallback {
            guard let path = fallback.isEmpty ? "" : ConfigurationReader.normalizedSitePath(fallback) else {
                throw ConfigError(
                    file: "command line", line: nil, key: "--fallback",
                    message: "'\(fallback)' is not a file under the root (like \"index.html\")")
            }
            self.fallback = path
        }
        if let statusListen, !statusListen.isEmpty {
            do {
                statusListenAddress = try ListenAddress(parsing: statusListen)
            } catch {
                throw ConfigError(file: "command line", line: nil, key: "--status-listen", message: error.message)
            }
        }
        self.statusListen = statusListen
    }

    public func apply(to configuration: inout Configuration) {
        configuration.apply(root: root, listen: listen, mode: mode)
        if let workers { configuration.workers = workers }
        if let accessLog { configuration.accessLog = accessLog }
        if let fallback { configuration.fallback = fallback }
        if listing { configuration.listing = true }
        if statusListen != nil { configuration.statusListen = statusListenAddress }
    }
}
