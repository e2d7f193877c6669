import CLinux
import Glibc

/// An epoll instance. Each registration carries a 64-bit token chosen by the caller (the reactor
/// packs a slot index and a generation into it, so a stale event for a reused descriptor is recognised).
public struct Epoll: ~Copyable {
    public struct Events: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: EPOLLIN.rawValue)
        public static let writable = Events(rawValue: EPOLLOUT.rawValue)
        public static let readHangup = Events(rawValue: EPOLLRDHUP.rawValue)
        public static let error = Events(rawValue: EPOLLERR.rawValue)
        public static let hangup = Events(rawValue: EPOLLHUP.rawValue)
        public static let edgeTriggered = Events(rawValue: EPOLLET.rawValue)
    }

    public struct Event: Sendable {
        public var token: UInt64
        public var events: Events
    }

    private let descriptor: FileDescriptor
    private let buffer: UnsafeMutableRawPointer
    public let capacity: Int

    public init(capacity: Int = 512) throws(Errno) {
        descriptor = FileDescriptor(owning: try syscall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) })
        self.capacity = capacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: spindle_epoll_event_size() * capacity, alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// `exclusive` (EPOLLEXCLUSIVE) wakes only one of the epoll sets waiting on `fd`, for a listening
    /// socket that several processes share; such a registration cannot be modified, only removed.
    public func add(_ fd: Int32, _ events: Events, token: UInt64, exclusive: Bool = false) throws(Errno) {
        let flags = exclusive ? events.rawValue | EPOLLEXCLUSIVE.rawValue : events.rawValue
        _ = try syscall("epoll_ctl(ADD)") {
            spindle_epoll_ctl(descriptor.rawValue, EPOLL_CTL_ADD, fd, flags, token)
        }
    }

    public func modify(_ fd: Int32, _ events: Events, token: UInt64) throws(Errno) {
        _ = try syscall("epoll_ctl(MOD)") {
            spindle_epoll_ctl(descriptor.rawValue, EPOLL_CTL_MOD, fd, events.rawValue, token)
        }
    }

    /// Removal is implicit when the descriptor closes; this is for descriptors that stay open.
    public func remove(_ fd: Int32) {
        _ = spindle_epoll_ctl(descriptor.rawValue, EPOLL_CTL_DEL, fd, 0, 0)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever); returns how many events `event(at:)` can read.
    public func wait(timeoutMilliseconds: Int32) throws(Errno) -> Int {
        let events = buffer.assumingMemoryBound(to: epoll_event.self)
        return Int(
            try syscall("epoll_wait") {
                spindle_epoll_wait(descriptor.rawValue, events, Int32(capacity), timeoutMilliseconds)
            })
    }

    /// The `index`th event of the last `wait`.
    public func event(at index: Int) -> Event {
        let events = UnsafePointer(buffer.assumingMemoryBound(to: epoll_event.self))
        let i = Int32(index)
        return Event(
            token: spindle_epoll_event_data(events, i), events: Events(rawValue: spindle_epoll_event_flags(events, i)))
    }
}
