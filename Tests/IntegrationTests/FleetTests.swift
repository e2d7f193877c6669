import Foundation
import Glibc
import Testing

extension Integration {
    /// Past one machine: three replicas behind HAProxy, health-checked on their status listeners,
    /// restarted one at a time under load. No request may fail, every body is byte-exact, and every
    /// replica gives a file the same validators (their docroots are `cp -a` copies, mtimes preserved).
    @Suite struct FleetTests {
        /// Event-loop replicas and one thread-per-connection replica: a fleet may mix them.
        static let modes = ["event-loop", "event-loop", "threads"]
        /// Each replica is restarted this many times.
        static let rounds = 2
        /// Requests the clients send at least, through HAProxy.
        static let minimumRequests = 3000
        static let clients = 4

        /// A file of the docroot, with what every replica must answer for it.
        struct File: Sendable {
            let path: String
            let body: [UInt8]
            var etag = ""
            var lastModified = ""
        }

        /// One replica: a spindle with a status listener, restarted on the same two ports.
        final class Replica: @unchecked Sendable {
            let name: String
            let mode: String
            let root: String
            private(set) var server: ServerProcess
            let port: UInt16
            let statusPort: UInt16

            init(name: String, mode: String, root: String) throws {
                self.name = name
                self.mode = mode
                self.root = root
                server = try ServerProcess(mode: mode, root: root, extraArguments: ["--status-listen", "127.0.0.1:0"])
                port = server.port
                statusPort = try server.statusPort()
            }

            /// SIGTERM (the drain: `/healthz` says 503, in-flight responses finish), then its exit status.
            func stop() -> Int32? {
                server.signal(SIGTERM)
                return server.waitForExit(timeout: 15)
            }

            /// Starts it again on its ports; SO_REUSEADDR lets it bind at once.
            func start() throws {
                server = try ServerProcess(
                    mode: mode, root: root, port: port, extraArguments: ["--status-listen", "127.0.0.1:\(statusPort)"])
            }
        }

        /// What the clients did, and when they should stop.
        final class Tally: @unchecked Sendable {
            private let lock = NSLock()
            private var restartsDone = false
            private(set) var requests = 0
            private(set) var reused = 0
            private(set) var bytes = 0
            let deadline: Date

            init(deadline: Date) { self.deadline = deadline }

            func count(bytes size: Int, reused again: Bool) {
                lock.withLock {
                    requests += 1
                    bytes += size
                    if again { reused += 1 }
                }
            }

            var total: Int { lock.withLock { requests } }
            func finishRestarts() { lock.withLock { restartsDone = true } }
            var keepGoing: Bool {
                lock.withLock { !restartsDone || requests < FleetTests.minimumRequests } && Date() < deadline
            }
        }

        static func haproxyConfiguration(_ replicas: [Replica]) -> ([UInt16]) -> String {
            { ports in
                """
                global
                    log stderr format raw local0 info
                    maxconn 1000

                defaults
                    mode http
                    log global
                    option httplog
                    # Only what went wrong or was retried: the test prints it.
                    option dontlog-normal
                    timeout connect 1s
                    timeout client 10s
                    timeout server 10s
                    timeout http-request 5s
                    timeout check 2s
                    # A replica that has just closed its listener refuses the connection, and one that
                    # closes an idle keep-alive connection as it drains may drop a request sent on it
                    # before HAProxy's next check sees the 503: retry those elsewhere.
                    retries 3
                    option redispatch 1
                    retry-on conn-failure empty-response response-timeout

                frontend fleet
                    bind 127.0.0.1:\(ports[0])
                    stats enable
                    stats uri \(HAProxy.statsPath)
                    default_backend replicas

                backend replicas
                    balance roundrobin
                    option httpchk GET /healthz
                    http-check expect status 200
                    default-server inter 100ms fall 1 rise 1

                """
                    + replicas.map { "    server \($0.name) 127.0.0.1:\($0.port) check port \($0.statusPort)\n" }
                    .joined()
            }
        }

        /// GET `file` on `client`; throws unless it is a 200 with the exact body and the file's validators.
        static func fetch(_ file: File, on client: RawClient) throws {
            try client.send(get(file.path))
            let response = try client.readResponse()
            guard response.status == 200 else { throw HarnessError("\(file.path): \(response)") }
            guard sameBytes(response.body, file.body) else {
                throw HarnessError("\(file.path): body differs (\(response.body.count) bytes)")
            }
            guard response.header("ETag") == file.etag, response.header("Last-Modified") == file.lastModified else {
                throw HarnessError("\(file.path): validators differ: \(response)")
            }
        }

