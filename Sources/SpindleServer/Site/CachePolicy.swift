/// Which `Cache-Control` a file's 200, 206 and 304 answers carry. Decided once per opened file (the
/// value is stored, as header bytes, in its `OpenFile`), never per request; error answers carry none.
///
/// `rules` come first, in order, the first match winning. Then, in `auto` mode: HTML gets `no-cache`
/// (a deploy shows at once, and revalidation is a cheap 304), a fingerprinted name gets a year and
/// `immutable` (see `Fingerprint`), everything else `max-age` seconds. HTML is decided before the
/// fingerprint: a page pinned in caches for a year cannot be taken back. `off` sends no header unless
/// a rule matches.
public struct CachePolicy: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        case auto, off
    }

    public struct Rule: Sendable, Equatable {
        /// A path from the root (`/fonts/*`): `*` stands for any run of characters, `/` included, and
        /// anything else for itself, so `*.woff2` matches every font file.
        public var match: String
        public var cacheControl: String

        public init(match: String, cacheControl: String) {
            self.match = match
            self.cacheControl = cacheControl
        }
    }

    public var mode: Mode
    /// For files neither HTML nor fingerprinted, in `auto` mode.
    public var maxAge: Int
    public var rules: [Rule]

    public static let immutable = "public, max-age=31536000, immutable"
    public static let noCache = "no-cache"

    public init(mode: Mode = .auto, maxAge: Int = 3600, rules: [Rule] = []) {
        self.mode = mode
        self.maxAge = maxAge
        self.rules = rules
    }

    /// The value for the file at `path` (from the root, with a leading `/`) of type `contentType`.
    public func cacheControl(forPath path: String, contentType: String) -> String? {
        if let rule = rules.first(where: { Self.matches($0.match, path) }) { return rule.cacheControl }
        guard mode == .auto else { return nil }
        if contentType.hasPrefix("text/html") || contentType.hasPrefix("application/xhtml+xml") { return Self.noCache }
        if Fingerprint.isFingerprinted(path: path) { return Self.immutable }
        return "public, max-age=\(maxAge)"
    }

    /// Glob match with `*` only, by backtracking to the last star: linear for one star, and a rule has
    /// a handful at most.
    static func matches(_ pattern: String, _ path: String) -> Bool {
        let p = Array(pattern.utf8)
        let s = Array(path.utf8)
        var i = 0
        var j = 0
        var star = -1
        var resume = 0
        while j < s.count {
            if i < p.count && p[i] == UInt8(ascii: "*") {
                star = i
                i += 1
                resume = j
            } else if i < p.count && p[i] == s[j] {
                i += 1
                j += 1
            } else if star >= 0 {
                i = star + 1
                resume += 1
                j = resume
            } else {
                return false
            }
        }
        while i < p.count && p[i] == UInt8(ascii: "*") { i += 1 }
        return i == p.count
    }
}
