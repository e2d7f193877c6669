/// The content codings Spindle can serve from precompressed files (RFC 9110 §8.4.1), each stored
/// beside the original file with its own suffix.
public enum ContentCoding: UInt8, Sendable, CaseIterable {
    case br, zstd, gzip

    /// The coding's name in the configuration, Accept-Encoding and Content-Encoding.
    public var name: String {
        switch self {
        case .br: "br"
        case .zstd: "zstd"
        case .gzip: "gzip"
        }
    }

    /// What a precompressed file adds to the name of the file it encodes, as `brotli -k`, `zstd -k` and
    /// `gzip -k` write it.
    public var fileSuffix: String {
        switch self {
        case .br: ".br"
        case .zstd: ".zst"
        case .gzip: ".gz"
        }
    }

    public init?(name: String) {
        guard let coding = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = coding
    }
}
