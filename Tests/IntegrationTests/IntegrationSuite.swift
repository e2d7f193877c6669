import Testing

/// All integration suites nest in this one so that they run one after another: each test starts its
/// own server, and timing-sensitive ones (timeouts, thread counts, load) must not compete for the
/// machine's cores with 100 MiB transfers of their neighbours.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct Integration {}
