import Posix

/// The memory the supervisor and its workers share: one slot of 64-bit counters per worker, each
/// written only by its worker (plain relaxed stores) and read by the supervisor, which adds them up
/// for systemd's STATUS= and checks each worker's tick for the watchdog.
///
/// Created by the supervisor before it starts any worker (memfd_create, mmap MAP_SHARED); a worker
/// maps the same pages from the inherited descriptor. A slot is a whole number of cache lines, so
/// two workers never write the same line. More counters (e.g. metrics by status class) are more
/// `Field` cases: the stride grows with them.
public final class WorkerSlots: Sendable {
    public enum Field: Int, CaseIterable, Sendable {
        /// 1 once the worker's loop runs (its listeners in its epoll set).
        case ready
        /// When the loop last ticked (about once a second), CLOCK_MONOTONIC nanoseconds.
        case lastTick
        /// Open connections and responses sent, as of the last tick.
        case connections
        case requests
        /// Reloads (SIGHUP) the worker has finished, applied or refused.
        case reloads
    }

    static let slotStride = (Field.allCases.count * 8 + 63) / 64 * 64

    public let count: Int
    private let memory: SharedMemory
    private let cells: CounterCells

    /// A new zeroed region for `count` workers.
    public init(count: Int) throws(Errno) {
        self.count = count
        memory = try SharedMemory(name: "spindle-workers", size: count * Self.slotStride)
        cells = CounterCells(memory.base, count: count * Self.slotStride / 8)
    }

    /// The region behind a descriptor inherited from the supervisor.
    init(inherited descriptor: consuming FileDescriptor) throws(Errno) {
        memory = try SharedMemory(mapping: descriptor)
        count = memory.size / Self.slotStride
        cells = CounterCells(memory.base, count: count * Self.slotStride / 8)
    }

    /// The descriptor a worker inherits.
    var descriptor: Int32 { memory.descriptor.rawValue }

    public subscript(slot: Int, field: Field) -> Int64 {
        get { Int64(bitPattern: cells.load(index(slot, field))) }
        set { cells.store(index(slot, field), UInt64(bitPattern: newValue)) }
    }

    /// Zeroes a slot before a new worker takes it.
    public func reset(_ slot: Int) {
        for field in Field.allCases { self[slot, field] = 0 }
    }

    /// The sum of one field over every slot.
    public func sum(_ field: Field) -> Int64 {
        (0..<count).reduce(0) { $0 + self[$1, field] }
    }

    private func index(_ slot: Int, _ field: Field) -> Int {
        precondition(slot >= 0 && slot < count, "worker slot \(slot)")
        return (slot * Self.slotStride) / 8 + field.rawValue
    }
}
