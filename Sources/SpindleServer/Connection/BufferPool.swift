import HTTP1

/// A read buffer and the parser reading from it: lent to a connection only while it reads a request
/// head, so an idle keep-alive connection holds neither (nginx's lesson: ten thousand idle clients
/// should cost little). It starts small and grows up to the head limit only for a head that needs
/// it, so thousands of clients each trickling a head (slowloris) hold kilobytes, not the limit each.
/// A little room beyond the head limit lets a request body stream through behind a head of the
/// largest size (the body is dropped as it arrives, while the head waits for its answer).
final class ReadBuffer {
    private(set) var bytes: UnsafeMutableRawBufferPointer
    var parser: RequestParser
    let limit: Int

    init(size: Int, limits: ParserLimits) {
        limit = limits.maxHead + Self.bodyRoom
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: min(size, limit), alignment: 16)
        parser = RequestParser(limits: limits)
    }

    deinit { bytes.deallocate() }

    static let bodyRoom = 1024

    /// Doubles the capacity (up to the limit), keeping the first `count` bytes; false at the limit.
    /// The parser keeps offsets, not pointers, so moving the bytes is safe.
    func grow(keeping count: Int) -> Bool {
        guard bytes.count < limit else { return false }
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: min(bytes.count * 2, limit), alignment: 16)
        larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<count]))
        bytes.deallocate()
        bytes = larger
        return true
    }

    /// The first `count` bytes, as the parser and the Responder read them.
    func prefix(_ count: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[..<count]) }
}

/// Read buffers kept for reuse.
final class BufferPool {
    private let limits: ParserLimits
    private var free: [ReadBuffer] = []
    private let keepAtMost: Int
    /// Most request heads (a browser's, with cookies) fit; larger ones grow the buffer.
    static let initialSize = 4096

    init(limits: ParserLimits, keepAtMost: Int = 256) {
        self.limits = limits
        self.keepAtMost = keepAtMost
    }

    func take() -> ReadBuffer {
        free.popLast() ?? ReadBuffer(size: Self.initialSize, limits: limits)
    }

    func give(_ buffer: ReadBuffer) {
        // Grown buffers go back to the allocator: the pool keeps only small ones.
        guard free.count < keepAtMost, buffer.bytes.count <= Self.initialSize else { return }
        buffer.parser.reset()
        free.append(buffer)
    }
}