        /// Batches of 10 requests, alternately on one keep-alive connection and on a new connection
        /// each; every eighth request is for the 1 MiB file.
        static func sendRequests(client index: Int, port: UInt16, files: [File], tally: Tally, failures: Failures) {
            var sequence = index
            var batch = index
            while tally.keepGoing {
                let reuse = batch % 2 == 0
                var connection: RawClient?
                for _ in 0..<10 {
                    let file = sequence % 8 == 7 ? files[1] : files[0]
                    sequence += 1
                    do {
                        let again = connection != nil
                        let client = try connection ?? RawClient(port: port, timeout: 15)
                        try fetch(file, on: client)
                        connection = reuse ? client : nil
                        tally.count(bytes: file.body.count, reused: again)
                    } catch {
                        failures.append("client \(index), \(reuse ? "keep-alive" : "new connection"): \(error)")
                        connection = nil
                    }
                }
                batch += 1
            }
        }

        /// A temporary directory with `site/`: the files (their mtime long ago, so that a copy that did
        /// not keep it could not match by chance, and with a fraction of a second, which the ETag shows
        /// and the copy must keep too), and a replica per mode, each serving its `cp -a` copy.
        static func makeFleet(_ base: String, modes: [String]) throws -> ([File], [Replica]) {
            var generator = PatternGenerator(seed: 0xf1ee7)
            let files = [
                File(path: "/small.txt", body: generator.bytes(1024)),
                File(path: "/one.bin", body: generator.bytes(1 << 20)),
            ]
            let source = base + "/site"
            try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
            for file in files {
                try Data(file.body).write(to: URL(fileURLWithPath: source + file.path))
                try FileManager.default.setAttributes(
                    [.modificationDate: Date(timeIntervalSince1970: 1_700_000_000.25)], ofItemAtPath: source + file.path
                )
            }
            let replicas = try modes.enumerated().map { index, mode in
                let root = base + "/replica\(index + 1)"
                let copy = try run("/bin/cp", ["-a", source, root])
                guard copy.status == 0 else { throw HarnessError("cp -a: \(copy.stderr)") }
                return try Replica(name: "r\(index + 1)", mode: mode, root: root)
            }
            return (files, replicas)
        }

        static func temporaryDirectory() -> String {
            NSTemporaryDirectory() + "spindle-fleet-\(getpid())-\(UUID().uuidString.prefix(8))"
        }

        @Test(.enabled(if: HAProxy.path != nil, "haproxy is not installed (make haproxy)"))
        func rollingRestartsBehindHAProxyLoseNothing() throws {
            let base = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: base) }
            let fleet = try Self.makeFleet(base, modes: Self.modes)
            var files = fleet.0
            let replicas = fleet.1

            // The validators, from each replica directly: the same everywhere.
            for index in files.indices {
                let answers = try replicas.map { try RawClient.exchange(port: $0.port, get(files[index].path)) }
                files[index].etag = try #require(answers[0].header("ETag"))
                files[index].lastModified = try #require(answers[0].header("Last-Modified"))
                for (replica, answer) in zip(replicas, answers) {
                    #expect(answer.header("ETag") == files[index].etag, "\(replica.name) \(files[index].path)")
                    #expect(answer.header("Last-Modified") == files[index].lastModified, "\(replica.name)")
                    expectBody(answer.body, files[index].body, "\(replica.name) \(files[index].path)")
                }
            }

            let haproxy = try HAProxy(directory: base, configuration: Self.haproxyConfiguration(replicas))
            defer { haproxy.stop() }
            for replica in replicas { try haproxy.waitFor("replicas", replica.name, "UP") }

