import HTTP1
import Posix

/// An opened regular file with everything a response needs precomputed as header bytes, so that
/// serving it again costs no formatting. Immutable: when the file changes on disk, the cache makes a
/// new `OpenFile`; responses in flight keep the old one (and its descriptor) alive until they finish.
public final class OpenFile: Sendable {
    public let descriptor: FileDescriptor
    public let status: FileStatus
    /// The strong entity tag with its quotes; a precompressed variant's carries its coding, so that it
    /// differs from the original's even if size and time agree.
    public let etag: [UInt8]
    /// The modification time in epoch seconds (what Last-Modified says).
    public let lastModified: Int64
    /// `Content-Type: …\r\n`, plus `Content-Encoding: …\r\n` for a precompressed variant.
    public let contentTypeLine: [UInt8]
    /// The validators, then `Cache-Control` (from the caching policy) and `Vary: Accept-Encoding` (when
    /// the file has variants), for 200, 206 and 304: precomputed, so the policy costs no work per request.
    public let representationLines: [UInt8]
    /// The same with `Cache-Control: no-cache` instead of the policy's, for the client-side route
    /// fallback (its validators, and always revalidated).
    public let fallbackLines: [UInt8]
    /// The bare Content-Type value, for multipart part headers.
    public let contentType: [UInt8]
    /// The whole content of a small file, read when it was opened, so that its response leaves in a
    /// single send with the head. It is as fresh as `status` (the cache re-checks both together), and
    /// its length is the one announced, whatever happens to the file meanwhile.
    public let contents: [UInt8]?
    /// Set on a precompressed variant: what its bytes are encoded with.
    public let coding: ContentCoding?
    /// The fresh precompressed variants beside this file, in the configured order of preference.
    public let variants: [OpenFile]
    /// Their codings, in the same order (what negotiation chooses from).
    public let variantCodings: [ContentCoding]

    /// Files up to this size are kept in memory (at most the file cache's capacity of them).
    public static let inMemoryLimit: Int64 = 16 * 1024

    public var size: Int64 { status.size }

    /// - Parameters:
    ///   - coding: set when this file is a precompressed variant of another (`contentType` is then the
    ///     original's).
    ///   - cacheControl: the `Cache-Control` value the caching policy gives the original, if any.
    ///   - variants: the original's precompressed variants.
    public init(
        descriptor: consuming FileDescriptor, status: FileStatus, contentType: String, coding: ContentCoding? = nil,
        cacheControl: String? = nil, variants: [OpenFile] = []
    ) {
        var status = status
        contents = Self.readSmall(descriptor, &status)
        self.descriptor = descriptor
        self.status = status
        self.coding = coding
        self.variants = variants
        variantCodings = variants.compactMap(\.coding)
        var tag = EntityTag.make(
            size: status.size, modificationSeconds: status.modificationSeconds,
            modificationNanoseconds: status.modificationNanoseconds)
        if let coding {
            tag.removeLast()
            tag.append(UInt8(ascii: "-"))
            tag += coding.name.utf8
            tag.append(UInt8(ascii: "\""))
        }
        etag = tag
        lastModified = status.modificationSeconds
        self.contentType = Array(contentType.utf8)
        var typeLine = [UInt8]()
        typeLine.append("Content-Type: ")
        typeLine += contentType.utf8
        typeLine.append("\r\n")
        if let coding {
            typeLine.append("Content-Encoding: ")
            typeLine += coding.name.utf8
            typeLine.append("\r\n")
        }
        contentTypeLine = typeLine
        var validators = [UInt8]()
        validators.append("Last-Modified: ")
        HTTPDate.append(status.modificationSeconds, to: &validators)
        validators.append("\r\nETag: ")
        validators += etag
        validators.append("\r\n")
        var vary = [UInt8]()
        if coding != nil || !variants.isEmpty { vary.append("Vary: Accept-Encoding\r\n") }
        func lines(cacheControl: String?) -> [UInt8] {
            var lines = validators
            if let cacheControl {
                lines.append("Cache-Control: ")
                lines += cacheControl.utf8
                lines.append("\r\n")
            }
            return lines + vary
        }
        representationLines = lines(cacheControl: cacheControl)
        fallbackLines = lines(cacheControl: CachePolicy.noCache)
    }

    /// The variant to send for a request's Accept-Encoding, or this file itself.
    func negotiated(_ acceptEncoding: UnsafeRawBufferPointer?) -> OpenFile {
        guard !variants.isEmpty, let coding = AcceptEncoding.choose(acceptEncoding, available: variantCodings)
        else { return self }
        return variants.first { $0.coding == coding } ?? self
    }

    /// Reads a small file whole. If the read disagrees with fstat (the file changed in between), the
    /// bytes read win and the size follows them, so the length sent always matches the bytes sent.
    private static func readSmall(_ descriptor: borrowing FileDescriptor, _ status: inout FileStatus) -> [UInt8]? {
        guard status.size <= inMemoryLimit else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(status.size) + 1)
        var count = 0
        while count < bytes.count {
            let read = bytes.withUnsafeMutableBytes { buffer in
                try? descriptor.read(at: Int64(count), into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
            }
            guard let read, read > 0 else { break }
            count += read
        }
        // One byte more than fstat said means the file grew meanwhile: stream it instead.
        guard count <= Int(status.size) else { return nil }
        bytes.removeLast(bytes.count - count)
        status.size = Int64(count)
        return bytes
    }

    /// Same file and same variants, same content as far as metadata can tell.
    func isSameVersion(as other: OpenFile) -> Bool {
        isSameVersion(as: other.status) && variants.count == other.variants.count
            && zip(variants, other.variants).allSatisfy { $0.coding == $1.coding && $0.isSameVersion(as: $1.status) }
    }

    /// Same file, same content as far as metadata can tell.
    func isSameVersion(as other: FileStatus) -> Bool {
        status.inode == other.inode && status.device == other.device && status.size == other.size
            && status.modificationSeconds == other.modificationSeconds
            && status.modificationNanoseconds == other.modificationNanoseconds
    }
}
