import Glibc
import Testing

@testable import Posix

@Suite struct PollTests {
    @Test func reportsWhichDescriptorIsReady() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let reader = FileDescriptor(owning: ends[0])
        let writer = FileDescriptor(owning: ends[1])
        var poll = Poll()
        let readable = poll.add(reader.rawValue)
        let writable = poll.add(writer.rawValue, .writable)
        #expect(poll.count == 2)
        #expect(try poll.wait(timeoutMilliseconds: 1000) == 1)
        #expect(!poll.isReady(readable) && poll.isReady(writable))

        _ = try Array("x".utf8).withUnsafeBytes { try writer.write($0) }
        poll.removeAll()
        let again = poll.add(reader.rawValue)
        #expect(try poll.wait(timeoutMilliseconds: 1000) == 1)
        #expect(poll.isReady(again))
    }

    @Test func timesOutWithNothingReady() throws {
        let event = try EventDescriptor()
        var poll = Poll()
        poll.add(event.descriptor.rawValue)
        let start = MonotonicClock.nanoseconds()
        #expect(try poll.wait(timeoutMilliseconds: 20) == 0)
        #expect(MonotonicClock.nanoseconds() - start >= 15_000_000)
    }
}
