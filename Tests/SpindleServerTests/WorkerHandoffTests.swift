import Testing

@testable import SpindleServer

@Suite struct WorkerHandoffTests {
    @Test func roundTripsThroughTheEnvironmentEntry() throws {
        let handoff = WorkerHandoff(
            index: 3, slots: 5, doorbell: 6, supervisor: 4242, counters: 7, statusListener: 8, listeners: [3, 4, 9])
        let entry = handoff.environmentEntry
        #expect(entry == "SPINDLE_WORKER=3 5 6 4242 7 8 3,4,9")
        let value = String(entry.dropFirst("SPINDLE_WORKER=".count))
        #expect(WorkerHandoff(parsing: value) == handoff)
        #expect(handoff.descriptors == [5, 6, 7, 8, 3, 4, 9])
        let noStatus = try #require(WorkerHandoff(parsing: "0 5 6 4242 7 - 3"))
        #expect(noStatus.statusListener == nil && noStatus.descriptors == [5, 6, 7, 3])
    }

    @Test(arguments: [
        "", "1 5 6 7 8 - ", "x 5 6 7 8 - 3", "-1 5 6 7 8 - 3", "1 5 6 7 8 - 3,x", "1 1 6 7 8 - 3",
        "1 5 5 7 8 - 3", "1 5 6 7 8 - 5", "1 5 6 7 8 x 3", "1 5 6 7 8 9 9", "1 5 6 7 8 - 3 4", "1 5 6 7 - 3",
    ])
    func rejectsMalformedValues(_ value: String) {
        #expect(WorkerHandoff(parsing: value) == nil)
    }
}
