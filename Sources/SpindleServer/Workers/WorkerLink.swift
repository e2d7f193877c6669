import Glibc
import Posix

/// A worker's side of its supervisor: its slot of the shared counters and the doorbell it rings when
/// its slot says something new (ready, reloaded). Systemd never hears from a worker directly.
final class WorkerLink: Sendable {
    let index: Int
    /// This worker's slot of the metrics counters, and the status listener it shares with the others.
    let counters: ServerCounters
    let statusListener: Listener?
    private let slots: WorkerSlots
    private let doorbell: EventDescriptor

    /// Takes over what the supervisor passed; returns the link and the shared listening sockets.
    static func adopt(_ handoff: WorkerHandoff) throws(Errno) -> (WorkerLink, [Listener]) {
        // A supervisor killed outright must not leave its workers serving on its port.
        guard ChildProcesses.signalWhenParentEnds(SIGTERM, parent: handoff.supervisor) else {
            throw Errno(ESRCH, "supervisor \(handoff.supervisor) has exited")
        }
        let slots = try WorkerSlots(inherited: FileDescriptor(owning: handoff.slots))
        guard handoff.index < slots.count else { throw Errno(EINVAL, "worker slot \(handoff.index)") }
        let doorbell = EventDescriptor(owning: FileDescriptor(owning: handoff.doorbell))
        try doorbell.descriptor.setCloseOnExec()
        let region = try SharedMemory(mapping: FileDescriptor(owning: handoff.counters))
        guard region.size == ServerCounters.regionSize(slots: slots.count) else { throw Errno(EINVAL, "counters") }
        let counters = ServerCounters.worker(
            memory: region, slots: slots.count, slot: handoff.index, startTime: WallClock.seconds())
        let statusListener = try handoff.statusListener.map { (fd) throws(Errno) in try adoptListener(fd) }
        var listeners: [Listener] = []
        for fd in handoff.listeners { listeners.append(try adoptListener(fd)) }
        let link = WorkerLink(
            index: handoff.index, counters: counters, statusListener: statusListener, slots: slots, doorbell: doorbell)
        return (link, listeners)
    }

    private static func adoptListener(_ fd: Int32) throws(Errno) -> Listener {
        let socket = FileDescriptor(owning: fd)
        guard socket.isListeningSocket else { throw Errno(ENOTSOCK, "worker listener \(fd)") }
        try socket.setCloseOnExec()
        let address = socket.localAddress().map { "http://\($0)" } ?? "fd \(fd)"
        return Listener(socket: socket, address: address)
    }

    private init(
        index: Int, counters: ServerCounters, statusListener: Listener?, slots: WorkerSlots,
        doorbell: consuming EventDescriptor
    ) {
        self.index = index
        self.counters = counters
        self.statusListener = statusListener
        self.slots = slots
        self.doorbell = doorbell
    }

    /// The server's hooks, also keeping this worker's slot up to date.
    func wire(_ hooks: ServerHooks) -> ServerHooks {
        var wired = hooks
        let (ready, tick, reload) = (hooks.ready, hooks.tick, hooks.reload)
        wired.ready = {
            ready?()
            self.slots[self.index, .lastTick] = MonotonicClock.nanoseconds()
            self.slots[self.index, .ready] = 1
            self.doorbell.signal()
        }
        wired.tick = { now, connections, requests in
            tick?(now, connections, requests)
            self.slots[self.index, .lastTick] = MonotonicClock.nanoseconds()
            self.slots[self.index, .connections] = Int64(connections)
            self.slots[self.index, .requests] = Int64(requests)
        }
        wired.reload = {
            let result = reload?()
            self.slots[self.index, .reloads] += 1
            self.doorbell.signal()
            return result
        }
        return wired
    }
}
