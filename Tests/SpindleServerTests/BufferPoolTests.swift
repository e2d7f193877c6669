import HTTP1
import Testing

@testable import SpindleServer

@Suite struct BufferPoolTests {
    @Test func buffersStartSmallAndGrowToTheHeadLimitKeepingTheirBytes() {
        let pool = BufferPool(limits: ParserLimits(maxRequestLine: 1024, maxHead: 10_000, maxHeaderCount: 10))
        let buffer = pool.take()
        #expect(buffer.bytes.count == BufferPool.initialSize)
        for i in 0..<buffer.bytes.count { buffer.bytes[i] = UInt8(truncatingIfNeeded: i) }
        #expect(buffer.grow(keeping: 4096))
        #expect(buffer.bytes.count == 8192)
        #expect((0..<4096).allSatisfy { buffer.bytes[$0] == UInt8(truncatingIfNeeded: $0) })
        #expect(buffer.grow(keeping: 8192))
        // Capped at the limit (the head limit and room for body bytes), not doubled past it.
        #expect(buffer.bytes.count == 10_000 + ReadBuffer.bodyRoom)
        #expect(!buffer.grow(keeping: 10_000))
    }

    @Test func onlySmallBuffersReturnToThePool() {
        let pool = BufferPool(limits: ParserLimits())
        let grown = pool.take()
        _ = grown.grow(keeping: 0)
        pool.give(grown)
        let small = pool.take()
        #expect(small !== grown)
        pool.give(small)
        #expect(pool.take() === small)
    }
}
