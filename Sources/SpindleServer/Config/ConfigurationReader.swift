import HTTP1
import TOML

/// Turns a parsed TOML document into a validated `Configuration`. Every rejection names the file,
/// the line of the offending value and its full dotted key.
struct ConfigurationReader {
    let file: String

    static let topLevelKeys = [
        "root", "listen", "mode", "workers", "index", "dotfiles", "access_log", "access_log_format", "log_level",
        "timeouts", "limits", "threads", "mime", "headers", "precompressed", "cache", "cache_max_age",
        "cache_rules", "error_pages", "fallback", "cors", "status_listen", "listing", "listing_max_entries",
    ]
    static let timeoutKeys = ["head", "keepalive", "send", "shutdown_delay", "shutdown_grace"]
    static let limitKeys = ["body_size", "connections", "head_size", "header_count", "request_line"]
    static let threadKeys = ["stack_size"]
    static let cacheRuleKeys = ["match", "cache_control"]
    static let corsKeys = ["allow_origins", "max_age"]

    /// The longest timeout accepted: a day is already far past any sensible value, and the bound
    /// keeps millisecond arithmetic far from overflow.
    static let maximumTimeoutSeconds = 86_400.0

    /// Fields Spindle computes per response or that frame the message; a configured copy would
    /// duplicate or contradict them.
    static let reservedHeaders: Set<String> = [
        "accept-ranges", "connection", "content-length", "content-range", "content-type", "date", "etag",
        "keep-alive", "last-modified", "location", "te", "trailer", "transfer-encoding", "upgrade", "server",
        "allow",
    ]

    func read(_ root: TOMLTable) throws(ConfigError) -> Configuration {
        var config = Configuration.default
        var workersLine: Int?
        for entry in root.entries {
            let value = entry.value
            let key = entry.key
            switch key {
            case "root":
                config.root = try path(value, key: key)
            case "listen":
                config.listen = try listen(value, key: key)
            case "status_listen":
                config.statusListen = try statusListen(value, key: key)
            case "mode":
                config.mode = try choice(value, key: key)
            case "workers":
                config.workers = try workers(value, key: key)
                workersLine = value.line
            case "index":
                config.index = try index(value, key: key)
            case "dotfiles":
                config.dotfiles = try choice(value, key: key)
            case "access_log":
                config.accessLog = AccessLogDestination(configValue: try path(value, key: key))
            case "access_log_format":
                config.accessLogFormat = try choice(value, key: key)
            case "log_level":
                config.logLevel = try choice(value, key: key)
            case "timeouts":
                config.timeouts = try timeouts(value, key: key)
            case "limits":
                config.limits = try limits(value, key: key)
            case "threads":
                config.threadStackSize = try threads(value, key: key)
            case "mime":
                config.mimeOverrides = try mime(value, key: key)
            case "headers":
                config.headers = try headers(value, key: key)
            case "precompressed":
                config.precompressed = try precompressed(value, key: key)
            case "cache":
                config.cachePolicy.mode = try choice(value, key: key)
            case "cache_max_age":
                config.cachePolicy.maxAge = try integer(value, key: key, in: 0...Self.maximumAge)
            case "cache_rules":
                config.cachePolicy.rules = try cacheRules(value, key: key)
            case "error_pages":
                config.errorPages = try errorPages(value, key: key)
            case "fallback":
                let text = try string(value, key: key)
                config.fallback = text.isEmpty ? "" : try sitePath(value, key: key)
            case "cors":
                config.cors = try cors(value, key: key)
            case "listing":
                config.listing = try boolean(value, key: key)
            case "listing_max_entries":
                config.listingMaxEntries = try integer(value, key: key, in: 1...1_000_000)
            default:
                throw unknownKey(key, line: value.line, prefix: "", known: Self.topLevelKeys)
            }
        }
        if let workersLine, let message = config.workersConflict {
            throw ConfigError(file: file, line: workersLine, key: "workers", message: message)
        }
        return config
    }

    // MARK: - Sections

    private func timeouts(_ value: TOMLValue, key: String) throws(ConfigError) -> Configuration.Timeouts {
        var timeouts = Configuration.Timeouts()
        for entry in try table(value, key: key).entries {
            let name = "\(key).\(entry.key)"
            switch entry.key {
            case "head": timeouts.head = try duration(entry.value, key: name, allowZero: false)
            case "keepalive": timeouts.keepAlive = try duration(entry.value, key: name, allowZero: false)
            case "send": timeouts.send = try duration(entry.value, key: name, allowZero: false)
            case "shutdown_grace": timeouts.shutdownGrace = try duration(entry.value, key: name, allowZero: true)
            case "shutdown_delay": timeouts.shutdownDelay = try duration(entry.value, key: name, allowZero: true)
            default: throw unknownKey(entry.key, line: entry.value.line, prefix: key, known: Self.timeoutKeys)
            }
        }
        return timeouts
    }

