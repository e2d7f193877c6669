import Glibc
import Posix
import Testing

@testable import SpindleServer

@Suite struct WorkerSlotsTests {
    @Test func slotsAreWholeCacheLines() {
        #expect(WorkerSlots.slotStride % 64 == 0)
        #expect(WorkerSlots.slotStride >= WorkerSlots.Field.allCases.count * 8)
    }

    /// What a worker stores through its own mapping of the inherited descriptor, the supervisor sees.
    @Test func aSecondMappingSharesTheCounters() throws {
        let supervisor = try WorkerSlots(count: 3)
        #expect(supervisor.sum(.requests) == 0)
        let worker = try WorkerSlots(inherited: FileDescriptor(owning: dup(supervisor.descriptor)))
        #expect(worker.count == 3)
        worker[1, .requests] = 40
        worker[2, .requests] = 2
        worker[2, .connections] = 7
        #expect(supervisor[1, .requests] == 40)
        #expect(supervisor.sum(.requests) == 42)
        #expect(supervisor.sum(.connections) == 7)
        supervisor.reset(2)
        #expect(worker[2, .requests] == 0 && worker[2, .connections] == 0)
        #expect(worker[1, .requests] == 40)
    }
}
