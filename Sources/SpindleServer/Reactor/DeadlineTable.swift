/// The reactor's deadlines: for each `DeadlineKind`, the connections waiting under it in deadline
/// order, as an intrusive doubly linked list over slot indices. Every deadline of a kind is "now plus
/// that kind's timeout", so a new one almost always belongs at the tail: arming is an append,
/// disarming an unlink, and expiry looks only at each list's head. No scan of all connections, no heap.
///
/// Only a reload that shortens a timeout breaks the order (new deadlines come earlier than older
/// ones still queued). Arming therefore walks back from the tail past later deadlines: nothing in
/// the steady state, and until the older entries expire after such a reload.
struct DeadlineTable {
    private var next: [Int32] = []
    private var previous: [Int32] = []
    /// The kind each slot waits under, -1 for none.
    private var kinds: [Int8] = []
    private var times: [Int64] = []
    private var heads = [Int](repeating: -1, count: DeadlineKind.allCases.count)
    private var tails = [Int](repeating: -1, count: DeadlineKind.allCases.count)

    mutating func grow(to count: Int) {
        while next.count < count {
            next.append(-1)
            previous.append(-1)
            kinds.append(-1)
            times.append(0)
        }
    }

    /// The deadline `slot` waits under, if any.
    func deadline(of slot: Int) -> Deadline? {
        guard let kind = DeadlineKind(rawValue: kinds[slot]) else { return nil }
        return Deadline(kind: kind, time: times[slot])
    }

    /// Makes `slot` wait under `deadline` (or under none), replacing what it waited under.
    mutating func set(_ slot: Int, _ deadline: Deadline?) {
        guard self.deadline(of: slot) != deadline else { return }
        remove(slot)
        guard let deadline else { return }
        let kind = Int(deadline.kind.rawValue)
        // Find the entry to insert after: the tail, unless a reload made later deadlines queue first.
        var after = tails[kind]
        while after >= 0 && times[after] > deadline.time { after = Int(previous[after]) }
        let before = after >= 0 ? Int(next[after]) : heads[kind]
        kinds[slot] = deadline.kind.rawValue
        times[slot] = deadline.time
        previous[slot] = Int32(after)
        next[slot] = Int32(before)
        if after >= 0 { next[after] = Int32(slot) } else { heads[kind] = slot }
        if before >= 0 { previous[before] = Int32(slot) } else { tails[kind] = slot }
    }

    /// The earliest deadline of all, if any.
    var earliest: Int64? {
        var earliest: Int64?
        for head in heads where head >= 0 { earliest = min(earliest ?? .max, times[head]) }
        return earliest
    }

    /// A slot whose deadline is at or before `now`, if any (it stays armed until set again).
    func expired(at now: Int64) -> Int? {
        for head in heads where head >= 0 && times[head] <= now { return head }
        return nil
    }

    private mutating func remove(_ slot: Int) {
        let kind = Int(kinds[slot])
        guard kind >= 0 else { return }
        let previous = Int(self.previous[slot])
        let next = Int(self.next[slot])
        if previous >= 0 { self.next[previous] = Int32(next) } else { heads[kind] = next }
        if next >= 0 { self.previous[next] = Int32(previous) } else { tails[kind] = previous }
        kinds[slot] = -1
        self.next[slot] = -1
        self.previous[slot] = -1
    }
}