    private func limits(_ value: TOMLValue, key: String) throws(ConfigError) -> Configuration.Limits {
        var limits = Configuration.Limits()
        var headSizeLine: Int?
        var requestLineLine: Int?
        for entry in try table(value, key: key).entries {
            let name = "\(key).\(entry.key)"
            switch entry.key {
            case "body_size":
                limits.bodySize = try integer(entry.value, key: name, in: 0...1_073_741_824)
            case "connections":
                limits.connections = try integer(entry.value, key: name, in: 1...1_000_000)
            case "head_size":
                limits.headSize = try integer(entry.value, key: name, in: 1024...1_048_576)
                headSizeLine = entry.value.line
            case "header_count":
                limits.headerCount = try integer(entry.value, key: name, in: 1...10_000)
            case "request_line":
                limits.requestLine = try integer(entry.value, key: name, in: 64...1_048_576)
                requestLineLine = entry.value.line
            default:
                throw unknownKey(entry.key, line: entry.value.line, prefix: key, known: Self.limitKeys)
            }
        }
        if limits.requestLine > limits.headSize {
            // Blame whichever of the two the file set; if both, the request line.
            if let line = requestLineLine {
                throw ConfigError(
                    file: file, line: line, key: "\(key).request_line",
                    message: "must not exceed limits.head_size (\(limits.headSize))")
            }
            throw ConfigError(
                file: file, line: headSizeLine, key: "\(key).head_size",
                message: "must be at least limits.request_line (\(limits.requestLine))")
        }
        return limits
    }

    /// Returns the stack size in bytes; the file gives KiB.
    private func threads(_ value: TOMLValue, key: String) throws(ConfigError) -> Int {
        var stackSize = Configuration.default.threadStackSize
        for entry in try table(value, key: key).entries {
            switch entry.key {
            case "stack_size":
                stackSize = try integer(entry.value, key: "\(key).stack_size", in: 64...65_536) * 1024
            default:
                throw unknownKey(entry.key, line: entry.value.line, prefix: key, known: Self.threadKeys)
            }
        }
        return stackSize
    }

    /// A count, or "auto" for the online CPUs.
    private func workers(_ value: TOMLValue, key: String) throws(ConfigError) -> Int {
        if let text = value.string {
            guard let count = Configuration.workerCount(parsing: text) else {
                throw ConfigError(
                    file: file, line: value.line, key: key,
                    message: "expected \"auto\" or a number of workers, got \"\(text)\"")
            }
            return count
        }
        return try integer(value, key: key, in: 1...Configuration.maximumWorkers)
    }

    private func listen(_ value: TOMLValue, key: String) throws(ConfigError) -> [ListenAddress] {
        // A lone string is accepted as a one-element list: `listen = ":8080"` is the obvious spelling.
        let elements = value.string != nil ? [value] : try array(value, key: key)
        guard !elements.isEmpty else {
            throw ConfigError(file: file, line: value.line, key: key, message: "needs at least one address")
        }
        var addresses: [ListenAddress] = []
        for element in elements {
            let text = try string(element, key: key)
            let address: ListenAddress
            do {
                address = try ListenAddress(parsing: text)
            } catch {
                throw ConfigError(
                    file: file, line: element.line, key: key, message: "invalid address: \(error.message)")
            }
            guard !addresses.contains(address) else {
                throw ConfigError(file: file, line: element.line, key: key, message: "\(address) is listed twice")
            }
            addresses.append(address)
        }
        return addresses
    }

    /// One address, or "" for none.
    private func statusListen(_ value: TOMLValue, key: String) throws(ConfigError) -> ListenAddress? {
        let text = try string(value, key: key)
        guard !text.isEmpty else { return nil }
        do {
            return try ListenAddress(parsing: text)
        } catch {
            throw ConfigError(file: file, line: value.line, key: key, message: "invalid address: \(error.message)")
        }
    }

