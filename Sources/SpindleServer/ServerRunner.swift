import Glibc
import HTTP1
import Posix
import Synchronization

/// From a configuration to a running server: binds (or adopts systemd's sockets), builds the site,
/// wires logs, signals and systemd notifications to the chosen serving mode, and returns the exit status.
public enum ServerRunner {
    public static func run(configPath: String?, overrides: CommandLineOverrides) -> Int32 {
        var configuration: Configuration
        do {
            configuration = try loadConfiguration(configPath, overrides)
        } catch {
            printError("spindle: \(error.description)")
            return 1
        }
        let diagnostics = Diagnostics(level: configuration.logLevel)
        // Every connection needs a descriptor; the soft limit is often far below the hard one.
        DescriptorLimit.raise(to: DescriptorLimit.current().hard)

        var listeners: [Listener]
        do {
            listeners = try SocketActivation.adoptListeners() ?? bind(configuration.listen)
        } catch {
            printError("spindle: \(error)")
            return 1
        }
        // Accepted sockets inherit TCP_NODELAY from the listener: one setsockopt instead of one per connection.
        for listener in listeners { try? listener.socket.setNoDelay() }
        let site = Site(configuration)
        let responder: Responder
        do {
            responder = try Responder(site: site)
        } catch {
            printError("spindle: root \(configuration.root): \(error)")
            return 1
        }
        let log: AccessLog
        do {
            log = try AccessLog(
                destination: configuration.accessLog, format: configuration.accessLogFormat, diagnostics: diagnostics)
        } catch {
            printError("spindle: access log: \(error)")
            return 1
        }
        let logs = Mutex(log)
        let notifier = SystemdNotifier()
        let settings = ServerSettings(configuration)
        let startup = configuration
        let lastWatchdog = Atomic<Int64>(0)

        var hooks = ServerHooks()
        if configuration.accessLog != .off || configPath != nil {
            hooks.logRequest = { socket, head, request, response, now in
                let log = logs.withLock { $0 }
                guard log.isEnabled else { return }
                let record = { (remote: UnsafeRawBufferPointer) in
                    if let head {
                        log.record(
                            head: head, in: request, remote: remote, time: Int(now), status: response.status.code,
                            bytes: response.bodyLength)
                    } else {
                        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
                        log.record(
                            remote: remote, time: Int(now), method: empty, target: empty, version: empty,
                            status: response.status.code, bytes: response.bodyLength, referer: nil, userAgent: nil)
                    }
                }
                if let peer = SocketAddress(peerOf: socket) {
                    peer.withHostBytes(record)
                } else {
                    record(UnsafeRawBufferPointer(start: nil, count: 0))
                }
            }
        }
        hooks.reopenLogs = {
            do { try logs.withLock { $0 }.reopen() } catch { diagnostics.error("access log: reopen: \(error)") }
        }
        hooks.reload = {
            notifier.reloading(monotonicMicroseconds: MonotonicClock.nanoseconds() / 1000)
            defer { notifier.ready(status: "serving") }
            let reloaded: Configuration
            do {
                reloaded = try loadConfiguration(configPath, overrides)
            } catch {
                diagnostics.error("reload: \(error); keeping the previous configuration")
                return nil
            }
            let newResponder: Responder
            do {
                newResponder = try Responder(site: Site(reloaded))
            } catch {
                diagnostics.error("reload: root \(reloaded.root): \(error); keeping the previous configuration")
                return nil
            }
            let old = logs.withLock { $0 }
            old.flush()
            if reloaded.accessLog != old.destination || reloaded.accessLogFormat != old.format {
                do {
                    let newLog = try AccessLog(
                        destination: reloaded.accessLog, format: reloaded.accessLogFormat, diagnostics: diagnostics)
                    logs.withLock { $0 = newLog }
                } catch {
                    diagnostics.error("reload: access log: \(error); keeping the previous log")
                }
            } else {
                do { try old.reopen() } catch { diagnostics.error("access log: reopen: \(error)") }
            }
            diagnostics.setLevel(reloaded.logLevel)
            // Against the configuration the process started with: that is what it still listens on.
            if reloaded.listen != startup.listen || reloaded.mode != startup.mode {
                diagnostics.warning("reload: listen addresses and mode change only on restart")
            }
            diagnostics.info("configuration reloaded")
            return (newResponder, ServerSettings(reloaded))
        }
        hooks.tick = { now, connections, requests in
            logs.withLock { $0 }.flushIfDue(now: Int(now))
            guard notifier.isActive else { return }
            // The monotonic clock, not `now`: a wall clock stepped back (NTP, an administrator) would hold
            // the pings until it caught up again, and systemd would kill a healthy server meanwhile.
            // Ticks come about a second apart: ping on the last tick before half the timeout has passed.
            let uptime = MonotonicClock.nanoseconds()
            if let interval = notifier.watchdogInterval,
                uptime - lastWatchdog.load(ordering: .relaxed) >= interval - ServerSettings.second
            {
                lastWatchdog.store(uptime, ordering: .relaxed)
                notifier.watchdog()
            }
            notifier.status("\(connections) connections, \(requests) requests served")
        }
        hooks.ready = { notifier.ready(status: "serving") }
        hooks.stopping = { notifier.stopping() }
        hooks.warn = { diagnostics.warning($0) }

        let urls = listeners.map(\.address).joined(separator: ", ")
        printError(
            "spindle: listening on \(urls) (\(configuration.mode.rawValue), root \(absolutePath(configuration.root)))")

        let status: Int32
        do {
            switch configuration.mode {
            case .eventLoop:
                let reactor = try Reactor(listeners: listeners, responder: responder, settings: settings, hooks: hooks)
                listeners = []  // the server alone holds them now, so a drain really closes them
                status = try reactor.run()
            case .threads:
                let server = try ThreadedServer(
                    listeners: listeners, responder: responder, settings: settings, hooks: hooks)
                listeners = []
                status = try server.run()
            }
        } catch {
            printError("spindle: \(error)")
            return 1
        }
        logs.withLock { $0 }.flush()
        return status
    }

