/// Whether paths with a component starting with `.` (`.git/config`, `.env`) are served.
public enum DotfilePolicy: String, Sendable, Hashable, CaseIterable {
    /// Answer 404 as if they did not exist, so their presence is not revealed either.
    case deny
    case allow
}