            let started = Date()
            let tally = Tally(deadline: started.addingTimeInterval(30))
            let failures = Failures()
            let port = haproxy.port
            let fixedFiles = files
            let orchestration = concurrently(1 + Self.clients, timeout: 40) { index in
                guard index == 0 else {
                    return Self.sendRequests(
                        client: index, port: port, files: fixedFiles, tally: tally, failures: failures)
                }
                defer { tally.finishRestarts() }
                for _ in 0..<Self.rounds {
                    for replica in replicas {
                        let before = tally.total
                        guard replica.stop() == 0 else {
                            throw HarnessError("\(replica.name) did not drain and exit 0: \(replica.server.stderr)")
                        }
                        try haproxy.waitFor("replicas", replica.name, "DOWN")
                        try replica.start()
                        try haproxy.waitFor("replicas", replica.name, "UP")
                        // Traffic flowed across this restart before the next one begins.
                        try pollUntil(timeout: 10, "requests after restarting \(replica.name)") {
                            tally.total >= before + 100
                        }
                    }
                }
            }
            let seconds = Date().timeIntervalSince(started)
            #expect(orchestration.isEmpty, "\(orchestration)\nhaproxy log:\n\(haproxy.log)")
            let failed = failures.all
            #expect(
                failed.isEmpty,
                "\(failed.count) failed requests, first: \(failed.prefix(10))\nhaproxy log:\n\(haproxy.log.suffix(4000))"
            )
            #expect(tally.requests >= Self.minimumRequests, "only \(tally.requests) requests in \(seconds) s")

            // HAProxy followed every restart: each replica went DOWN once per round (and came back UP).
            let stats = try haproxy.stats()
            for replica in replicas {
                #expect((stats["replicas/\(replica.name)"]?.count("chkdown") ?? 0) >= Self.rounds, "\(replica.name)")
            }
            let backend = stats["replicas/BACKEND"]
            print(
                "fleet: \(tally.requests) requests (\(tally.reused) on reused connections, \(tally.bytes >> 20) MiB) "
                    + "through haproxy in \(String(format: "%.1f", seconds)) s across \(Self.rounds * replicas.count) "
                    + "rolling restarts; \(failed.count) failed; haproxy retried \(backend?.count("wretr") ?? -1) "
                    + "and redispatched \(backend?.count("wredis") ?? -1)")

            // After the restarts, still the same validators everywhere; a conditional request through
            // the balancer gets 304 whichever replica answers it.
            for file in files {
                for replica in replicas {
                    try Self.fetch(file, on: RawClient(port: replica.port))
                }
                for _ in replicas {
                    let response = try RawClient.exchange(port: port, get(file.path, "If-None-Match: \(file.etag)\r\n"))
                    #expect(response.status == 304, "\(file.path): \(response)")
                }
            }
            for replica in replicas {
                #expect(replica.stop() == 0, "\(replica.name): \(replica.server.stderr)")
            }
        }

        static let openssl = tool(
            ["/usr/bin/openssl"], for: "the test of config/haproxy.cfg (it needs a certificate)",
            "Install it with: apt-get install openssl")

        /// config/haproxy.cfg, the README's example, is valid and does what it says. With a test
        /// certificate, loopback ports and a local replica in place of its own, HTTPS (HTTP/2 too)
        /// reaches the replica through the health-checked backend, and plain HTTP is redirected to HTTPS.
        @Test(.enabled(if: HAProxy.path != nil && openssl != nil, "haproxy or openssl is not installed"))
        func exampleConfigurationTerminatesTLSInFront() throws {
            let base = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: base) }
            let (files, replicas) = try Self.makeFleet(base, modes: ["event-loop"])
            let replica = replicas[0]
            let key = base + "/key.pem"
            let certificate = base + "/certificate.pem"
            let made = try run(
                Self.openssl ?? "openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
                    "-subj", "/CN=127.0.0.1",
                ])
            try #require(made.status == 0, "openssl: \(made.stderr)")
            let pem = base + "/site.pem"
            try (Data(contentsOf: URL(fileURLWithPath: certificate)) + Data(contentsOf: URL(fileURLWithPath: key)))
                .write(to: URL(fileURLWithPath: pem))

            let example = try String(
                contentsOf: ServerProcess.packageRoot.appendingPathComponent("config/haproxy.cfg"), encoding: .utf8)
            var lines = example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.removeAll { $0.hasPrefix("    server ") }
            lines.append("    server web1 127.0.0.1:\(replica.port) check port \(replica.statusPort)")
            let edited = lines.joined(separator: "\n") + "\n"
            /// Each replacement must apply: the test notices when the example changes shape.
            func replacing(_ text: String, _ old: String, _ new: String) throws -> String {
                guard text.contains(old) else { throw HarnessError("config/haproxy.cfg has no `\(old)` any more") }
                return text.replacingOccurrences(of: old, with: new)
            }
            var failure: Error?
            let haproxy = try HAProxy(directory: base, ports: 2) { ports in
                do {
                    var text = try replacing(edited, "log /dev/log local0", "log stderr format raw local0")
                    text = try replacing(
                        text, "bind :443 ssl crt /etc/haproxy/site.pem", "bind 127.0.0.1:\(ports[0]) ssl crt \(pem)")
                    return try replacing(text, "bind :80\n", "bind 127.0.0.1:\(ports[1])\n")
                } catch {
                    failure = error
                    return ""
                }
            }
            defer { haproxy.stop() }
            if let failure { throw failure }
            let https = "https://127.0.0.1:\(haproxy.ports[0])"
            let http = "http://127.0.0.1:\(haproxy.ports[1])"

            let direct = try RawClient.exchange(port: replica.port, get(files[0].path))
            let response = try curlResponse(["-k", "--http1.1", https + files[0].path])
            #expect(response.status == 200, "\(response)")
            expectBody(response.body, files[0].body)
            #expect(response.header("ETag") == direct.header("ETag"))
            #expect(response.header("Strict-Transport-Security") != nil)
            let version = try curl(["-k", "-o", "/dev/null", "-w", "%{http_version}", https + files[1].path])
            #expect(String(decoding: version.stdout, as: UTF8.self) == "2", "HTTP/2 to the client: \(version.stderr)")

            let redirect = try curlResponse([http + files[0].path])
            #expect(redirect.status == 301)
            #expect(redirect.header("Location") == "https://127.0.0.1:\(haproxy.ports[1])\(files[0].path)")
            #expect(replica.stop() == 0, "\(replica.server.stderr)")
        }
    }
}
