import Glibc
import Posix

/// From a configuration to a running server: binds (or adopts systemd's sockets), builds the site,
/// wires logs, signals and systemd notifications to the chosen serving mode, and returns the exit status.
public enum ServerRunner {
    public static func run(configPath: String?, overrides: CommandLineOverrides) -> Int32 {
        let source = ConfigurationSource(path: configPath, overrides: overrides)
        guard let configuration = startupStep(nil, source.load) else { return 1 }
        let diagnostics = Diagnostics(level: configuration.logLevel)
        // Every connection needs a descriptor; the soft limit is often far below the hard one.
        DescriptorLimit.raise(to: DescriptorLimit.current().hard)
        // A worker takes its listeners from its supervisor; anyone else from systemd, or binds them.
        var link: WorkerLink?
        guard
            var listeners = startupStep(
                nil,
                { () throws -> [Listener] in
                    if let handoff = try WorkerHandoff.inherited() {
                        let (adopted, sockets) = try WorkerLink.adopt(handoff)
                        link = adopted
                        return sockets
                    }
                    return try SocketActivation.adoptListeners() ?? Listener.bind(configuration.listen)
                })
        else { return 1 }
        let urls = listeners.map(\.address).joined(separator: ", ")
        let description = "\(configuration.mode.rawValue), root \(absolutePath(configuration.root))"
        // Accepted sockets inherit TCP_NODELAY from the listener: one setsockopt instead of one per
        // connection. A worker's listeners are its supervisor's, which set it once for all.
        if link == nil { for listener in listeners { try? listener.socket.setNoDelay() } }
        if link == nil && configuration.workers > 1 {
            return supervise(
                configuration, &listeners, source, diagnostics,
                startLine: "spindle: listening on \(urls) (\(description), \(configuration.workers) workers)")
        }
        guard let responder = startupStep("root \(configuration.root)", { try Responder(site: Site(configuration)) }),
            let log = startupStep("access log", { try AccessLog(configuration, diagnostics: diagnostics) })
        else { return 1 }
        // A worker counts in its slot of its supervisor's region, and answers on its status listener.
        guard
            let counters = startupStep(
                "counters",
                {
                    try link?.counters
                        ?? ServerCounters.local(
                            concurrent: configuration.mode == .threads, startTime: WallClock.seconds())
                }),
            let statusListener = startupStep(
                "status_listen",
                { try link.map(\.statusListener) ?? configuration.statusListen.map { try Listener.bind([$0])[0] } })
        else { return 1 }
        let status = statusListener.map { _ in
            StatusResponder(counters: counters, version: spindleVersion, mode: configuration.mode.rawValue)
        }
        let logs = LiveAccessLog(log, diagnostics: diagnostics)
        let notifier = SystemdNotifier()
        let reloader = Reloader(
            source: source, startup: configuration, logs: logs, notifier: notifier, diagnostics: diagnostics)
        var hooks = ServerHooks(logs: logs, reloader: reloader, notifier: notifier, diagnostics: diagnostics)
        if let link {
            hooks = link.wire(hooks)  // its supervisor says when all are listening
        } else {
            printError("spindle: listening on \(urls) (\(description))")
            if let statusListener { printError("spindle: health and metrics on \(statusListener.address)") }
        }
        let exitStatus = startupStep(nil) {
            try serve(
                configuration.mode, &listeners, responder, ServerSettings(configuration), hooks,
                StatusWiring(counters: counters, listener: statusListener, responder: status))
        }
        logs.log.flush()
        return exitStatus ?? 1
    }

    /// `workers > 1`: the workers build the site and open the log; trying both here first reports a
    /// bad root or log path once, before any worker starts. Then the supervisor runs.
    private static func supervise(
        _ configuration: Configuration, _ listeners: inout [Listener], _ source: ConfigurationSource,
        _ diagnostics: Diagnostics, startLine: String
    ) -> Int32 {
        guard startupStep("root \(configuration.root)", { _ = try Responder(site: Site(configuration)) }) != nil,
            startupStep("access log", { _ = try AccessLog(configuration, diagnostics: diagnostics) }) != nil,
            let statusListener = startupStep(
                "status_listen", { try configuration.statusListen.map { try Listener.bind([$0])[0] } })
        else { return 1 }
        var startLines = [startLine]
        if let statusListener { startLines.append("spindle: health and metrics on \(statusListener.address)") }
        let status = startupStep(nil) { () throws(Errno) -> Int32 in
            let supervisor = try Supervisor(
                workers: configuration.workers, listeners: listeners, statusListener: statusListener, source: source,
                configuration: configuration, diagnostics: diagnostics, startLines: startLines)
            listeners = []  // the supervisor alone holds them now, so a drain really closes them
            return try supervisor.run()
        }
        return status ?? 1
    }

