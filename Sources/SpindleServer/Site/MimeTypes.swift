/// File extension → Content-Type. Looked up once per opened file (not per request): the result is
/// stored, as header bytes, in the `OpenFile`.
public struct MimeTypes: Sendable {
    public static let defaultType = "application/octet-stream"

    /// Common web types. Text types carry `charset=utf-8`: browsers otherwise guess (windows-1252 for
    /// text/plain), which mangles any non-ASCII character.
    public static let builtIn: [String: String] = [
        "html": "text/html; charset=utf-8",
        "htm": "text/html; charset=utf-8",
        "xhtml": "application/xhtml+xml; charset=utf-8",
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "mjs": "text/javascript; charset=utf-8",
        "json": "application/json; charset=utf-8",
        "map": "application/json; charset=utf-8",
        "jsonld": "application/ld+json; charset=utf-8",
        "webmanifest": "application/manifest+json; charset=utf-8",
        "xml": "application/xml; charset=utf-8",
        "rss": "application/rss+xml; charset=utf-8",
        "atom": "application/atom+xml; charset=utf-8",
        "svg": "image/svg+xml; charset=utf-8",
        "txt": "text/plain; charset=utf-8",
        "md": "text/markdown; charset=utf-8",
        "csv": "text/csv; charset=utf-8",
        "ics": "text/calendar; charset=utf-8",
        "vtt": "text/vtt; charset=utf-8",
        "png": "image/png",
        "apng": "image/apng",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
        "avif": "image/avif",
        "ico": "image/x-icon",
        "bmp": "image/bmp",
        "tif": "image/tiff",
        "tiff": "image/tiff",
        "woff": "font/woff",
        "woff2": "font/woff2",
        "ttf": "font/ttf",
        "otf": "font/otf",
        "wasm": "application/wasm",
        "pdf": "application/pdf",
        "zip": "application/zip",
        "gz": "application/gzip",
        "tar": "application/x-tar",
        "mp4": "video/mp4",
        "webm": "video/webm",
        "ogv": "video/ogg",
        "mp3": "audio/mpeg",
        "m4a": "audio/mp4",
        "ogg": "audio/ogg",
        "oga": "audio/ogg",
        "opus": "audio/ogg",
        "wav": "audio/wav",
        "flac": "audio/flac",
    ]

    private let table: [String: String]

    /// `overrides` keys may be given with or without the leading dot, in any case. Values containing
    /// CR, LF or NUL are dropped: they would split the response head.
    public init(overrides: [String: String] = [:]) {
        var table = Self.builtIn
        for (key, value) in overrides where !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) {
            let trimmed = key.hasPrefix(".") ? String(key.dropFirst()) : key
            table[Self.lowercasedASCII(trimmed)] = value
        }
        self.table = table
    }

    /// The Content-Type for a relative path, by the extension of its last segment. A name whose only
    /// dot is its first character (`.profile`) has no extension.
    public func contentType(forPath path: String) -> String {
        let utf8 = path.utf8
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")) else { return Self.defaultType }
        if let slash = utf8.lastIndex(of: UInt8(ascii: "/")), slash > dot { return Self.defaultType }
        if dot == utf8.startIndex || utf8[utf8.index(before: dot)] == UInt8(ascii: "/") { return Self.defaultType }
        let ext = Self.lowercasedASCII(String(path[path.index(after: dot)...]))
        return table[ext] ?? Self.defaultType
    }

    private static func lowercasedASCII(_ text: String) -> String {
        String(
            decoding: text.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 },
            as: UTF8.self)
    }
}
