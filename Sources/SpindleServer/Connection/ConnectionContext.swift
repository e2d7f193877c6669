/// What the connection core needs from its serving mode at each step: the Responder that decides
/// answers, the settings in force, the clocks, and whether the server is draining. The reactor keeps
/// one and updates its clocks once per turn of the loop; a connection thread keeps its own.
struct ConnectionContext {
    var responder: Responder
    var settings: ServerSettings
    var hooks: ServerHooks
    /// Monotonic nanoseconds, for deadlines.
    var now: Int64
    /// Wall-clock seconds, for `Date` and the access log.
    var wallNow: Int64
    /// Once set, every answer ends its connection.
    var draining = false
}