    private func index(_ value: TOMLValue, key: String) throws(ConfigError) -> [String] {
        var names: [String] = []
        for element in try array(value, key: key) {
            let name = try string(element, key: key)
            if name.isEmpty || name == "." || name == ".." || name.contains("/") || name.contains("\0") {
                throw ConfigError(
                    file: file, line: element.line, key: key,
                    message: "'\(name)' is not a file name (no '/', not empty, '.' or '..')")
            }
            names.append(name)
        }
        return names
    }

    private func mime(_ value: TOMLValue, key: String) throws(ConfigError) -> [String: String] {
        var types: [String: String] = [:]
        for entry in try table(value, key: key).entries {
            let name = "\(key).\(entry.key)"
            // Extensions match case-insensitively; a leading dot is forgiven.
            var ext = entry.key.lowercased()
            if ext.hasPrefix(".") { ext.removeFirst() }
            if ext.isEmpty || ext.contains(".") || ext.contains("/") || !ext.utf8.allSatisfy(Self.isVisibleASCII) {
                throw ConfigError(
                    file: file, line: entry.value.line, key: name,
                    message: "'\(entry.key)' is not a file extension (like \"wasm\")")
            }
            let type = try string(entry.value, key: name)
            guard Self.isMediaType(type) else {
                throw ConfigError(
                    file: file, line: entry.value.line, key: name,
                    message:
                        "'\(type)' is not a media type (like \"application/wasm\" or \"text/plain; charset=utf-8\")")
            }
            guard types[ext] == nil else {
                throw ConfigError(
                    file: file, line: entry.value.line, key: name, message: "extension '\(ext)' is listed twice")
            }
            types[ext] = type
        }
        return types
    }

    private func headers(_ value: TOMLValue, key: String) throws(ConfigError) -> [Configuration.Header] {
        var headers: [Configuration.Header] = []
        for entry in try table(value, key: key).entries {
            let name = "\(key).\(entry.key)"
            let line = entry.value.line
            guard !entry.key.isEmpty, entry.key.utf8.allSatisfy(Self.isTokenByte) else {
                throw ConfigError(file: file, line: line, key: name, message: "not a valid header field name")
            }
            let lowered = entry.key.lowercased()
            if Self.reservedHeaders.contains(lowered) {
                throw ConfigError(file: file, line: line, key: name, message: "Spindle sets this field itself")
            }
            if headers.contains(where: { $0.name.lowercased() == lowered }) {
                throw ConfigError(file: file, line: line, key: name, message: "field is listed twice")
            }
            let fieldValue = try fieldValue(entry.value, key: name, allowEmpty: true)
            headers.append(Configuration.Header(name: entry.key, value: fieldValue))
        }
        return headers
    }

    /// The largest delta-seconds a cache must accept (RFC 9111 §1.2.2).
    static let maximumAge = 2_147_483_647

    private func precompressed(_ value: TOMLValue, key: String) throws(ConfigError) -> [ContentCoding] {
        var codings: [ContentCoding] = []
        for element in try array(value, key: key) {
            let name = try string(element, key: key)
            guard let coding = ContentCoding(name: name) else {
                throw ConfigError(
                    file: file, line: element.line, key: key,
                    message: "'\(name)' is not one of \"br\", \"zstd\", \"gzip\"")
            }
            guard !codings.contains(coding) else {
                throw ConfigError(file: file, line: element.line, key: key, message: "'\(name)' is listed twice")
            }
            codings.append(coding)
        }
        return codings
    }

    private func cacheRules(_ value: TOMLValue, key: String) throws(ConfigError) -> [CachePolicy.Rule] {
        var rules: [CachePolicy.Rule] = []
        for (number, element) in try array(value, key: key).enumerated() {
            let prefix = "\(key)[\(number + 1)]"
            var match: String?
            var cacheControl: String?
            for entry in try table(element, key: prefix).entries {
                let name = "\(prefix).\(entry.key)"
                switch entry.key {
                case "match":
                    let pattern = try string(entry.value, key: name)
                    guard pattern.hasPrefix("/") || pattern.hasPrefix("*"), pattern.utf8.allSatisfy(Self.isVisibleASCII)
                    else {
                        throw ConfigError(
                            file: file, line: entry.value.line, key: name,
                            message: "'\(pattern)' is not a path pattern (like \"/fonts/*\" or \"*.woff2\")")
                    }
                    match = pattern
                case "cache_control":
                    cacheControl = try fieldValue(entry.value, key: name)
                default:
                    throw unknownKey(entry.key, line: entry.value.line, prefix: prefix, known: Self.cacheRuleKeys)
                }
            }
            guard let match, let cacheControl else {
                throw ConfigError(
                    file: file, line: element.line, key: prefix,
                    message: "a rule needs both 'match' and 'cache_control'")
            }
            rules.append(CachePolicy.Rule(match: match, cacheControl: cacheControl))
        }
        return rules
    }