    private static func loadConfiguration(_ path: String?, _ overrides: CommandLineOverrides) throws(ConfigError)
        -> Configuration
    {
        var configuration =
            try path.map { (path) throws(ConfigError) in try Configuration.load(path: path) } ?? .default
        overrides.apply(to: &configuration)
        return configuration
    }

    private static func bind(_ addresses: [ListenAddress]) throws(Errno) -> [Listener] {
        var listeners: [Listener] = []
        for address in addresses {
            guard let socketAddress = SocketAddress(host: address.host, port: address.port) else {
                throw Errno(EINVAL, "listen \(address)")
            }
            let socket: FileDescriptor
            do {
                socket = try FileDescriptor.listen(on: socketAddress)
            } catch {
                throw Errno(error.code, "listen on \(address)")
            }
            // Port 0 asks the kernel to choose; report the port it chose.
            let url = socket.localAddress().map { "http://\($0)" } ?? address.url
            listeners.append(Listener(socket: socket, address: url))
        }
        return listeners
    }

    private static func absolutePath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// One line on stderr, unbuffered. Control characters (a key or value quoted from a hostile config
/// file) are escaped as `\xHH`, so the line stays one line and cannot drive the terminal.
public func printError(_ line: String) {
    let bytes = Array((Diagnostics.escapingControlCharacters(line) + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

extension Site {
    public init(_ configuration: Configuration) {
        self.init(
            root: configuration.root, indexFiles: configuration.index,
            dotfiles: configuration.dotfiles, mimeOverrides: configuration.mimeOverrides,
            extraHeaders: configuration.headers.map { (name: $0.name, value: $0.value) },
            errorPages: configuration.errorPages, precompressed: configuration.precompressed,
            cachePolicy: configuration.cachePolicy, fallback: configuration.fallback, cors: configuration.cors)
    }
}

extension ServerSettings {
    public init(_ configuration: Configuration) {
        self.init()
        headTimeout = configuration.timeouts.head.nanoseconds
        keepAliveTimeout = configuration.timeouts.keepAlive.nanoseconds
        sendTimeout = configuration.timeouts.send.nanoseconds
        shutdownGrace = configuration.timeouts.shutdownGrace.nanoseconds
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
