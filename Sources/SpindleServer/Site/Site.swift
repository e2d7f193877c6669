import HTTP1

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
    /// Status code → a file under the root served as the body of that error answer, when it is a
    /// regular file (otherwise the generated page).
    public var errorPages: [Int: String]
    /// Precompressed variants looked for beside each file, in the server's order of preference.
    public var precompressed: [ContentCoding]
    public var cachePolicy: CachePolicy
    /// A file under the root answering GET and HEAD for missing extension-less paths (client-side
    /// routes); empty for none.
    public var fallback: String
    public var cors: CORSPolicy
    /// Whether a directory without an index file gets a listing (else 403).
    public var listing: Bool
    /// Most entries a listing shows; a directory with more says the listing is truncated.
    public var listingMaxEntries: Int
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
        errorPages: [Int: String] = [404: "404.html"],
        precompressed: [ContentCoding] = [.br, .zstd, .gzip],
        cachePolicy: CachePolicy = CachePolicy(),
        fallback: String = "",
        cors: CORSPolicy = CORSPolicy(),
        listing: Bool = false,
        listingMaxEntries: Int = 10_000,
        cacheTTLNanoseconds: Int64 = 1_000_000_000,
        cacheCapacity: Int = 512
    ) {
        self.root = root
        self.indexFiles = indexFiles
        self.dotfiles = dotfiles
        self.mimeOverrides = mimeOverrides
        self.extraHeaders = extraHeaders
        self.errorPages = errorPages
        self.precompressed = precompressed
        self.cachePolicy = cachePolicy
        self.fallback = fallback
        self.cors = cors
        self.listing = listing
        self.listingMaxEntries = listingMaxEntries
        self.cacheTTLNanoseconds = cacheTTLNanoseconds
        self.cacheCapacity = cacheCapacity
    }
}
