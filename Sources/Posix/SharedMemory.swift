import CLinux
import Glibc

/// A region of memory shared between processes: an anonymous file (memfd_create) mapped MAP_SHARED.
/// A process that inherits the descriptor maps the same pages with `init(mapping:)`. It holds 64-bit
/// words read and written with relaxed atomics: each word has one writing process, readers only add up.
public final class SharedMemory: @unchecked Sendable {
    public let descriptor: FileDescriptor
    public let size: Int
    private let base: UnsafeMutableRawPointer

    /// A new zero-filled region of `size` bytes. The descriptor is close-on-exec: the caller passes
    /// it to a child explicitly.
    public init(name: String, size: Int) throws(Errno) {
        let fd = FileDescriptor(
            owning: try syscall("memfd_create") { spindle_memfd_create(name) })
        _ = try syscall("ftruncate") { ftruncate(fd.rawValue, off_t(size)) }
        base = try Self.map(fd.rawValue, size: size)
        descriptor = fd
        self.size = size
    }

    /// Maps the whole region behind an inherited descriptor.
    public init(mapping fd: consuming FileDescriptor) throws(Errno) {
        let size = Int(try fd.status().size)
        base = try Self.map(fd.rawValue, size: size)
        descriptor = fd
        self.size = size
    }

    deinit { munmap(base, size) }

    /// The word at `offset` (a multiple of 8 below `size`).
    public func load(_ offset: Int) -> Int64 {
        spindle_load_relaxed(address(offset))
    }

    public func store(_ value: Int64, at offset: Int) {
        spindle_store_relaxed(address(offset), value)
    }

    /// Zeroes `count` bytes from `offset`, for a range no other process writes at the moment.
    public func clear(_ offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= size, "shared memory range")
        memset(base + offset, 0, count)
    }

    private func address(_ offset: Int) -> UnsafeMutablePointer<Int64> {
        precondition(offset >= 0 && offset + 8 <= size && offset % 8 == 0, "shared memory offset \(offset)")
        return (base + offset).assumingMemoryBound(to: Int64.self)
    }

    private static func map(_ fd: Int32, size: Int) throws(Errno) -> UnsafeMutableRawPointer {
        guard size > 0 else { throw Errno(EINVAL, "mmap") }
        let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let pointer, pointer != MAP_FAILED else { throw Errno.current("mmap") }
        return pointer
    }
}
