import Glibc
import HTTP1
import Posix

/// The one place that decides the answer to a request, shared by both serving modes. Pure apart from
/// the file cache: it writes the response head (and generated bodies) into the caller's buffer and
/// says which file bytes follow. One per serving thread; never shared between threads.
///
/// Decisions worth knowing:
/// - OPTIONS (`*` or any path) is 204 with `Allow: GET, HEAD, OPTIONS` (RFC 9110 §9.3.7), without
///   looking the path up: the site's methods are the same everywhere. Every other known method is 405
///   with the same Allow; unknown methods are 501 (RFC 9110 §9.1).
/// - CORS, when configured: with `["*"]` every GET, HEAD and OPTIONS answer carries
///   `Access-Control-Allow-Origin: *` (Origin sent or not, so a shared cache cannot hand a CORS-less
///   copy to a cross-origin request); with a list, a listed Origin is echoed, and every such answer
///   carries `Vary: Origin`, for the same reason. Error answers carry them too, so that a script can
///   see a 404 rather than an opaque network error. A preflight (OPTIONS with
///   Access-Control-Request-Method) asking for anything but GET or HEAD gets no CORS field at all.
/// - A symlink leading out of the root (EXDEV from openat2 RESOLVE_BENEATH) is 404: the target is not
///   part of the site, and 403 would confirm that the link exists. ENOENT, ENOTDIR, ENAMETOOLONG are
///   404, EACCES, EPERM and ELOOP are 403, anything else 500, like nginx.
/// - A directory requested with a trailing slash but without an index file is 403 (nginx without
///   autoindex), or its listing when `listing` is on; a regular file requested with a trailing slash
///   is 404.
/// - A listing is `no-cache` without validators (it is rebuilt at most once a second anyway), carries
///   `Vary: Accept` in both forms, `nosniff`, and `Listing-Truncated: N` when it shows only the first
///   N entries. Range and conditional fields are ignored for it: it is generated, like an error page.
/// - Range is only honoured for GET (RFC 9110 §14.2); HEAD answers exactly like GET without Range.
/// - The connection is closed after 400, 500 and 501 (like nginx).
public final class Responder {
    /// The settings it serves (the threads mode builds one Responder per connection from it).
    public let site: Site
    private let cache: FileCache
    private let listings: ListingCache
    private var builtInPages = ErrorPages()
    /// `Name: value\r\n` lines of the site's extra headers.
    private let extraLines: [UInt8]
    /// CORS, precomputed: lower-cased allowed origins, and the preflight lines after the origin.
    private let corsAnyOrigin: Bool
    private let corsOrigins: [[UInt8]]
    private let preflightLines: [UInt8]
    private var dateSecond = Int64.min
    /// `Date: …\r\n` for `dateSecond`.
    private var dateLine: [UInt8] = []

    /// Opens the root directory. `clock` (monotonic nanoseconds) drives the file cache's TTL; tests
    /// inject their own.
    public convenience init(site: Site, clock: @escaping () -> Int64 = MonotonicClock.nanoseconds) throws(Errno) {
        let cache = try FileCache(site: site, clock: clock)
        self.init(site: site, cache: cache, listings: ListingCache(site: site, files: cache, clock: clock))
    }

    /// What Responders on other threads can share: the site and the file cache with its root
    /// descriptor. The threads mode makes one Responder per connection from it: no syscall, no
    /// descriptor, and a warm cache.
    public struct Shared: Sendable {
        fileprivate let site: Site
        fileprivate let cache: FileCache
        fileprivate let listings: ListingCache

        /// File cache lookups answered from the cache, and lookups that opened the path.
        var cacheLookups: (hits: Int, misses: Int) { cache.lookups }
    }

    public var shared: Shared { Shared(site: site, cache: cache, listings: listings) }

    public convenience init(shared: Shared) {
        self.init(site: shared.site, cache: shared.cache, listings: shared.listings)
    }

