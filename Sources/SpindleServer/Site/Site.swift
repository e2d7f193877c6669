/// Immutable settings of the website being served. Built once from the configuration and shared by
/// every serving thread; each thread makes its own `Responder` from it.
public struct Site: Sendable {
    /// The directory served; nothing outside it is reachable.
    public var root: String
    /// Tried in order when a directory is requested with a trailing slash.
    public var indexFiles: [String]
    public var dotfiles: DotfilePolicy
    /// File extension (without the dot, case-insensitive) → Content-Type, over the built-in table.
    public var mimeOverrides: [String: String]
    /// Added to every response, in order (like nginx's `add_header ... always`).
    public var extraHeaders: [(name: String, value: String)]
    /// Serve the root's `404.html` (when it is a regular file) as the body of 404 answers.
    public var customNotFoundPage: Bool
    /// How long an opened file is trusted before it is re-opened and re-checked.
    public var cacheTTLNanoseconds: Int64
    /// Most paths kept open per Responder; each file entry holds one descriptor.
    public var cacheCapacity: Int

    public init(
        root: String,
        indexFiles: [String] = ["index.html"],
        dotfiles: DotfilePolicy = .deny,
        mimeOverrides: [String: String] = [:],
        extraHeaders: [(name: String, value: String)] = [],
        customNotFoundPage: Bool = true,
        cacheTTLNanoseconds: Int64 = 1_000_000_000,
        cacheCapacity: Int = 512
    ) {
        self.root = root
        self.indexFiles = indexFiles
        self.dotfiles = dotfiles
        self.mimeOverrides = mimeOverrides
        self.extraHeaders = extraHeaders
        self.customNotFoundPage = customNotFoundPage
        self.cacheTTLNanoseconds = cacheTTLNanoseconds
        self.cacheCapacity = cacheCapacity
    }
}
