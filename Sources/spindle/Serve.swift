import ArgumentParser
import SpindleServer

/// `spindle [serve]`: flags override the config file, which overrides the defaults.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve a directory (the default command).")

    @Option(name: .long, help: "Directory to serve (default: public).")
    var root: String?

    @Option(name: .long, help: "Address to listen on: HOST:PORT, [V6]:PORT or :PORT. Repeatable.")
    var listen: [String] = []

    @Option(name: .long, help: "Serving mode: event-loop or threads.")
    var mode: String?

    @Option(
        name: .long,
        help: "Event-loop worker processes sharing the listeners: a number, or auto for one per CPU (default: 1).")
    var workers: String?

    @Option(name: .long, help: "Configuration file (TOML).")
    var config: String?

    @Option(name: .customLong("access-log"), help: "Access log: a path, - for stdout, or off.")
    var accessLog: String?

    @Option(
        name: .long,
        help: "File under the root answering missing extension-less paths (client-side routes), e.g. index.html.")
    var fallback: String?

    @Option(
        name: .customLong("status-listen"),
        help: "Address of the health and metrics listener (/healthz, /metrics), e.g. 127.0.0.1:9180.")
    var statusListen: String?

    @Flag(name: .long, help: "List directories that have no index file.")
    var listing = false

    func run() throws {
        let overrides: CommandLineOverrides
        do {
            overrides = try CommandLineOverrides(
                root: root, listen: listen, mode: mode, accessLog: accessLog, fallback: fallback,
                workers: workers, statusListen: statusListen, listing: listing)
        } catch {
            throw ValidationError(error.description)
        }
        let status = ServerRunner.run(configPath: config, overrides: overrides)
        if status != 0 { throw ExitCode(status) }
    }
}
