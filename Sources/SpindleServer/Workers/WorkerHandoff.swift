import Glibc
import Posix

/// What the supervisor passes to a worker it starts, in one environment variable: the worker's
/// slot, the shared counters, the doorbell, the supervisor's PID and the listening sockets (by
/// descriptor number; the spawn clears their close-on-exec flag for the child only).
struct WorkerHandoff: Equatable {
    static let variable = "SPINDLE_WORKER"

    var index: Int
    var slots: Int32
    var doorbell: Int32
    var supervisor: pid_t
    var listeners: [Int32]

    /// Every descriptor the worker inherits.
    var descriptors: [Int32] { [slots, doorbell] + listeners }

    /// `SPINDLE_WORKER=INDEX SLOTS DOORBELL SUPERVISOR L1,L2,...`
    var environmentEntry: String {
        "\(Self.variable)=\(index) \(slots) \(doorbell) \(supervisor) "
            + listeners.map(String.init).joined(separator: ",")
    }

    init(index: Int, slots: Int32, doorbell: Int32, supervisor: pid_t, listeners: [Int32]) {
        self.index = index
        self.slots = slots
        self.doorbell = doorbell
        self.supervisor = supervisor
        self.listeners = listeners
    }

    init?(parsing text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 5, let index = Int(parts[0]), index >= 0, let slots = Int32(parts[1]),
            let doorbell = Int32(parts[2]), let supervisor = pid_t(parts[3])
        else { return nil }
        let listeners = parts[4].split(separator: ",").map { Int32($0) ?? -1 }
        let all = [slots, doorbell] + listeners
        guard !listeners.isEmpty, all.allSatisfy({ $0 >= 3 }), Set(all).count == all.count else { return nil }
        self.init(index: index, slots: slots, doorbell: doorbell, supervisor: supervisor, listeners: listeners)
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
