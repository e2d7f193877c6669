import Glibc
import Posix

/// Watches another process through /proc: resident memory, its peak, thread count and CPU time.
/// Sampled from the load generator's timer, so the probe needs no thread of its own.
public struct ProcessProbe: Sendable {
    public struct Sample: Sendable, Equatable {
        /// VmRSS, bytes.
        public var residentBytes: Int
        /// VmHWM, bytes: the peak since the process started or since `clear_refs` was last reset.
        public var peakResidentBytes: Int
        public var threads: Int
        /// utime + stime, clock ticks.
        public var cpuTicks: Int
    }

    public let pid: pid_t
    /// The largest VmRSS/VmHWM seen since `begin()`, bytes.
    public private(set) var peakResidentBytes = 0
    /// The largest thread count seen since `begin()`.
    public private(set) var maxThreads = 0
    private var startTicks = 0
    private var lastTicks = 0
    private static let ticksPerSecond = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))

    public init(pid: pid_t) { self.pid = pid }

    /// Starts a measuring interval: peaks forgotten, CPU time counted from now.
    public mutating func begin() {
        // "5" resets VmHWM to the current RSS (Linux ≥ 4.0), so the peak becomes this step's own;
        // if the write is refused, the sampled maximum of VmRSS is what remains.
        if let clear = try? FileDescriptor.open("/proc/\(pid)/clear_refs", flags: O_WRONLY) {
            let five: [UInt8] = [UInt8(ascii: "5")]
            _ = five.withUnsafeBytes { try? clear.write($0) }
        }
        peakResidentBytes = 0
        maxThreads = 0
        let sample = Self.sample(pid: pid)
        startTicks = sample?.cpuTicks ?? 0
        lastTicks = startTicks
        if let sample { absorb(sample) }
    }

    /// Takes one sample; false if the process is gone.
    @discardableResult
    public mutating func sample() -> Bool {
        guard let sample = Self.sample(pid: pid) else { return false }
        absorb(sample)
        return true
    }

    /// CPU seconds (user + system) the process used since `begin()`, as of the last sample.
    public var cpuSeconds: Double { Double(lastTicks - startTicks) / Self.ticksPerSecond }

    private mutating func absorb(_ sample: Sample) {
        peakResidentBytes = max(peakResidentBytes, sample.residentBytes, sample.peakResidentBytes)
        maxThreads = max(maxThreads, sample.threads)
        lastTicks = max(lastTicks, sample.cpuTicks)
    }

    /// Reads /proc/PID/status and /proc/PID/stat; nil when the process no longer exists.
    public static func sample(pid: pid_t) -> Sample? {
        guard let status = read("/proc/\(pid)/status"), let stat = read("/proc/\(pid)/stat"),
            var sample = parseStatus(status), let ticks = parseStatCPUTicks(stat)
        else { return nil }
        sample.cpuTicks = ticks
        return sample
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

    /// utime + stime (fields 14 and 15) from the text of /proc/PID/stat. The command name in field
    /// 2 may itself contain spaces and parentheses, so fields are counted from the last ")".
    public static func parseStatCPUTicks(_ text: String) -> Int? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    private static func read(_ path: String) -> String? {
        guard let file = try? FileDescriptor.open(path, flags: O_RDONLY),
            let bytes = try? file.readAll(limit: 64 * 1024)
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