    private func errorPages(_ value: TOMLValue, key: String) throws(ConfigError) -> [Int: String] {
        var pages: [Int: String] = [:]
        for entry in try table(value, key: key).entries {
            let name = "\(key).\(entry.key)"
            guard entry.key.utf8.count == 3, let status = Int(entry.key), (400...599).contains(status) else {
                throw ConfigError(
                    file: file, line: entry.value.line, key: name, message: "not an error status (400 to 599)")
            }
            pages[status] = try sitePath(entry.value, key: name)
        }
        return pages
    }

    private func cors(_ value: TOMLValue, key: String) throws(ConfigError) -> CORSPolicy {
        var policy = CORSPolicy()
        for entry in try table(value, key: key).entries {
            let name = "\(key).\(entry.key)"
            switch entry.key {
            case "allow_origins":
                var origins: [String] = []
                for element in try array(entry.value, key: name) {
                    let origin = try string(element, key: name)
                    guard origin == "*" || Self.isOrigin(origin) else {
                        throw ConfigError(
                            file: file, line: element.line, key: name,
                            message: "'\(origin)' is not an origin (like \"https://example.com\") or \"*\"")
                    }
                    guard !origins.contains(origin) else {
                        throw ConfigError(
                            file: file, line: element.line, key: name, message: "'\(origin)' is listed twice")
                    }
                    origins.append(origin)
                }
                if origins.contains("*") && origins.count > 1 {
                    throw ConfigError(
                        file: file, line: entry.value.line, key: name,
                        message: "\"*\" already allows every origin: list it alone")
                }
                policy.allowOrigins = origins
            case "max_age":
                policy.maxAge = try integer(entry.value, key: name, in: 0...Self.maximumAge)
            default:
                throw unknownKey(entry.key, line: entry.value.line, prefix: key, known: Self.corsKeys)
            }
        }
        return policy
    }

    // MARK: - Typed values

    /// A header field value: visible ASCII, spaces and tabs (no CR/LF: response splitting, and nothing
    /// outside ASCII, to keep every client happy), not starting or ending with whitespace.
    private func fieldValue(_ value: TOMLValue, key: String, allowEmpty: Bool = false) throws(ConfigError) -> String {
        let text = try string(value, key: key)
        guard text.utf8.allSatisfy({ Self.isVisibleASCII($0) || $0 == 0x20 || $0 == 0x09 }) else {
            throw ConfigError(
                file: file, line: value.line, key: key,
                message: "value may hold only visible ASCII characters, spaces and tabs")
        }
        guard text.utf8.first.map(Self.isVisibleASCII) ?? allowEmpty,
            text.utf8.last.map(Self.isVisibleASCII) ?? allowEmpty
        else {
            let problem = allowEmpty ? "" : "be empty or "
            throw ConfigError(
                file: file, line: value.line, key: key, message: "value must not \(problem)start or end with whitespace"
            )
        }
        return text
    }

    /// A file under the root, as a relative path (a leading `/` is forgiven).
    private func sitePath(_ value: TOMLValue, key: String) throws(ConfigError) -> String {
        let text = try string(value, key: key)
        guard let path = Self.normalizedSitePath(text) else {
            throw ConfigError(
                file: file, line: value.line, key: key,
                message: "'\(text)' is not a file under the root (like \"404.html\"; no '..', '.' or empty segments)")
        }
        return path
    }

    /// `text` without its leading slashes, or nil when it cannot name a file under the root.
    static func normalizedSitePath(_ text: String) -> String? {
        let trimmed = text.drop { $0 == "/" }
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard !trimmed.isEmpty, !text.contains("\0"),
            segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else { return nil }
        return String(trimmed)
    }

    /// A serialised origin (RFC 6454 §6.2): `scheme://host[:port]` in lower case, nothing after.
    static func isOrigin(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0,
            bytes[colon...].starts(with: "://".utf8), bytes.count > colon + 3
        else { return false }
        func isLowerOrDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        let schemeOK = bytes[..<colon].allSatisfy { isLowerOrDigit($0) || "+-.".utf8.contains($0) }
        let authorityOK = bytes[(colon + 3)...].allSatisfy { isLowerOrDigit($0) || "-.:[]_~".utf8.contains($0) }
        return schemeOK && authorityOK
    }

