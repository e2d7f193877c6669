import Foundation
import Glibc

/// The website the integration tests serve, generated once per test run in a temporary directory:
///
///     base/root/index.html, small.txt (1 KiB), medium.bin (256 KiB), big.bin (100 MiB),
///               subdir/index.html, .hidden, escape.txt → base/secret.txt, escape-dir → base/outside,
///               app.3f9a1c2b.css with .gz and .br beside it, old.txt with a stale .gz,
///               errors/403.html, app/index.html (a single-page app's shell)
///     base/secret.txt, base/outside/secret.txt   (outside the root: must never be served)
///     base/scratch/                               (configs and downloads)
struct DocumentRoot: Sendable {
    static let shared = DocumentRoot.make()

    /// Appears only in files outside the root.
    static let secretMarker = "OUTSIDE-THE-ROOT-7f3a9c"
    static let bigSize = 100 * 1024 * 1024
    static let chunkSize = 1024 * 1024

    let base: String
    let root: String
    let scratch: String
    let index: [UInt8]
    let subdirIndex: [UInt8]
    let small: [UInt8]
    let medium: [UInt8]
    /// big.bin is 100 chunks of 1 MiB: this chunk with its first 8 bytes replaced by the chunk number,
    /// so a body that is off by whole chunks does not compare equal.
    let chunk: [UInt8]

    /// The fingerprinted stylesheet, and its precompressed variants.
    static let stylesheet = Array("body { color: #123; }\n".utf8)
    /// `brotli -c` of `stylesheet` (brotli is not on every machine; gzip is).
    static let stylesheetBrotli: [UInt8] = [
        0x21, 0x54, 0x00, 0x04, 0x62, 0x6f, 0x64, 0x79, 0x20, 0x7b, 0x20, 0x63, 0x6f, 0x6c, 0x6f, 0x72, 0x3a, 0x20,
        0x23, 0x31, 0x32, 0x33, 0x3b, 0x20, 0x7d, 0x0a, 0x03,
    ]
    var stylesheetGzip: [UInt8] {
        (try? Data(contentsOf: URL(fileURLWithPath: root + "/app.3f9a1c2b.css.gz"))).map(Array.init) ?? []
    }
    static let appShell = Array("<!doctype html><title>App</title><p>single-page app shell</p>\n".utf8)
    static let forbiddenPage = Array("<!doctype html><title>403</title><p>custom forbidden page</p>\n".utf8)

    /// The contents of a file under the root by URL path, for the small files.
    func contents(of path: String) -> [UInt8]? {
        switch path {
        case "/", "/index.html": index
        case "/subdir/", "/subdir/index.html": subdirIndex
        case "/small.txt": small
        case "/medium.bin": medium
        default: nil
        }
    }

    /// Chunk `number` of big.bin.
    func bigChunk(_ number: Int) -> [UInt8] {
        var bytes = chunk
        withUnsafeBytes(of: UInt64(number).littleEndian) { for i in 0..<8 { bytes[i] = $0[i] } }
        return bytes
    }

    /// Reads big.bin's body from `client`, whose head was read: how many bytes came, and the offset
    /// of the first chunk that differs from the file, if one does.
    func readBig(from client: RawClient) throws -> (received: Int, mismatch: Int?) {
        var received = 0
        var mismatch: Int?
        try client.readBody(count: Self.bigSize) { offset, bytes in
            if mismatch == nil && !sameBytes(bytes, bigBytes(offset..<(offset + bytes.count))) { mismatch = offset }
            received += bytes.count
        }
        return (received, mismatch)
    }

    /// Bytes `range` of big.bin.
    func bigBytes(_ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var offset = range.lowerBound
        while offset < range.upperBound {
            let number = offset / Self.chunkSize
            let start = offset % Self.chunkSize
            let end = min(Self.chunkSize, start + range.upperBound - offset)
            out += bigChunk(number)[start..<end]
            offset += end - start
        }
        return out
    }

    private static func make() -> DocumentRoot {
        let base = NSTemporaryDirectory() + "spindle-itests-\(getpid())-\(UUID().uuidString.prefix(8))"
        let root = base + "/root"
        let fm = FileManager.default
        do {
            for directory in [root + "/subdir", base + "/outside", base + "/scratch"] {
                try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            let index = Array("<!doctype html><title>Spindle test</title><p>index of the test root</p>\n".utf8)
            let subdirIndex = Array("<!doctype html><title>Sub</title><p>subdir index</p>\n".utf8)
            var generator = PatternGenerator(seed: 0x5eed)
            let small = Array(
                (0..<1024).map { UInt8(ascii: "a") + UInt8($0 % 26) }.enumerated()
                    .map { $0.offset % 64 == 63 ? UInt8(ascii: "\n") : $0.element })
            let medium = generator.bytes(256 * 1024)
            let chunk = generator.bytes(chunkSize)
            let document = DocumentRoot(
                base: base, root: root, scratch: base + "/scratch", index: index, subdirIndex: subdirIndex,
                small: small, medium: medium, chunk: chunk)
            try write(index, to: root + "/index.html")
            try write(subdirIndex, to: root + "/subdir/index.html")
            try write(small, to: root + "/small.txt")
            try write(medium, to: root + "/medium.bin")
            try write(Array("dotfile, never served\n".utf8), to: root + "/.hidden")
            try write(stylesheet, to: root + "/app.3f9a1c2b.css")
            try write(stylesheetBrotli, to: root + "/app.3f9a1c2b.css.br")
            try gzip(root + "/app.3f9a1c2b.css")
            try write(Array("current text\n".utf8), to: root + "/old.txt")
            try gzip(root + "/old.txt")
            // Left behind by an edit: older than the file it once encoded.
            try fm.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: root + "/old.txt.gz")
            try fm.createDirectory(atPath: root + "/errors", withIntermediateDirectories: true)
            try write(forbiddenPage, to: root + "/errors/403.html")
            try fm.createDirectory(atPath: root + "/app", withIntermediateDirectories: true)
            try write(appShell, to: root + "/app/index.html")
            try write(Array("\(secretMarker) secret.txt\n".utf8), to: base + "/secret.txt")
            try write(Array("\(secretMarker) outside/secret.txt\n".utf8), to: base + "/outside/secret.txt")
            try fm.createSymbolicLink(atPath: root + "/escape.txt", withDestinationPath: base + "/secret.txt")
            try fm.createSymbolicLink(atPath: root + "/escape-dir", withDestinationPath: base + "/outside")
            guard let big = FileHandle(forWritingAtPath: try create(root + "/big.bin")) else {
                fatalError("cannot open big.bin for writing")
            }
            for number in 0..<(bigSize / chunkSize) { try big.write(contentsOf: document.bigChunk(number)) }
            try big.close()
            atexit { try? FileManager.default.removeItem(atPath: DocumentRoot.shared.base) }
            return document
        } catch {
            fatalError("cannot generate the test document root in \(base): \(error)")
        }
    }

    /// `gzip -k -n`: a real gzip variant beside `path`.
    private static func gzip(_ path: String) throws {
        let result = try run("/bin/gzip", ["-k", "-n", "-f", path])
        guard result.status == 0 else { throw HarnessError("gzip \(path): \(result.stderr)") }
    }

    private static func create(_ path: String) throws -> String {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw HarnessError("cannot create \(path)")
        }
        return path
    }

    private static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// xorshift64*: deterministic bytes without a random-number dependency.
struct PatternGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            var word = state &* 0x2545_F491_4F6C_DD1D
            for _ in 0..<8 where index < count {
                out[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return out
    }
}
