import Glibc
import Synchronization
import Testing

@testable import Posix

@Suite struct SignalDescriptorTests {
    private final class Shared: Sendable {
        let blocked = Atomic<Bool>(false)
        let done: EventDescriptor
        init() throws(Errno) { done = try EventDescriptor() }
    }

    @Test func blockAddsToTheCallingThreadsMask() throws {
        // On a thread of its own, so the test runner's threads keep their masks.
        let shared = try Shared()
        try PosixThread.spawn(stackSize: 1 << 20) {
            var mask = sigset_t()
            if (try? SignalDescriptor.block([SIGUSR2])) != nil, pthread_sigmask(SIG_BLOCK, nil, &mask) == 0 {
                shared.blocked.store(sigismember(&mask, SIGUSR2) == 1, ordering: .sequentiallyConsistent)
            }
            shared.done.signal()
        }
        var poll = Poll()
        poll.add(shared.done.descriptor.rawValue)
        #expect(try poll.wait(timeoutMilliseconds: 10_000) == 1)
        let blocked = shared.blocked.load(ordering: .sequentiallyConsistent)
        #expect(blocked)
    }
}
