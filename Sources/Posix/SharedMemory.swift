import CLinux
import Glibc

/// Memory that other processes can map too: a memfd mapped MAP_SHARED. A process started later maps
/// the same pages from a copy of `descriptor` (`init(mapping:)`), so counters written by one are
/// read by another. Zero-filled when created; unmapped when the last reference goes.
public final class SharedMemory: @unchecked Sendable {
    public let descriptor: FileDescriptor
    public let base: UnsafeMutableRawPointer
    public let size: Int

    /// A new zero-filled region of `size` bytes.
    public convenience init(name: String, size: Int) throws(Errno) {
        let fd = try syscall("memfd_create") { name.withCString { spindle_memfd_create($0) } }
        let descriptor = FileDescriptor(owning: fd)
        _ = try syscall("ftruncate") { ftruncate(descriptor.rawValue, off_t(size)) }
        try self.init(mapping: descriptor, size: size)
    }

    /// Maps a region another process created, whose descriptor this process inherited.
    public convenience init(mapping descriptor: consuming FileDescriptor) throws(Errno) {
        let size = Int(try descriptor.status().size)
        try self.init(mapping: descriptor, size: size)
    }

    private init(mapping descriptor: consuming FileDescriptor, size: Int) throws(Errno) {
        let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor.rawValue, 0)
        guard let address, address != MAP_FAILED else { throw Errno.current("mmap") }
        self.descriptor = descriptor
        self.base = address
        self.size = size
    }

    deinit { munmap(base, size) }
}

/// 64-bit counters at a place in memory (often `SharedMemory`), read by other threads or processes
/// with relaxed atomic loads. `add` is an atomic read-modify-write, for a cell several threads
/// write; `bump` is a plain load and store, for a cell one thread writes, so the event loop pays no
/// locked instruction per request.
public struct CounterCells: @unchecked Sendable {
    private let base: UnsafeMutablePointer<UInt64>
    public let count: Int

    /// The `count` cells at `base` (8-byte aligned), which must outlive every use.
    public init(_ base: UnsafeMutableRawPointer, count: Int) {
        self.base = base.bindMemory(to: UInt64.self, capacity: count)
        self.count = count
    }

    @inline(__always) public func add(_ index: Int, _ value: UInt64) { spindle_counter_add(base + index, value) }
    @inline(__always) public func bump(_ index: Int, _ value: UInt64) { spindle_counter_bump(base + index, value) }
    @inline(__always) public func store(_ index: Int, _ value: UInt64) { spindle_counter_store(base + index, value) }
    @inline(__always) public func load(_ index: Int) -> UInt64 { spindle_counter_load(base + index) }
}
