/// Connections waiting on one kind of timeout, in deadline order. Every entry of a queue has the
/// same timeout added to a monotonic "now", so insertion order is deadline order: arming is an
/// append, disarming an unlink, and expiry looks only at the head. No scan of all connections, no
/// heap; an intrusive doubly linked list over slot indices.
struct DeadlineQueue {
    private(set) var head = -1
    private var tail = -1

    /// Links for every slot; shared by all queues (a connection is in at most one queue at a time).
    struct Links {
        var next: [Int32] = []
        var previous: [Int32] = []
        var queue: [Int8] = []  // which queue holds the slot, -1 for none
        var deadline: [Int64] = []

        mutating func grow(to count: Int) {
            while next.count < count {
                next.append(-1)
                previous.append(-1)
                queue.append(-1)
                deadline.append(0)
            }
        }
    }

    let id: Int8

    init(id: Int8) { self.id = id }

    /// Appends `slot` with `deadline`, which must not be earlier than the tail's.
    mutating func append(_ slot: Int, deadline: Int64, links: inout Links) {
        links.queue[slot] = id
        links.deadline[slot] = deadline
        links.next[slot] = -1
        links.previous[slot] = Int32(tail)
        if tail >= 0 { links.next[tail] = Int32(slot) } else { head = slot }
        tail = slot
    }

    mutating func remove(_ slot: Int, links: inout Links) {
        let previous = Int(links.previous[slot])
        let next = Int(links.next[slot])
        if previous >= 0 { links.next[previous] = Int32(next) } else { head = next }
        if next >= 0 { links.previous[next] = Int32(previous) } else { tail = previous }
        links.queue[slot] = -1
        links.next[slot] = -1
        links.previous[slot] = -1
    }
}
