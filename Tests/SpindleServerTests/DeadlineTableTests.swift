import Testing

@testable import SpindleServer

@Suite struct DeadlineTableTests {
    /// Every slot that has expired by `now`, in the order the reactor would meet them, each disarmed.
    private func expire(_ table: inout DeadlineTable, at now: Int64) -> [Int] {
        var slots: [Int] = []
        while let slot = table.expired(at: now) {
            slots.append(slot)
            table.set(slot, nil)
        }
        return slots
    }

    @Test func keepsDeadlineOrderPerKindAndUnlinksFromAnywhere() {
        var table = DeadlineTable()
        table.grow(to: 8)
        for slot in [5, 1, 7, 3] { table.set(slot, Deadline(kind: .idle, time: Int64(10 + slot))) }
        table.set(1, nil)  // middle
        table.set(5, nil)  // head
        #expect(table.earliest == 13)
        #expect(table.deadline(of: 5) == nil)
        #expect(table.deadline(of: 7) == Deadline(kind: .idle, time: 17))
        table.set(3, nil)  // tail
        #expect(table.earliest == 17)
        table.set(4, Deadline(kind: .idle, time: 99))
        #expect(expire(&table, at: 98) == [7])
        #expect(expire(&table, at: 99) == [4])
        #expect(table.earliest == nil)
    }

    @Test func rearmingMovesBetweenKinds() {
        var table = DeadlineTable()
        table.grow(to: 4)
        table.set(0, Deadline(kind: .head, time: 5))
        table.set(1, Deadline(kind: .send, time: 3))
        table.set(0, Deadline(kind: .linger, time: 9))
        #expect(table.earliest == 3)
        #expect(expire(&table, at: 8) == [1])
        #expect(expire(&table, at: 9) == [0])
    }

    /// A reload that shortens a timeout makes new deadlines earlier than older ones of the same kind.
    /// Appended at the tail, the new ones would wait behind the old and expire late.
    @Test func aShortenedTimeoutAfterReloadStillExpiresOnTime() {
        var table = DeadlineTable()
        table.grow(to: 4)
        let now: Int64 = 1_000
        table.set(0, Deadline(kind: .idle, time: now + 75))  // armed under the old 75 s keep-alive
        table.set(1, Deadline(kind: .idle, time: now + 76))
        table.set(2, Deadline(kind: .idle, time: now + 1 + 5))  // after a reload to 5 s
        #expect(table.earliest == now + 6)
        #expect(expire(&table, at: now + 6) == [2])
        #expect(expire(&table, at: now + 75) == [0])
        #expect(expire(&table, at: now + 80) == [1])
    }

    @Test func settingTheSameDeadlineAgainKeepsItsPlace() {
        var table = DeadlineTable()
        table.grow(to: 2)
        table.set(0, Deadline(kind: .head, time: 4))
        table.set(1, Deadline(kind: .head, time: 4))
        table.set(0, Deadline(kind: .head, time: 4))
        #expect(expire(&table, at: 4) == [0, 1])
    }
}
