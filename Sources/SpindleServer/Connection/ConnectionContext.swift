/// What the connection core needs from its serving mode at each step: what decides answers (the
/// site's Responder, or the status listener's), the settings in force, the clocks, whether the
/// server is draining, and where to count. The reactor keeps one per kind of listener and updates
/// its clocks once per turn of the loop; a connection thread keeps its own.
struct ConnectionContext<Answerer: Answering> {
    var responder: Answerer
    var settings: ServerSettings
    var hooks: ServerHooks
    /// Monotonic nanoseconds, for deadlines.
    var now: Int64
    /// Wall-clock seconds, for `Date` and the access log.
    var wallNow: Int64
    /// Once set, every answer ends its connection.
    var draining = false
    /// Responses and parse errors are counted here (not the status listener's own requests).
    var counters: ServerCounters? = nil
}