    private init(site: Site, cache: FileCache, listings: ListingCache) {
        self.site = site
        self.cache = cache
        self.listings = listings
        var extra = [UInt8]()
        for (name, value) in site.extraHeaders where Self.isSafeHeader(name: name, value: value) {
            extra += name.utf8
            extra.append(": ")
            extra += value.utf8
            extra.append("\r\n")
        }
        extraLines = extra
        corsAnyOrigin = site.cors.allowsAnyOrigin
        corsOrigins = site.cors.allowsAnyOrigin ? [] : site.cors.allowOrigins.map { Array($0.lowercased().utf8) }
        // Built only when used: the threads mode makes a Responder per connection.
        var preflight = [UInt8]()
        if site.cors.isEnabled {
            preflight.append("Access-Control-Allow-Methods: GET, HEAD\r\nAccess-Control-Max-Age: ")
            preflight.appendDecimal(site.cors.maxAge)
            preflight.append("\r\n")
        }
        preflightLines = preflight
    }

    /// Appends the complete response head (and, for generated bodies such as error pages, the body
    /// too) to `out`.
    public func respond(
        to head: RequestHead, in request: UnsafeRawBufferPointer, now: Int64, forceClose: Bool,
        into out: inout [UInt8]
    ) -> Response {
        var exchange = Exchange(
            keepAlive: !forceClose && head.keepAlive, version: head.version,
            isHead: head.method == .head, now: now)
        switch head.method {
        case .get, .head:
            if site.cors.isEnabled { exchange.cors = cors(head, request) }
        case .options:
            return options(head: head, request: request, exchange, into: &out)
        case .other: return generated(.notImplemented, exchange, into: &out)
        default: return generated(.methodNotAllowed, exchange, into: &out) { $0.append(Self.allowLine) }
        }

        let path: ResolvedPath
        do {
            path = try TargetPath.resolve(UnsafeRawBufferPointer(rebasing: request[head.path]))
        } catch {
            return generated(.badRequest, exchange, into: &out)
        }
        if path.hasDotSegmentName && site.dotfiles == .deny {
            return generated(.notFound, exchange, into: &out)
        }

        let file: OpenFile
        switch cache.resolve(path.relative) {
        case .file(let found):
            guard !path.trailingSlash else { return generated(.notFound, exchange, into: &out) }
            file = found
        case .directory(let index):
            guard path.trailingSlash else {
                return redirectToDirectory(head: head, request: request, exchange, into: &out)
            }
            guard let index else {
                guard site.listing else { return generated(.forbidden, exchange, into: &out) }
                return listing(path.relative, head: head, request: request, exchange, into: &out)
            }
            file = index
        case .failure(let error):
            if !site.fallback.isEmpty, error.code == ENOENT || error.code == ENOTDIR,
                Self.lastSegmentHasNoExtension(path.relative), case .file(let shell) = cache.resolve(site.fallback)
            {
                let chosen = shell.negotiated(Self.field(head.acceptEncoding, in: request))
                return serve(
                    chosen, representation: chosen.fallbackLines, head: head, request: request, exchange, into: &out)
            }
            let status = Self.status(for: error)
            return generated(status, exchange, into: &out)
        }
        let chosen = file.negotiated(Self.field(head.acceptEncoding, in: request))
        return serve(
            chosen, representation: chosen.representationLines, head: head, request: request, exchange, into: &out)
    }

    /// A client-side route (`/settings/profile`), as opposed to an asset (`/missing.js`), whose 404 must
    /// stay visible.
    private static func lastSegmentHasNoExtension(_ relative: String) -> Bool {
        let utf8 = relative.utf8
        let start = utf8.lastIndex(of: UInt8(ascii: "/")).map { utf8.index(after: $0) } ?? utf8.startIndex
        return !utf8[start...].contains(UInt8(ascii: "."))
    }

    /// The answer to a request the parser rejected (always Connection: close).
    /// `request` is what was received: a request that visibly began as HEAD gets no body (RFC 9110
    /// §9.3.2), even though the rest of its head could not be trusted.
    public func respond(
        to error: ParseError, request: UnsafeRawBufferPointer? = nil, now: Int64, into out: inout [UInt8]
    ) -> Response {
        let isHead = request.map { $0.starts(with: "HEAD ".utf8) } ?? false
        return generated(
            error.status, Exchange(keepAlive: false, version: .http11, isHead: isHead, now: now), into: &out)
    }

    /// Answer for a plain status with a small HTML body (the 408 on a head timeout). Always Connection: close.
    public func respond(status: Status, now: Int64, into out: inout [UInt8]) -> Response {
        generated(status, Exchange(keepAlive: false, version: .http11, isHead: false, now: now), into: &out)
    }

