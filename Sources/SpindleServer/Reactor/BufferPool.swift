import HTTP1

/// A read buffer and the parser reading from it: lent to a connection only while it reads a request
/// head, so an idle keep-alive connection holds neither (nginx's lesson: ten thousand idle clients
/// should cost little).
final class ReadBuffer {
    let bytes: UnsafeMutableRawBufferPointer
    var parser: RequestParser

    init(size: Int, limits: ParserLimits) {
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        parser = RequestParser(limits: limits)
    }

    deinit { bytes.deallocate() }

    /// The first `count` bytes, as the parser and the Responder read them.
    func prefix(_ count: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[..<count]) }
}

/// Read buffers kept for reuse.
final class BufferPool {
    private let limits: ParserLimits
    private var free: [ReadBuffer] = []
    private let keepAtMost: Int

    /// Buffers hold a whole head at the largest size the parser accepts.
    init(limits: ParserLimits, keepAtMost: Int = 256) {
        self.limits = limits
        self.keepAtMost = keepAtMost
    }

    func take() -> ReadBuffer {
        free.popLast() ?? ReadBuffer(size: limits.maxHead, limits: limits)
    }

    func give(_ buffer: ReadBuffer) {
        guard free.count < keepAtMost else { return }
        buffer.parser.reset()
        free.append(buffer)
    }
}
