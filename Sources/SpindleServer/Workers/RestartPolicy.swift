/// When to restart a worker that died, and when to give up: a worker that keeps dying (a crash
/// loop) would otherwise be restarted forever, hiding the problem and burning a core.
struct RestartPolicy {
    enum Decision: Equatable {
        /// Start a replacement after this many nanoseconds.
        case restart(after: Int64)
        /// Too many deaths too close together: stop the server.
        case giveUp
    }

    /// `limit` deaths within `window` nanoseconds is a crash loop.
    var limit = 5
    var window: Int64 = 10_000_000_000
    /// The first replacement starts at once; each further death within the window doubles the delay.
    var firstDelay: Int64 = 100_000_000
    var maximumDelay: Int64 = 2_000_000_000

    private var deaths: [Int64] = []

    /// Records a death at monotonic time `now` (any worker's: the cause is usually shared).
    mutating func died(at now: Int64) -> Decision {
        deaths.removeAll { now - $0 >= window }
        deaths.append(now)
        if deaths.count >= limit { return .giveUp }
        if deaths.count == 1 { return .restart(after: 0) }
        return .restart(after: min(maximumDelay, firstDelay << (deaths.count - 2)))
    }
}
