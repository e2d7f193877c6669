/// The three request patterns of each step.
public enum CompareVariant: String, CaseIterable, Sendable {
    /// Persistent connections, the small file.
    case keepAliveSmall = "keep-alive-small"
    /// `Connection: close`, a new connection per request, the small file.
    case closeSmall = "close-small"
    /// Persistent connections, the large file.
    case keepAliveLarge = "keep-alive-large"

    public var keepAlive: Bool { self != .closeSmall }
    public var large: Bool { self == .keepAliveLarge }

    /// For the table and the charts.
    public var title: String {
        switch self {
        case .keepAliveSmall: "keep-alive, small file"
        case .closeSmall: "new connection per request, small file"
        case .keepAliveLarge: "keep-alive, large file"
        }
    }
}
