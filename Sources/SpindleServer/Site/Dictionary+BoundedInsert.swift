extension Dictionary {
    /// Stores `value` at `key`, first making room when the dictionary holds `capacity` entries:
    /// the stale ones go (`isFresh` false), or if none is, an arbitrary one. Not LRU: tracking recency
    /// would cost every hit a write, and a static site's working set usually fits. The file cache and
    /// the listing cache bound themselves with it.
    mutating func insert(_ value: Value, at key: Key, capacity: Int, isFresh: (Value) -> Bool) {
        if self[key] == nil && count >= capacity {
            let before = count
            self = filter { isFresh($0.value) }
            if count == before, let first { removeValue(forKey: first.key) }
        }
        self[key] = value
    }
}