    // MARK: - OPTIONS and CORS

    private static let allowLine: StaticString = "Allow: GET, HEAD, OPTIONS\r\n"

    /// 204 with Allow, and for a CORS preflight of GET or HEAD from an allowed origin, the
    /// Access-Control-Allow-* fields.
    private func options(
        head: RequestHead, request: UnsafeRawBufferPointer, _ exchange: Exchange, into out: inout [UInt8]
    ) -> Response {
        var exchange = exchange
        if let path = Self.field(head.path, in: request), !(path.count == 1 && path[0] == UInt8(ascii: "*")) {
            guard (try? TargetPath.resolve(path)) != nil else { return generated(.badRequest, exchange, into: &out) }
        }
        let requestedMethod = Self.field(head.accessControlRequestMethod, in: request)
        let isPreflight = requestedMethod != nil
        if site.cors.isEnabled && (requestedMethod.map(Self.isGetOrHead) ?? true) {
            exchange.cors = cors(head, request)
        }
        startHead(.noContent, exchange, into: &out)
        out.append(Self.allowLine)
        if isPreflight && exchange.cors.allowsOrigin {
            out += preflightLines
            if let headers = Self.field(head.accessControlRequestHeaders, in: request), !headers.isEmpty,
                headers.allSatisfy({
                    $0 == 0x20 || $0 == 0x09 || $0 == UInt8(ascii: ",") || FieldSyntax.isTokenByte($0)
                })
            {
                out.append("Access-Control-Allow-Headers: ")
                out.append(bytes: headers)
                out.append("\r\n")
            }
        }
        finishHead(exchange, into: &out)
        return Response(status: .noContent, body: .none, keepAlive: exchange.keepAlive, bodyLength: 0)
    }

    /// What the CORS policy says to a request with this Origin (the policy is on).
    private func cors(_ head: RequestHead, _ request: UnsafeRawBufferPointer) -> CORSAnswer {
        if corsAnyOrigin { return .anyOrigin }
        guard let origin = Self.field(head.origin, in: request) else { return .varyOnly }
        for allowed in corsOrigins where allowed.count == origin.count {
            if zip(allowed, origin).allSatisfy({ $0 == $1 | (($1 &- UInt8(ascii: "A")) < 26 ? 0x20 : 0) }) {
                return .origin(origin)
            }
        }
        return .varyOnly
    }

    private static func isGetOrHead(_ method: UnsafeRawBufferPointer) -> Bool {
        method.elementsEqual("GET".utf8) || method.elementsEqual("HEAD".utf8)
    }

    // MARK: - Files

    /// `representation`: the validator, Cache-Control and Vary lines of 200, 206 and 304.
    private func serve(
        _ file: OpenFile, representation: [UInt8], head: RequestHead, request: UnsafeRawBufferPointer,
        _ exchange: Exchange, into out: inout [UInt8]
    ) -> Response {
        let preconditions = Preconditions(
            ifMatch: Self.field(head.ifMatch, in: request),
            ifUnmodifiedSince: Self.field(head.ifUnmodifiedSince, in: request),
            ifNoneMatch: Self.field(head.ifNoneMatch, in: request),
            ifModifiedSince: Self.field(head.ifModifiedSince, in: request))
        switch preconditions.evaluate(isGetOrHead: true, etag: file.etag, lastModified: file.lastModified) {
        case .proceed: break
        case .notModified:
            startHead(.notModified, exchange, into: &out)
            out += representation
            finishHead(exchange, into: &out)
            return Response(status: .notModified, body: .none, keepAlive: exchange.keepAlive, bodyLength: 0)
        case .preconditionFailed:
            return generated(.preconditionFailed, exchange, into: &out)
        }

        var ranges = ByteRanges.ignored
        if head.method == .get, let rangeField = Self.field(head.range, in: request) {
            let ifRange = Self.field(head.ifRange, in: request)
            if ifRange.map({ EntityTag.ifRangeAllowsRange($0, etag: file.etag, lastModified: file.lastModified) })
                ?? true
            {
                ranges = ByteRanges.parse(rangeField, length: file.size)
            }
        }
        if file.coding != nil, case .satisfiable(let list) = ranges, list.count > 1 {
            // Parts of an encoded stream under one multipart body have no agreed meaning, so a
            // variant answers several ranges with all of itself (RFC 9110 §14.2 lets a server ignore Range).
            ranges = .ignored
        }

        switch ranges {
        case .ignored:
            startHead(.ok, exchange, into: &out)
            out += file.contentTypeLine
            appendContentLength(file.size, into: &out)
            out += representation
            out.append("Accept-Ranges: bytes\r\n")
            finishHead(exchange, into: &out)
            return fileResponse(.ok, file, 0..<file.size, exchange, into: &out)
        case .unsatisfiable:
            return generated(.rangeNotSatisfiable, exchange, into: &out) { out in
                out.append("Content-Range: bytes */")
                out.appendDecimal(file.size)
                out.append("\r\n")
            }
        case .satisfiable(let list) where list.count == 1:
            let range = list[0]
            startHead(.partialContent, exchange, into: &out)
            out += file.contentTypeLine
            appendContentLength(Int64(range.count), into: &out)
            out.append("Content-Range: ")
            Self.appendContentRange(range, of: file.size, into: &out)
            out.append("\r\n")
            out += representation
            out.append("Accept-Ranges: bytes\r\n")
            finishHead(exchange, into: &out)
            return fileResponse(.partialContent, file, range, exchange, into: &out)
        case .satisfiable(let list):
            return multipart(file, list, representation, exchange, into: &out)
        }
    }