    /// Runs one step of the start-up; a failure prints `spindle: CONTEXT: error` and gives nil.
    private static func startupStep<T>(_ context: String?, _ step: () throws -> T) -> T? {
        do {
            return try step()
        } catch {
            printError("spindle: " + (context.map { "\($0): " } ?? "") + "\(error)")
            return nil
        }
    }

    /// Where the serving mode counts, and the health and metrics listener if there is one.
    private struct StatusWiring {
        var counters: ServerCounters
        var listener: Listener?
        var responder: StatusResponder?
    }

    /// Hands the listeners to the serving mode and runs it until it has drained.
    private static func serve(
        _ mode: ServingMode, _ listeners: inout [Listener], _ responder: Responder, _ settings: ServerSettings,
        _ hooks: ServerHooks, _ status: StatusWiring
    ) throws(Errno) -> Int32 {
        switch mode {
        case .eventLoop:
            let reactor = try Reactor(
                listeners: listeners, responder: responder, settings: settings, hooks: hooks,
                counters: status.counters, statusListener: status.listener, status: status.responder)
            listeners = []  // the server alone holds them now, so a drain really closes them
            return try reactor.run()
        case .threads:
            let server = try ThreadedServer(
                listeners: listeners, responder: responder, settings: settings, hooks: hooks,
                counters: status.counters, statusListener: status.listener, status: status.responder)
            listeners = []
            return try server.run()
        }
    }

    private static func absolutePath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// The version `--version` prints and `/metrics` reports.
public let spindleVersion = "0.1.0"

/// One line on stderr, unbuffered. Control characters (a key or value quoted from a hostile config
/// file) are escaped as `\xHH`, so the line stays one line and cannot drive the terminal.
public func printError(_ line: String) {
    Diagnostics.standardError(Diagnostics.escapingControlCharacters(line) + "\n")
}

extension Site {
    public init(_ configuration: Configuration) {
        self.init(
            root: configuration.root, indexFiles: configuration.index,
            dotfiles: configuration.dotfiles, mimeOverrides: configuration.mimeOverrides,
            extraHeaders: configuration.headers.map { (name: $0.name, value: $0.value) },
            errorPages: configuration.errorPages, precompressed: configuration.precompressed,
            cachePolicy: configuration.cachePolicy, fallback: configuration.fallback, cors: configuration.cors,
            listing: configuration.listing, listingMaxEntries: configuration.listingMaxEntries)
    }
}

extension AccessLog {
    public convenience init(_ configuration: Configuration, diagnostics: Diagnostics) throws(LogFileError) {
        try self.init(
            destination: configuration.accessLog, format: configuration.accessLogFormat, diagnostics: diagnostics)
    }
}

extension ServerSettings {
    public init(_ configuration: Configuration) {
        self.init()
        headTimeout = configuration.timeouts.head.nanoseconds
        keepAliveTimeout = configuration.timeouts.keepAlive.nanoseconds
        sendTimeout = configuration.timeouts.send.nanoseconds
        shutdownGrace = configuration.timeouts.shutdownGrace.nanoseconds
        shutdownDelay = configuration.timeouts.shutdownDelay.nanoseconds
        // Keep descriptors in reserve for files, logs and the listeners: a connection accepted with no
        // descriptor left to open its file would only get a 500. (Here, so a reload is capped too.)
        maxConnections = max(1, min(configuration.limits.connections, DescriptorLimit.current().soft - 32))
        parserLimits = configuration.limits.parserLimits
        maxDiscardedBody = Int64(configuration.limits.bodySize)
        threadStackSize = configuration.threadStackSize
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
