import HTTP1
import Synchronization

/// Answers on the status listener (`status_listen`), never on the site's port: `GET /healthz` is
/// `200 ok` while serving and `503 draining` from SIGTERM on, so a load balancer stops sending new
/// requests while in-flight ones finish; `GET /metrics` is the Prometheus text format (0.0.4) of
/// `ServerCounters`; anything else is 404, and methods other than GET and HEAD 405. These requests
/// are not counted and not logged: a scrape must not change what it reads.
final class StatusResponder: Answering, Sendable {
    private let counters: ServerCounters
    private let version: String
    private let mode: String
    private let draining = Atomic<Bool>(false)

    init(counters: ServerCounters, version: String, mode: String) {
        self.counters = counters
        self.version = version
        self.mode = mode
    }

    /// From now on `/healthz` says 503.
    func beginDrain() { draining.store(true, ordering: .relaxed) }

    func respond(
        to head: RequestHead, in request: UnsafeRawBufferPointer, now: Int64, forceClose: Bool,
        into out: inout [UInt8]
    ) -> Response {
        let keepAlive = !forceClose && head.keepAlive
        let isHead = head.method == .head
        guard head.method == .get || isHead else {
            return answer(.methodNotAllowed, "method not allowed\n", keepAlive, isHead, into: &out)
        }
        let path = UnsafeRawBufferPointer(rebasing: request[head.path])
        if path.elementsEqual("/healthz".utf8) {
            if draining.load(ordering: .relaxed) {
                return answer(.serviceUnavailable, "draining\n", keepAlive, isHead, into: &out)
            }
            return answer(.ok, "ok\n", keepAlive, isHead, into: &out)
        }
        if path.elementsEqual("/metrics".utf8) {
            return answer(
                .ok, metrics(), keepAlive, isHead, type: "text/plain; version=0.0.4; charset=utf-8", into: &out)
        }
        return answer(.notFound, "not found\n", keepAlive, isHead, into: &out)
    }

    func respond(to error: ParseError, request: UnsafeRawBufferPointer?, now: Int64, into out: inout [UInt8])
        -> Response
    {
        answer(error.status, "\(error.status.code)\n", false, false, into: &out)
    }

    func respond(status: Status, now: Int64, into out: inout [UInt8]) -> Response {
        answer(status, "\(status.code)\n", false, false, into: &out)
    }

    private func answer(
        _ status: Status, _ body: String, _ keepAlive: Bool, _ isHead: Bool,
        type: String = "text/plain; charset=utf-8", into out: inout [UInt8]
    ) -> Response {
        out.append("HTTP/1.1 ")
        out.appendDecimal(status.code)
        out.append(UInt8(ascii: " "))
        out.append(status.reason)
        out.append("\r\nServer: spindle\r\nContent-Type: ")
        out += type.utf8
        out.append("\r\nCache-Control: no-store\r\nContent-Length: ")
        out.appendDecimal(body.utf8.count)
        out.append(keepAlive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n")
        if !isHead { out += body.utf8 }
        return Response(
            status: status, body: .none, keepAlive: keepAlive, bodyLength: isHead ? 0 : Int64(body.utf8.count))
    }

    /// The counters in the Prometheus text exposition format 0.0.4.
    func metrics() -> String {
        var text = ""
        func family(_ name: String, _ type: String, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        family("spindle_requests_total", "counter", "Responses sent, by status code.")
        for code in 100...599 {
            let count = counters.responses(status: code)
            if count > 0 { text += "spindle_requests_total{code=\"\(code)\"} \(count)\n" }
        }
        /// A family of one sample.
        func single(_ name: String, _ type: String, _ help: String, _ value: some CustomStringConvertible) {
            family(name, type, help)
            text += "\(name) \(value)\n"
        }
        single(
            "spindle_response_bytes_total", "counter", "Body bytes of the responses sent, as announced.",
            counters.responseBytes)
        single("spindle_connections_accepted_total", "counter", "Connections accepted.", counters.accepted)
        single("spindle_connections_open", "gauge", "Connections open now.", counters.open)
        family("spindle_parse_errors_total", "counter", "Requests rejected while parsing, by kind.")
        for error in ParseError.allCases {
            text += "spindle_parse_errors_total{kind=\"\(error)\"} \(counters.parseErrors(error))\n"
        }
        // The file cache counts under its own lock; the serving loop publishes its totals once a second.
        single(
            "spindle_file_cache_hits_total", "counter", "File cache lookups answered from the cache.",
            counters.cacheHits)
        single(
            "spindle_file_cache_misses_total", "counter", "File cache lookups that opened the file.",
            counters.cacheMisses)
        single(
            "spindle_start_time_seconds", "gauge", "Start time of the server, in seconds since the epoch.",
            counters.startTime)
        family("spindle_build_info", "gauge", "Version and serving mode; always 1.")
        text += "spindle_build_info{version=\"\(version)\",mode=\"\(mode)\"} 1\n"
        return text
    }
}