    private func fileResponse(
        _ status: Status, _ file: OpenFile, _ range: Range<Int64>, _ exchange: Exchange, into out: inout [UInt8]
    ) -> Response {
        if exchange.isHead || range.isEmpty {
            return Response(status: status, body: .none, keepAlive: exchange.keepAlive, bodyLength: 0)
        }
        if let contents = file.contents {
            // A small file goes out with its head in one send: one syscall per request instead of two.
            out += contents[Int(range.lowerBound)..<Int(range.upperBound)]
            return Response(status: status, body: .none, keepAlive: exchange.keepAlive, bodyLength: Int64(range.count))
        }
        return Response(
            status: status, body: .file(file, range), keepAlive: exchange.keepAlive, bodyLength: Int64(range.count))
    }

    /// 206 multipart/byteranges (RFC 9110 §14.6). The boundary is derived from the file's identity so
    /// both serving modes produce identical bytes; it is long and odd enough not to occur in content
    /// by accident.
    private func multipart(
        _ file: OpenFile, _ ranges: [Range<Int64>], _ representation: [UInt8], _ exchange: Exchange,
        into out: inout [UInt8]
    ) -> Response {
        var boundary = [UInt8]()
        boundary.append("spindle-")
        let mix =
            UInt64(bitPattern: file.status.modificationSeconds) &* 0x9E37_79B9_7F4A_7C15
            ^ UInt64(bitPattern: file.status.modificationNanoseconds) &* 0xC2B2_AE3D_27D4_EB4F
            ^ file.status.inode ^ UInt64(bitPattern: file.size) << 17
        boundary.appendHex(mix | 1 << 63)

        var parts = [BodyPart]()
        parts.reserveCapacity(ranges.count * 2 + 1)
        var length: Int64 = 0
        for (number, range) in ranges.enumerated() {
            var preamble = [UInt8]()
            preamble.append(number == 0 ? "--" : "\r\n--")
            preamble += boundary
            preamble.append("\r\nContent-Type: ")
            preamble += file.contentType
            preamble.append("\r\nContent-Range: ")
            Self.appendContentRange(range, of: file.size, into: &preamble)
            preamble.append("\r\n\r\n")
            length += Int64(preamble.count) + Int64(range.count)
            parts.append(.bytes(preamble))
            parts.append(.file(range))
        }
        var epilogue = [UInt8]()
        epilogue.append("\r\n--")
        epilogue += boundary
        epilogue.append("--\r\n")
        length += Int64(epilogue.count)
        parts.append(.bytes(epilogue))

        startHead(.partialContent, exchange, into: &out)
        out.append("Content-Type: multipart/byteranges; boundary=")
        out += boundary
        out.append("\r\n")
        appendContentLength(length, into: &out)
        out += representation
        out.append("Accept-Ranges: bytes\r\n")
        finishHead(exchange, into: &out)
        if exchange.isHead {
            return Response(status: .partialContent, body: .none, keepAlive: exchange.keepAlive, bodyLength: 0)
        }
        return Response(
            status: .partialContent, body: .multipart(file, parts), keepAlive: exchange.keepAlive, bodyLength: length)
    }

