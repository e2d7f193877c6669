import ArgumentParser
import SpindleCompare

/// `spindle compare`: the event loop, a thread per connection and the event loop per CPU, measured on one port.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the event loop, the threads mode and event-loop workers, and write a report.",
        discussion: """
            Starts this binary as a child server in each model on one port (workers: the event loop with
            --workers auto, one worker process per online CPU), drives it with a built-in
            epoll load generator (keep-alive and connection-per-request, a small and a large file) at
            each concurrency level, and writes compare.csv, compare.json and compare.svg to --output.
            """)

    @Option(help: "Seconds measured per step.")
    var duration: Double = 5

    @Option(help: "Seconds of warm-up before each step.")
    var warmup: Double = 0.5

    @Option(help: "Concurrency levels, comma-separated (up to 50000).")
    var connections: String = "1,16,64,256,1024"

    @Option(help: "Directory for compare.csv, compare.json and compare.svg.")
    var output: String = "compare-results"

    @Option(help: "Port the child server listens on (127.0.0.1).")
    var port: UInt16 = 18080

    @Option(help: "Document root to serve (default: a generated one with a 1 KiB and a 1 MiB file).")
    var root: String?

    @Option(help: "Path of the small file to request.")
    var small: String?

    @Option(help: "Path of the large file to request (with --root, large-file steps run only if given).")
    var large: String?

    @Option(help: "Models to measure, comma-separated: event-loop, threads, workers (event-loop, --workers auto).")
    var modes: String = "event-loop,threads,workers"

    @Option(help: "Request patterns to measure, comma-separated: keep-alive-small, close-small, keep-alive-large.")
    var variants: String = "keep-alive-small,close-small,keep-alive-large"

    func run() throws {
        var options = CompareOptions()
        options.duration = duration
        options.warmup = warmup
        do {
            options.connections = try CompareOptions.parseConnections(connections)
        } catch {
            throw ValidationError("--connections: \(error)")
        }
        options.output = output
        options.port = port
        options.root = root
        options.small = small
        options.large = large
        options.modes = modes.split(separator: ",").map(String.init)
        do {
            options.variants = try CompareOptions.parseVariants(variants)
        } catch {
            throw ValidationError("--variants: \(error)")
        }
        let status = try SpindleCompare.Compare.run(options)
        if status != 0 { throw ExitCode(status) }
    }
}
