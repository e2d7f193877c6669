import Glibc
import Posix

/// What the supervisor passes to a worker it starts, in one environment variable: the worker's
/// slot, the shared slots, the doorbell, the supervisor's PID, the metrics counters, the status
/// listener (if any) and the listening sockets (by descriptor number; the spawn clears their
/// close-on-exec flag for the child only).
struct WorkerHandoff: Equatable {
    static let variable = "SPINDLE_WORKER"

    var index: Int
    var slots: Int32
    var doorbell: Int32
    var supervisor: pid_t
    var counters: Int32
    var statusListener: Int32?
    var listeners: [Int32]

    /// Every descriptor the worker inherits.
    var descriptors: [Int32] { [slots, doorbell, counters] + (statusListener.map { [$0] } ?? []) + listeners }

    /// `SPINDLE_WORKER=INDEX SLOTS DOORBELL SUPERVISOR COUNTERS STATUS|- L1,L2,...`
    var environmentEntry: String {
        "\(Self.variable)=\(index) \(slots) \(doorbell) \(supervisor) \(counters) "
            + "\(statusListener.map(String.init) ?? "-") " + listeners.map(String.init).joined(separator: ",")
    }

    init(
        index: Int, slots: Int32, doorbell: Int32, supervisor: pid_t, counters: Int32, statusListener: Int32?,
        listeners: [Int32]
    ) {
        self.index = index
        self.slots = slots
        self.doorbell = doorbell
        self.supervisor = supervisor
        self.counters = counters
        self.statusListener = statusListener
        self.listeners = listeners
    }

    init?(parsing text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 7, let index = Int(parts[0]), index >= 0, let slots = Int32(parts[1]),
            let doorbell = Int32(parts[2]), let supervisor = pid_t(parts[3]), let counters = Int32(parts[4])
        else { return nil }
        let statusListener = parts[5] == "-" ? nil : Int32(parts[5]) ?? -1
        let listeners = parts[6].split(separator: ",").map { Int32($0) ?? -1 }
        self.init(
            index: index, slots: slots, doorbell: doorbell, supervisor: supervisor, counters: counters,
            statusListener: statusListener, listeners: listeners)
        guard !listeners.isEmpty, descriptors.allSatisfy({ $0 >= 3 }), Set(descriptors).count == descriptors.count
        else { return nil }
    }

    /// The handoff this process was started with, if it is a worker; the variable is removed so that
    /// nothing the worker starts believes it is one too.
    static func inherited() throws(Errno) -> WorkerHandoff? {
        guard let value = getenv(variable).map({ String(cString: $0) }) else { return nil }
        unsetenv(variable)
        guard let handoff = WorkerHandoff(parsing: value) else { throw Errno(EINVAL, "\(variable)=\(value)") }
        return handoff
    }
}