    private func table(_ value: TOMLValue, key: String) throws(ConfigError) -> TOMLTable {
        guard let table = value.table else { throw wrongType(value, key: key, expected: "a table") }
        return table
    }

    private func array(_ value: TOMLValue, key: String) throws(ConfigError) -> [TOMLValue] {
        guard let array = value.array else { throw wrongType(value, key: key, expected: "an array of strings") }
        return array
    }

    private func string(_ value: TOMLValue, key: String) throws(ConfigError) -> String {
        guard let string = value.string else { throw wrongType(value, key: key, expected: "a string") }
        return string
    }

    /// A non-empty string that can name a file (no NUL, which would silently cut the path short).
    private func path(_ value: TOMLValue, key: String) throws(ConfigError) -> String {
        let text = try string(value, key: key)
        if text.isEmpty || text.contains("\0") {
            throw ConfigError(file: file, line: value.line, key: key, message: "must be a non-empty path")
        }
        return text
    }

    private func choice<Choice: RawRepresentable & CaseIterable>(_ value: TOMLValue, key: String)
        throws(ConfigError) -> Choice where Choice.RawValue == String
    {
        let text = try string(value, key: key)
        guard let choice = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw ConfigError(
                file: file, line: value.line, key: key, message: "'\(text)' is not one of \(allowed)")
        }
        return choice
    }

    private func boolean(_ value: TOMLValue, key: String) throws(ConfigError) -> Bool {
        guard let boolean = value.boolean else { throw wrongType(value, key: key, expected: "true or false") }
        return boolean
    }

    private func integer(_ value: TOMLValue, key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let number = value.integer else { throw wrongType(value, key: key, expected: "an integer") }
        guard number >= Int64(range.lowerBound), number <= Int64(range.upperBound) else {
            throw ConfigError(
                file: file, line: value.line, key: key,
                message: "\(number) is out of range (\(range.lowerBound) to \(range.upperBound))")
        }
        return Int(number)
    }

    /// Seconds, as an integer or a float; kept to whole milliseconds.
    private func duration(_ value: TOMLValue, key: String, allowZero: Bool) throws(ConfigError) -> Duration {
        let seconds: Double
        switch value.kind {
        case .integer(let number): seconds = Double(number)
        case .float(let number): seconds = number
        default: throw wrongType(value, key: key, expected: "a number of seconds")
        }
        let lowest = allowZero ? 0 : 0.001
        guard seconds.isFinite, seconds >= lowest, seconds <= Self.maximumTimeoutSeconds else {
            throw ConfigError(
                file: file, line: value.line, key: key,
                message: "must be between \(allowZero ? "0" : "0.001") and \(Int(Self.maximumTimeoutSeconds)) seconds")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    // MARK: - Errors

    private func wrongType(_ value: TOMLValue, key: String, expected: String) -> ConfigError {
        ConfigError(file: file, line: value.line, key: key, message: "expected \(expected), found \(value.typeName)")
    }

    private func unknownKey(_ key: String, line: Int, prefix: String, known: [String]) -> ConfigError {
        let fullKey = prefix.isEmpty ? key : "\(prefix).\(key)"
        var message = "unknown key"
        // Close misspellings, or a truncated or over-long spelling (`stack` for `stack_size`).
        let similar = known.filter { candidate in
            Self.distance(candidate, key) <= 2
                || (key.count >= 3 && (candidate.hasPrefix(key) || key.hasPrefix(candidate)))
        }
        if let suggestion = similar.min(by: { Self.distance($0, key) < Self.distance($1, key) }) {
            message += " (did you mean '\(suggestion)'?)"
        }
        return ConfigError(file: file, line: line, key: fullKey, message: message)
    }

    // MARK: - Character classes

    /// Levenshtein distance, for "did you mean" on misspelt keys.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }

    static func isVisibleASCII(_ byte: UInt8) -> Bool {
        byte >= 0x21 && byte <= 0x7E
    }

    /// RFC 9110 tchar.
    static func isTokenByte(_ byte: UInt8) -> Bool { FieldSyntax.isTokenByte(byte) }

    /// `type/subtype` made of tokens, optionally followed by `;` parameters in visible ASCII.
    static func isMediaType(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ isVisibleASCII($0) || $0 == 0x20 }) else { return false }
        let essence = bytes.split(separator: UInt8(ascii: ";"), maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = essence.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(isTokenByte) }
    }
}
