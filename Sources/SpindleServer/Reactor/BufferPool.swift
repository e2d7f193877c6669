/// Fixed-size read buffers lent to connections while they read a request head, so that an idle
/// keep-alive connection holds none (nginx's lesson: ten thousand idle clients should cost little).
final class BufferPool {
    let bufferSize: Int
    private var free: [UnsafeMutableRawBufferPointer] = []
    private let keepAtMost: Int

    init(bufferSize: Int, keepAtMost: Int = 256) {
        self.bufferSize = bufferSize
        self.keepAtMost = keepAtMost
    }

    deinit { for buffer in free { buffer.deallocate() } }

    func take() -> UnsafeMutableRawBufferPointer {
        if let buffer = free.popLast() { return buffer }
        return UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
    }

    func give(_ buffer: UnsafeMutableRawBufferPointer) {
        if free.count < keepAtMost { free.append(buffer) } else { buffer.deallocate() }
    }
}
