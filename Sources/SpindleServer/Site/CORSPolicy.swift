/// Cross-origin access (the Fetch standard's CORS protocol) for GET and HEAD: which origins may read
/// the site's answers, and how long a browser may keep a preflight's answer.
public struct CORSPolicy: Sendable, Equatable {
    /// Serialised origins (`https://example.com`), or `["*"]` for any; empty turns CORS off.
    public var allowOrigins: [String]
    /// `Access-Control-Max-Age` of preflight answers, in seconds.
    public var maxAge: Int

    public init(allowOrigins: [String] = [], maxAge: Int = 86_400) {
        self.allowOrigins = allowOrigins
        self.maxAge = maxAge
    }

    public var isEnabled: Bool { !allowOrigins.isEmpty }
    public var allowsAnyOrigin: Bool { allowOrigins.contains("*") }
}
