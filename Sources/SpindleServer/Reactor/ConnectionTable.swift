/// The reactor's open connections by slot, with the generation that makes each epoll token unique:
/// a token is `generation << 32 | slot`, so an event still queued for a connection that was closed,
/// and whose slot and descriptor number were reused since, no longer finds a connection.
struct ConnectionTable {
    private var slots: [Connection?] = []
    private var generations: [UInt32] = []
    private var free: [Int] = []
    private(set) var count = 0

    /// Slots ever used (the size per-slot tables need).
    var capacity: Int { slots.count }

    /// Takes a free slot and the token for its next connection; `insert` must follow.
    mutating func reserve() -> (slot: Int, token: UInt64) {
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
        } else {
            slot = slots.count
            slots.append(nil)
            generations.append(0)
        }
        // 30 bits of generation: the token's top two bits stay free for the reactor's other tags.
        generations[slot] = (generations[slot] &+ 1) & 0x3fff_ffff
        return (slot, UInt64(generations[slot]) << 32 | UInt64(slot))
    }

    /// Adds a connection built for the slot and token `reserve` gave.
    mutating func insert(_ connection: Connection) {
        slots[connection.slot] = connection
        count += 1
    }

    /// The connection an event's token names, unless it has closed since.
    func connection(for token: UInt64) -> Connection? {
        let slot = Int(token & 0xffff_ffff)
        guard slot < slots.count, let connection = slots[slot], connection.token == token else { return nil }
        return connection
    }

    subscript(slot: Int) -> Connection? { slots[slot] }

    func contains(_ connection: Connection) -> Bool { slots[connection.slot] === connection }

    /// Removes the connection; false if it was already gone.
    mutating func remove(_ connection: Connection) -> Bool {
        guard contains(connection) else { return false }
        slots[connection.slot] = nil
        free.append(connection.slot)
        count -= 1
        return true
    }

    var all: [Connection] { slots.compactMap { $0 } }
}
