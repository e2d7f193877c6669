import Testing

@testable import Posix

@Suite struct EventDescriptorTests {
    @Test func signalWakesAPollAndClearRearmsIt() throws {
        let event = try EventDescriptor()
        var poll = Poll()
        let index = poll.add(event.descriptor.rawValue)
        #expect(try poll.wait(timeoutMilliseconds: 0) == 0)
        event.signal()
        event.signal()
        #expect(try poll.wait(timeoutMilliseconds: 1000) == 1)
        #expect(poll.isReady(index))
        event.clear()  // one read takes both signals
        #expect(try poll.wait(timeoutMilliseconds: 0) == 0)
        #expect(!poll.isReady(index))
    }
}