    // MARK: - Generated answers

    private func listing(
        _ directory: String, head: RequestHead, request: UnsafeRawBufferPointer, _ exchange: Exchange,
        into out: inout [UInt8]
    ) -> Response {
        let options = ListingOptions(
            query: Self.field(head.query, in: request), accept: Self.field(head.accept, in: request))
        let page: ListingCache.Page
        switch listings.page(directory, options) {
        case .success(let found): page = found
        case .failure(let error): return generated(Self.status(for: error), exchange, into: &out)
        }
        startHead(.ok, exchange, into: &out)
        out.append(
            options.json ? "Content-Type: application/json\r\n" : "Content-Type: text/html; charset=utf-8\r\n")
        appendContentLength(Int64(page.body.count), into: &out)
        out.append("Cache-Control: no-cache\r\nVary: Accept\r\nX-Content-Type-Options: nosniff\r\n")
        if let shown = page.truncatedAt {
            out.append("Listing-Truncated: ")
            out.appendDecimal(shown)
            out.append("\r\n")
        }
        finishHead(exchange, into: &out)
        if exchange.isHead {
            return Response(status: .ok, body: .none, keepAlive: exchange.keepAlive, bodyLength: 0)
        }
        out += page.body
        return Response(status: .ok, body: .none, keepAlive: exchange.keepAlive, bodyLength: Int64(page.body.count))
    }

