import Glibc
import Posix

/// The orchestration of `spindle compare`: for each mode, start the server, run every level and
/// variant against it with the load generator while probing the server, stop it. A step that
/// fails is recorded (with its errors and a note) and the run goes on.
public final class CompareRun {
    public let options: CompareOptions
    public private(set) var results: [StepResult] = []
    /// The site actually served and the paths actually requested (after defaults are applied).
    public private(set) var root = ""
    public private(set) var smallPath = ""
    public private(set) var largePath: String?

    public init(_ options: CompareOptions) { self.options = options }

    public func run() throws(CompareError) -> [StepResult] {
        try options.validate()
        guard let address = SocketAddress(host: "127.0.0.1", port: options.port) else {
            throw CompareError("bad port \(options.port)")
        }
        var fixture: CompareFixture?
        if let given = options.root {
            root = given
            smallPath = options.small ?? "/index.html"
            largePath = options.large
        } else {
            let generated = try CompareFixture()
            root = generated.directory
            smallPath = options.small ?? CompareFixture.smallPath
            largePath = options.large ?? CompareFixture.largePath
            fixture = generated
        }
        defer { fixture?.remove() }
        raiseDescriptorLimit()

        let levels = options.connections
        let variants = options.variants.filter { !$0.large || largePath != nil }
        if variants.count < options.variants.count {
            progress("compare: no --large file given, large-file steps skipped\n")
        }
        let total = options.modes.count * levels.count * variants.count
        var number = 0
        results = []
        for mode in options.modes {
            var server: ChildProcess?
            var startFailure: String?
            for level in levels {
                for variant in variants {
                    number += 1
                    let path = variant.large ? largePath ?? smallPath : smallPath
                    let label =
                        "[\(pad(number, String(total).count))/\(total)] \(padRight(mode, 10)) "
                        + "c=\(padRight(String(level), 6)) \(padRight(variant.rawValue, 16))"
                    if server == nil && startFailure == nil {
                        do throws(CompareError) {
                            server = try start(mode: mode, address: address)
                        } catch {
                            startFailure = "server did not start: \(error)"
                            progress("compare: \(mode): \(error)\n")
                        }
                    }
                    guard let child = server else {
                        let note = startFailure ?? "server not running"
                        results.append(
                            StepResult(mode: mode, variant: variant, connections: level, path: path, note: note))
                        progress("compare: \(label) skipped (\(note))\n")
                        continue
                    }
                    progress("compare: \(label) ... ")
                    var step = measure(child, mode: mode, variant: variant, level: level, path: path, address: address)
                    if let termination = child.poll() {
                        step.note = "server exited during the step (\(termination))"
                        server = nil  // started again for the next step
                    }
                    results.append(step)
                    progress(summary(step) + "\n")
                }
            }
            if let server {
                let termination = server.stop()
                if termination != .exited(0) { progress("compare: \(mode) server stopped with \(termination)\n") }
            }
        }
        return results
    }

    private func start(mode: String, address: SocketAddress) throws(CompareError) -> ChildProcess {
        let command: [String]
        if let template = options.serverCommand {
            command = template.map {
                $0.replacing("{port}", with: String(options.port)).replacing("{mode}", with: mode)
                    .replacing("{root}", with: root)
            }
        } else {
            command = Self.serverCommand(
                executable: try Self.executablePath(), mode: mode, root: root, port: options.port)
        }
        let child = try ChildProcess(command)
        do throws(CompareError) {
            try child.waitUntilReady(marker: options.readyMarker, probe: address, timeout: options.readyTimeout)
        } catch {
            child.stop(grace: 1)
            throw error
        }
        return child
    }

    private func measure(
        _ child: ChildProcess, mode: String, variant: CompareVariant, level: Int, path: String, address: SocketAddress
    ) -> StepResult {
        var step = StepResult(mode: mode, variant: variant, connections: level, path: path)
        let workload = LoadWorkload(
            address: address, path: path, connections: level, keepAlive: variant.keepAlive,
            duration: options.duration, warmup: options.warmup, requestTimeout: options.requestTimeout)
        var probe = ProcessProbe(pid: child.pid)
        var generatorStart = 0.0
        do throws(Errno) {
            let generator = try LoadGenerator(workload)
            step.load = try generator.run(
                onMeasuring: {
                    probe.begin()
                    generatorStart = Self.threadCPUSeconds()
                },
                onTick: {
                    probe.sample()
                    child.drainOutput()
                })
        } catch {
            step.note = "load generator failed: \(error)"
        }
        step.peakResidentBytes = probe.peakResidentBytes
        step.maxThreads = probe.maxThreads
        step.cpuSeconds = probe.cpuSeconds
        if generatorStart > 0 { step.generatorCPUSeconds = Self.threadCPUSeconds() - generatorStart }
        return step
    }

    /// User + system CPU of the calling thread (the load generator's): beside the server's, it says
    /// whether the client was the limit, which on a machine with few cores it may well be.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Enough descriptors for the largest level plus slack; the child inherits the raised limit.
    private func raiseDescriptorLimit() {
        let wanted = (options.connections.max() ?? 0) + 256
        let granted = DescriptorLimit.raise(to: wanted)
        if granted < wanted {
            progress("compare: RLIMIT_NOFILE is \(granted) (hard limit), below the \(wanted) the largest level needs\n")
        }
    }

    /// The model `workers` is the event loop once per online CPU (`--workers auto`: a supervisor and
    /// N single-threaded worker processes); any other name is a `--mode`.
    public static func serverCommand(executable: String, mode: String, root: String, port: UInt16) -> [String] {
        let model = mode == "workers" ? ["--mode", "event-loop", "--workers", "auto"] : ["--mode", mode]
        return [executable, "--root", root, "--listen", "127.0.0.1:\(port)"] + model
    }

    /// This executable, which is also the server (`spindle --mode ...`).
    static func executablePath() throws(CompareError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { throw CompareError("cannot read /proc/self/exe: \(Errno.current("readlink"))") }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func summary(_ step: StepResult) -> String {
        let load = step.load
        let p99 = ReportFormat.milliseconds(load.latency.percentile(99))
        var text =
            "\(ReportFormat.fixed(load.requestsPerSecond, 0)) req/s  p99 \(p99)"
            + "  errors \(load.errors.total)  RSS \(ReportFormat.megabytes(step.peakResidentBytes))"
            + "  threads \(step.maxThreads)  CPU \(ReportFormat.fixed(step.cpuSeconds, 2)) s"
            + " (generator \(ReportFormat.fixed(step.generatorCPUSeconds, 2)) s)"
        if let note = step.note { text += "  (\(note))" }
        return text
    }

    private func progress(_ text: String) {
        guard options.verbose else { return }
        ReportFormat.write(text, to: .error)
    }

    private func pad(_ number: Int, _ width: Int) -> String {
        let text = String(number)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }

    private func padRight(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
