/// How connections are served. Both modes run the same parser and `Responder`; they differ only in
/// how bytes move (one epoll loop, or one blocking thread per connection).
public enum ServingMode: String, Sendable, Hashable, CaseIterable {
    case eventLoop = "event-loop"
    case threads = "threads"
}
