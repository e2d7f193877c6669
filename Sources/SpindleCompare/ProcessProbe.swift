import Glibc
import Posix

/// Watches another process and its child processes through /proc: resident memory, its peak,
/// thread count and CPU time, summed over the tree (a supervisor and its workers count as one
/// server). Sampled from the load generator's timer, so the probe needs no thread of its own.
public struct ProcessProbe: Sendable {
    public struct Sample: Sendable, Equatable {
        /// VmRSS, bytes.
        public var residentBytes: Int
        /// VmHWM, bytes: the peak since the process started or since `clear_refs` was last reset.
        public var peakResidentBytes: Int
        public var threads: Int
        /// utime + stime + cutime + cstime, clock ticks: the CPU of the process and of its children
        /// that have ended and been reaped, so a worker's time is not lost when it is replaced.
        public var cpuTicks: Int
    }

    public let pid: pid_t
    /// The largest VmRSS/VmHWM seen since `begin()`, bytes.
    public private(set) var peakResidentBytes = 0
    /// The largest thread count seen since `begin()`.
    public private(set) var maxThreads = 0
    private var startTicks = 0
    private var lastTicks = 0
    /// The child processes found at the last scan of /proc, and how many samples ago that was.
    public private(set) var children: [pid_t] = []
    private var samplesSinceScan = 0
    /// Workers may be replaced at any time; a scan of /proc costs about a hundred small reads, so
    /// it is repeated every tenth sample (about a second), or at once when a known child is gone.
    private static let samplesPerScan = 10
    private static let ticksPerSecond = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))

    public init(pid: pid_t) { self.pid = pid }

    /// Starts a measuring interval: peaks forgotten, CPU time counted from now.
    public mutating func begin() {
        children = Self.children(of: pid)
        samplesSinceScan = 0
        // "5" resets VmHWM to the current RSS (Linux ≥ 4.0), so the peak becomes this step's own;
        // if the write is refused, the sampled maximum of VmRSS is what remains.
        for process in [pid] + children {
            if let clear = try? FileDescriptor.open("/proc/\(process)/clear_refs", flags: O_WRONLY) {
                let five: [UInt8] = [UInt8(ascii: "5")]
                _ = five.withUnsafeBytes { try? clear.write($0) }
            }
        }
        peakResidentBytes = 0
        maxThreads = 0
        let sample = sampleTree()
        startTicks = sample?.cpuTicks ?? 0
        lastTicks = startTicks
        if let sample { absorb(sample) }
    }

    /// Takes one sample; false if the process is gone.
    @discardableResult
    public mutating func sample() -> Bool {
        samplesSinceScan += 1
        if samplesSinceScan >= Self.samplesPerScan {
            children = Self.children(of: pid)
            samplesSinceScan = 0
        }
        guard let sample = sampleTree() else { return false }
        absorb(sample)
        return true
    }

    /// The process and its children summed; nil when the process itself is gone.
    private mutating func sampleTree() -> Sample? {
        guard var total = Self.sample(pid: pid) else { return nil }
        for child in children {
            guard let sample = Self.sample(pid: child) else {
                samplesSinceScan = Self.samplesPerScan  // replaced: find its successor next time
                continue
            }
            total.residentBytes += sample.residentBytes
            total.peakResidentBytes += sample.peakResidentBytes
            total.threads += sample.threads
            total.cpuTicks += sample.cpuTicks
        }
        return total
    }

    /// CPU seconds (user + system) the process used since `begin()`, as of the last sample.
    public var cpuSeconds: Double { Double(lastTicks - startTicks) / Self.ticksPerSecond }

    private mutating func absorb(_ sample: Sample) {
        peakResidentBytes = max(peakResidentBytes, sample.residentBytes, sample.peakResidentBytes)
        maxThreads = max(maxThreads, sample.threads)
        lastTicks = max(lastTicks, sample.cpuTicks)
    }

    /// Reads /proc/PID/status and /proc/PID/stat of one process; nil when it no longer exists.
    public static func sample(pid: pid_t) -> Sample? {
        guard let status = read("/proc/\(pid)/status"), let stat = read("/proc/\(pid)/stat"),
            var sample = parseStatus(status), let ticks = parseStat(stat)?.cpuTicks
        else { return nil }
        sample.cpuTicks = ticks
        return sample
    }

    /// The processes whose parent is `pid`. /proc/PID/task/*/children would say it directly, but
    /// needs CONFIG_PROC_CHILDREN, which some kernels (this machine's among them) lack; every
    /// /proc/N/stat names its parent.
    public static func children(of pid: pid_t) -> [pid_t] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var found: [pid_t] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let process = pid_t(name), process != pid, let stat = read("/proc/\(process)/stat"),
                parseStat(stat)?.parent == pid
            else { continue }
            found.append(process)
        }
        return found.sorted()
    }

    /// VmRSS, VmHWM and Threads from the text of /proc/PID/status (cpuTicks left 0).
    public static func parseStatus(_ text: String) -> Sample? {
        var sample = Sample(residentBytes: 0, peakResidentBytes: 0, threads: 0, cpuTicks: 0)
        var sawThreads = false
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let value = Int(parts[1]) else { continue }
            switch parts[0] {
            case "VmRSS:": sample.residentBytes = value * 1024
            case "VmHWM:": sample.peakResidentBytes = value * 1024
            case "Threads:":
                sample.threads = value
                sawThreads = true
            default: break
            }
        }
        return sawThreads ? sample : nil
    }

    /// The parent (field 4) and utime + stime + cutime + cstime (fields 14 to 17) from the text of
    /// /proc/PID/stat. The command name in field 2 may itself contain spaces and parentheses, so
    /// fields are counted from the last ")".
    public static func parseStat(_ text: String) -> (parent: pid_t, cpuTicks: Int)? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): the parent is fields[1], utime to cstime fields[11...14].
        guard fields.count > 14, let parent = pid_t(fields[1]) else { return nil }
        var ticks = 0
        for field in fields[11...14] {
            guard let value = Int(field) else { return nil }
            ticks += value
        }
        return (parent, ticks)
    }

    private static func read(_ path: String) -> String? {
        guard let file = try? FileDescriptor.open(path, flags: O_RDONLY),
            let bytes = try? file.readAll(limit: 64 * 1024)
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