    /// 301 to the directory with a slash. The Location is relative — the last segment of the path as
    /// the client sent it, plus `/` (and the query) — so it can never become `//host` (an open
    /// redirect), it still works behind a proxy that mounts the site under a prefix, and a segment
    /// such as `a%2Fb` or `..` resolves against the request URL to the directory that was found.
    private func redirectToDirectory(
        head: RequestHead, request: UnsafeRawBufferPointer, _ exchange: Exchange, into out: inout [UInt8]
    ) -> Response {
        generated(.movedPermanently, exchange, into: &out) { out in
            out.append("Location: ")
            let path = Self.field(head.path, in: request) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            let start = path.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
            for byte in path[start...] {
                // Escapes stay as sent (TargetPath has validated them); anything else is encoded, ':'
                // included, so the segment cannot be read as a scheme.
                if byte == UInt8(ascii: "%") { out.append(byte) } else { Self.appendPercentEncoded(byte, into: &out) }
            }
            out.append(UInt8(ascii: "/"))
            if let query = Self.field(head.query, in: request), !query.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) {
                out.append(UInt8(ascii: "?"))
                out.append(bytes: query)
            }
            out.append("\r\n")
        }
    }

    /// An error status (or a 301) with the site's page for it (`error_pages`), or a small generated HTML
    /// body; `extra` adds header lines.
    private func generated(
        _ status: Status, _ exchange: Exchange, into out: inout [UInt8],
        extra: (inout [UInt8]) -> Void = { _ in }
    ) -> Response {
        var exchange = exchange
        if status == .badRequest || status == .internalServerError || status == .notImplemented {
            exchange.keepAlive = false
        }
        if status.code >= 400, let name = site.errorPages[status.code], case .file(let page) = cache.resolve(name) {
            // The site's page, with the original status and its own type; no validators or caching
            // fields: they would describe the page, not the answer. A page that is missing or not a
            // regular file falls through to the built-in one below, so there is no loop to fear.
            startHead(status, exchange, into: &out)
            out += page.contentTypeLine
            appendContentLength(page.size, into: &out)
            extra(&out)
            finishHead(exchange, into: &out)
            return fileResponse(status, page, 0..<page.size, exchange, into: &out)
        }
        let body = builtInPages.body(for: status)
        startHead(status, exchange, into: &out)
        out.append("Content-Type: text/html; charset=utf-8\r\n")
        appendContentLength(Int64(body.count), into: &out)
        extra(&out)
        finishHead(exchange, into: &out)
        if exchange.isHead {
            return Response(status: status, body: .none, keepAlive: exchange.keepAlive, bodyLength: 0)
        }
        out += body
        return Response(status: status, body: .none, keepAlive: exchange.keepAlive, bodyLength: Int64(body.count))
    }

    // MARK: - Head serialisation

    /// What every answer to one request shares.
    private struct Exchange {
        var keepAlive: Bool
        var version: Version
        var isHead: Bool
        var now: Int64
        var cors = CORSAnswer.none
    }

    /// The CORS fields an answer carries.
    private enum CORSAnswer {
        case none
        /// `Vary: Origin` only: the origin is not allowed (or absent), but another would be.
        case varyOnly
        case anyOrigin
        /// The allowed Origin as the request sent it, echoed with `Vary: Origin`.
        case origin(UnsafeRawBufferPointer)

        var allowsOrigin: Bool {
            switch self {
            case .anyOrigin, .origin: true
            case .none, .varyOnly: false
            }
        }
    }

    /// Status line, Server and Date.
    private func startHead(_ status: Status, _ exchange: Exchange, into out: inout [UInt8]) {
        switch status.code {
        case 200: out.append("HTTP/1.1 200 OK\r\n")
        case 206: out.append("HTTP/1.1 206 Partial Content\r\n")
        case 304: out.append("HTTP/1.1 304 Not Modified\r\n")
        default:
            out.append("HTTP/1.1 ")
            out.appendDecimal(status.code)
            out.append(UInt8(ascii: " "))
            out.append(status.reason)
            out.append("\r\n")
        }
        out.append("Server: spindle\r\n")
        if exchange.now != dateSecond {
            dateSecond = exchange.now
            dateLine.removeAll(keepingCapacity: true)
            dateLine.append("Date: ")
            HTTPDate.append(exchange.now, to: &dateLine)
            dateLine.append("\r\n")
        }
        out += dateLine
    }

    /// Connection, the site's extra headers, and the blank line.
    private func finishHead(_ exchange: Exchange, into out: inout [UInt8]) {
        if !exchange.keepAlive {
            out.append("Connection: close\r\n")
        } else if exchange.version == .http10 {
            out.append("Connection: keep-alive\r\n")
        }
        switch exchange.cors {
        case .none: break
        case .varyOnly: out.append("Vary: Origin\r\n")
        case .anyOrigin: out.append("Access-Control-Allow-Origin: *\r\n")
        case .origin(let origin):
            out.append("Access-Control-Allow-Origin: ")
            out.append(bytes: origin)
            out.append("\r\nVary: Origin\r\n")
        }
        out += extraLines
        out.append("\r\n")
    }

    private func appendContentLength(_ length: Int64, into out: inout [UInt8]) {
        out.append("Content-Length: ")
        out.appendDecimal(length)
        out.append("\r\n")
    }

    /// `bytes first-last/length`.
    private static func appendContentRange(_ range: Range<Int64>, of length: Int64, into out: inout [UInt8]) {
        out.append("bytes ")
        out.appendDecimal(range.lowerBound)
        out.append(UInt8(ascii: "-"))
        out.appendDecimal(range.upperBound - 1)
        out.append(UInt8(ascii: "/"))
        out.appendDecimal(length)
    }

    /// Unreserved and sub-delims (RFC 3986 §2) pass, plus `@`; `:` is encoded because a first segment
    /// containing it would read as a URI scheme.
    private static func appendPercentEncoded(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","),
            UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "@"):
            out.append(byte)
        default:
            let hex: StaticString = "0123456789ABCDEF"
            out.append(UInt8(ascii: "%"))
            hex.withUTF8Buffer { digits in
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0xF)])
            }
        }
    }

    // MARK: - Helpers

    private static func field(_ range: Range<Int>?, in request: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let range, range.lowerBound >= 0, range.upperBound <= request.count else { return nil }
        return UnsafeRawBufferPointer(rebasing: request[range])
    }

    static func status(for error: Errno) -> Status {
        switch error.code {
        case ENOENT, ENOTDIR, ENAMETOOLONG, EXDEV: .notFound
        case EACCES, EPERM, ELOOP: .forbidden
        default: .internalServerError
        }
    }

    private static func isSafeHeader(name: String, value: String) -> Bool {
        !name.isEmpty && !name.utf8.contains { $0 <= 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: ":") }
            && !value.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }
}
