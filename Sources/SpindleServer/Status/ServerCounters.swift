import HTTP1
import Posix

/// The counters behind `/metrics` and systemd's STATUS line, in memory a status endpoint reads
/// (`SharedMemory`), one slot per serving process so that several processes serving one port can be
/// summed. Each slot is written by its own process only: with one serving thread (the event loop)
/// a plain load and store per count, with several (the threads mode) an atomic add.
public final class ServerCounters: @unchecked Sendable {
    /// Cells of one slot. Fixed, so a slot's place in the region follows from its index.
    static let slotCells = 1024
    private static let startTime = 0
    private static let responseBytes = 1
    private static let accepted = 2
    private static let open = 3
    private static let cacheHits = 4
    private static let cacheMisses = 5
    private static let parseErrors = 8
    /// Responses by status code: the code is the offset (100...599).
    private static let statuses = 128

    private let memory: SharedMemory
    private let slotCount: Int
    private let mine: CounterCells
    private let concurrent: Bool

    /// Counters for `slots` processes in `memory`, this process writing slot `slot`.
    init(memory: SharedMemory, slots: Int, slot: Int, concurrent: Bool) {
        self.memory = memory
        self.slotCount = slots
        self.mine = Self.cells(of: slot, in: memory)
        self.concurrent = concurrent
    }

    /// The cells of process `slot` in `memory`.
    private static func cells(of slot: Int, in memory: SharedMemory) -> CounterCells {
        CounterCells(memory.base + slot * slotCells * 8, count: slotCells)
    }

    /// Counters for this process alone.
    public static func local(concurrent: Bool, startTime: Int64) throws(Errno) -> ServerCounters {
        let memory = try SharedMemory(name: "spindle-counters", size: slotCells * 8)
        let counters = ServerCounters(memory: memory, slots: 1, slot: 0, concurrent: concurrent)
        counters.mine.store(Self.startTime, UInt64(startTime))
        return counters
    }

    /// The size of a region for `slots` processes (a supervisor's workers).
    static func regionSize(slots: Int) -> Int { slots * slotCells * 8 }

    /// Counters for worker `slot` in the region its supervisor created. A replacement worker goes on
    /// from its predecessor's totals (counters never go back); the first start time stays.
    static func worker(memory: SharedMemory, slots: Int, slot: Int, startTime: Int64) -> ServerCounters {
        let counters = ServerCounters(memory: memory, slots: slots, slot: slot, concurrent: false)
        if counters.mine.load(Self.startTime) == 0 { counters.mine.store(Self.startTime, UInt64(startTime)) }
        return counters
    }

    /// Worker `slot` has ended (its supervisor says): its connections closed with it.
    static func workerEnded(in memory: SharedMemory, slot: Int) {
        cells(of: slot, in: memory).store(Self.open, 0)
    }

    @inline(__always) private func count(_ index: Int, _ value: UInt64 = 1) {
        if concurrent { mine.add(index, value) } else { mine.bump(index, value) }
    }

    func response(_ response: Response) {
        let code = Int(response.status.code)
        if (100...599).contains(code) { count(Self.statuses + code) }
        if response.bodyLength > 0 { count(Self.responseBytes, UInt64(response.bodyLength)) }
    }

    func parseError(_ error: ParseError) {
        if let index = ParseError.allCases.firstIndex(of: error) { count(Self.parseErrors + index) }
    }

    func connectionOpened() {
        count(Self.accepted)
        count(Self.open)
    }

    func connectionClosed() { count(Self.open, UInt64.max) }  // wraps: minus one

    /// The file cache's totals, published from its own counts (once a second).
    func fileCache(hits: Int, misses: Int) {
        mine.store(Self.cacheHits, UInt64(hits))
        mine.store(Self.cacheMisses, UInt64(misses))
    }

    // MARK: Reading (any process, any thread)

    private func sum(_ index: Int) -> UInt64 {
        (0..<slotCount).reduce(0) { $0 &+ Self.cells(of: $1, in: memory).load(index) }
    }

    /// The earliest start time of the processes, in wall-clock seconds.
    var startTime: Int64 {
        let starts = (0..<slotCount).map { Self.cells(of: $0, in: memory).load(Self.startTime) }.filter { $0 > 0 }
        return Int64(starts.min() ?? 0)
    }

    var responseBytes: UInt64 { sum(Self.responseBytes) }
    var accepted: UInt64 { sum(Self.accepted) }
    var open: Int64 { Int64(bitPattern: sum(Self.open)) }
    var cacheHits: UInt64 { sum(Self.cacheHits) }
    var cacheMisses: UInt64 { sum(Self.cacheMisses) }
    func responses(status code: Int) -> UInt64 { sum(Self.statuses + code) }
    func parseErrors(_ error: ParseError) -> UInt64 {
        ParseError.allCases.firstIndex(of: error).map { sum(Self.parseErrors + $0) } ?? 0
    }
}
