import Testing

@testable import SpindleServer

@Suite struct WorkerHandoffTests {
    @Test func roundTripsThroughTheEnvironmentEntry() throws {
        let handoff = WorkerHandoff(index: 3, slots: 5, doorbell: 6, supervisor: 4242, listeners: [3, 4, 9])
        let entry = handoff.environmentEntry
        #expect(entry == "SPINDLE_WORKER=3 5 6 4242 3,4,9")
        let value = String(entry.dropFirst("SPINDLE_WORKER=".count))
        #expect(WorkerHandoff(parsing: value) == handoff)
        #expect(handoff.descriptors == [5, 6, 3, 4, 9])
    }

    @Test(arguments: [
        "", "1 5 6 7", "x 5 6 7 3", "1 5 6 7 ", "-1 5 6 7 3", "1 5 6 7 3,x", "1 1 6 7 3", "1 5 5 7 3",
        "1 5 6 7 5", "1 5 6 7 3 4",
    ])
    func rejectsMalformedValues(_ value: String) {
        #expect(WorkerHandoff(parsing: value) == nil)
    }
}
