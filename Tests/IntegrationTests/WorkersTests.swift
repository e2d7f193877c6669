import Foundation
import Glibc
import Testing

extension Integration {
    /// `--workers 2`: a supervisor that serves nothing and two single-threaded event-loop workers on
    /// the same listeners. Workers exist only in event-loop mode; the threads mode is covered by the
    /// refusal below.
    @Suite struct WorkersTests {
        static let workers = ["--workers", "2"]

        /// One supervisor, two workers, one thread each; READY=1 (once) only when both are ready, and
        /// both serve: each worker's own count, from the shared counters, in the summed STATUS=.
        @Test func twoSingleThreadedWorkersUnderOneSupervisorBothServe() throws {
            let notify = try NotifyListener(abstract: true)
            let server = try ServerProcess(
                mode: "event-loop", extraArguments: Self.workers, environment: ["NOTIFY_SOCKET": notify.address])
            try withStarted(server) { server in
                #expect(server.startLine.hasSuffix(", 2 workers)"), "start-up line: \(server.startLine)")
                #expect(server.threadCount() == 1)
                let workers = Self.children(of: server.pid)
                #expect(workers.count == 2, "children: \(workers)")
                for worker in workers {
                    #expect(Self.threadCount(of: worker) == 1, "worker \(worker)")
                    #expect(Self.children(of: worker).isEmpty)
                    let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(worker)/exe")
                    #expect(exe.hasSuffix("/spindle"), "worker \(worker) runs \(exe)")
                }
                // The start-up line comes once both are ready; so does READY=1, from the supervisor alone.
                let ready = try #require(notify.waitForMessage(timeout: 10) { $0.notifyFields["READY"] == "1" })
                #expect(ready == 0, "messages: \(notify.messages)")

                // Concurrent connections: while one worker is busy, the next connection wakes the other.
                let clients = BackgroundClients(4) { _, load in
                    while !load.isStopped {
                        let response = try RawClient.exchange(port: server.port, get("/small.txt"))
                        guard response.status == 200 else { throw HarnessError("\(response)") }
                        load.completed(version: nil)
                    }
                }
                let both = notify.waitForMessage(timeout: 20) { message in
                    guard let perWorker = Self.perWorkerRequests(in: message) else { return false }
                    return perWorker.count == 2 && perWorker.allSatisfy { $0 > 0 }
                }
                let failures = clients.stop()
                #expect(failures.isEmpty, "\(failures.prefix(5))")
                #expect(
                    both != nil, "no STATUS= with requests from both workers; messages: \(notify.messages.suffix(5))")
                let readies = notify.messages.filter { $0.notifyFields["READY"] == "1" }
                #expect(readies.count == 1, "READY=1 from a worker too? messages: \(notify.messages)")
            }
        }

        /// `kill -9` on a worker while clients keep asking: it is replaced within 2 s, and every
        /// request made once the replacement runs succeeds (only connections the killed worker held fail).
        @Test func aKilledWorkerIsReplacedAndServingGoesOn() throws {
            let server = try ServerProcess(mode: "event-loop", extraArguments: Self.workers)
            try withStarted(server) { server in
                let failuresAfterReplacement = Failures()
                let replaced = ManagedFlag()
                let clients = BackgroundClients(4) { index, load in
                    while !load.isStopped {
                        let afterReplacement = replaced.isSet
                        do {
                            let response = try RawClient.exchange(port: server.port, get("/small.txt"))
                            guard response.status == 200 else { throw HarnessError("\(response)") }
                            load.completed(version: nil)
                        } catch {
                            if afterReplacement { failuresAfterReplacement.append("client \(index): \(error)") }
                        }
                    }
                }
                defer { _ = clients.stop() }
                let load = clients.load
                try load.waitForMore(50)
                let victim = try #require(Self.children(of: server.pid).first)
                let killed = Date()
                kill(victim, SIGKILL)
                let line = server.waitForStderrLine(containing: "started again", timeout: 2)
                let elapsed = Date().timeIntervalSince(killed)
                #expect(line != nil, "no replacement within 2 s; stderr:\n\(server.stderr)")
                #expect(elapsed < 2)
                let workers = Self.children(of: server.pid)
                #expect(workers.count == 2 && !workers.contains(victim), "children: \(workers)")
                replaced.set()
                try load.waitForMore(100)
                #expect(try RawClient.exchange(port: server.port, get("/small.txt")).status == 200)
                #expect(failuresAfterReplacement.all.isEmpty, "\(failuresAfterReplacement.all.prefix(5))")
            }
        }

        /// SIGTERM while a 100 MiB response is in flight: it completes, then the server exits 0.
        @Test func sigtermLetsATransferInFlightComplete() throws {
            let site = DocumentRoot.shared
            let server = try ServerProcess(mode: "event-loop", extraArguments: Self.workers)
            let big = try RawClient(port: server.port, timeout: 30, receiveBuffer: 64 * 1024)
            try big.send(get("/big.bin"))
            #expect(try big.readHead().status == 200)
            server.signal(SIGTERM)
            let (received, mismatch) = try site.readBig(from: big)
            #expect(received == DocumentRoot.bigSize)
            #expect(mismatch == nil)
            #expect(server.waitForExit(timeout: 15) == 0, "stderr:\n\(server.stderr)")
            #expect((try? RawClient(port: server.port, timeout: 2)) == nil, "still accepting after exit")
        }

        /// SIGHUP under load: a valid file is applied by both workers, an invalid one is refused by the
        /// supervisor (no worker hears of it); not one request fails.
        @Test func reloadUnderLoadFailsNoRequest() throws {
            let server = try ServerProcess(
                mode: "event-loop", config: ReloadTests.config(version: "1", log: "off"),
                extraArguments: Self.workers, accessLog: nil)
            let configPath = try #require(server.configPath)
            try withStarted(server) { server in
                let clients = BackgroundClients(4) { index, load in
                    try ReloadTests.requestUntilStopped(
                        port: server.port, keepAlive: index % 2 == 0, mode: "event-loop", load: load)
                }
                defer { _ = clients.stop() }
                let load = clients.load
                try load.waitForMore(30)

                // Unchanged: both workers reload.
                server.signal(SIGHUP)
                try expectStderr(server, "configuration reloaded", count: 2)
                try load.waitForMore(30)

                // Invalid: the supervisor says so once and keeps the old one; no worker reloads.
                try "[headers]\n\"X-Version\" = 2\n".write(toFile: configPath, atomically: true, encoding: .utf8)
                server.signal(SIGHUP)
                try expectStderr(server, "keeping the previous configuration", count: 1)
                try load.waitForMore(30)
                #expect(server.stderr.components(separatedBy: "configuration reloaded").count - 1 == 2)
                #expect(try RawClient.exchange(port: server.port, get("/small.txt")).header("X-Version") == "1")

                // Valid and changed: once both workers have it, every connection sees it.
                try ReloadTests.config(version: "2", log: "off").write(
                    toFile: configPath, atomically: true, encoding: .utf8)
                server.signal(SIGHUP)
                try expectStderr(server, "configuration reloaded", count: 4)
                load.markReloaded()
                try load.waitForMore(30)
                let failures = clients.stop()
                #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(5))")
                #expect(load.sawVersion2)
                #expect(server.stderr.components(separatedBy: "keeping the previous configuration").count - 1 == 1)
            }
        }

        /// systemd-socket-activate passes one socket to the supervisor, which hands it to both workers.
        @Test func socketActivationWithTwoWorkers() throws {
            let activate = try executable(named: "systemd-socket-activate")
            var started: (ServerProcess, UInt16)?
            for _ in 0..<5 where started == nil {
                let port = try freePort()
                started = try? (
                    ServerProcess(
                        mode: "event-loop", extraArguments: Self.workers, startTimeout: 10,
                        launcher: [activate, "-l", "127.0.0.1:\(port)"], readyLine: "Listening on 127.0.0.1:\(port)"),
                    port
                )
            }
            let (server, port) = try #require(started)
            try withStarted(server) { server in
                // The first connection makes systemd-socket-activate exec spindle; it waits in the backlog.
                #expect(try RawClient.exchange(port: port, get("/small.txt")).status == 200)
                let line = try #require(server.waitForStderrLine(containing: ServerProcess.startLine, timeout: 10))
                #expect(ServerProcess.ports(in: line) == [port] && line.hasSuffix(", 2 workers)"), "\(line)")
                let workers = Self.children(of: server.pid)
                #expect(workers.count == 2, "children: \(workers)")
                let failures = concurrently(4) { _ in
                    for _ in 0..<25 {
                        let response = try RawClient.exchange(port: port, get("/small.txt"))
                        guard response.status == 200 else { throw HarnessError("\(response)") }
                    }
                }
                #expect(failures.isEmpty, "\(failures.prefix(5))")
                // Each worker holds the passed socket, not one of its own.
                let inode = try Self.socketInodes(of: server.pid)
                #expect(inode.count == 1)
                for worker in workers { #expect(try Self.socketInodes(of: worker).isSuperset(of: inode)) }
            }
        }

        /// Both workers append to one access log under load; every line is whole and well formed, and
        /// every request has exactly one.
        @Test func sharedAccessLogHasOnlyWholeLines() throws {
            let logPath = DocumentRoot.shared.scratch + "/workers-\(UUID().uuidString).log"
            let server = try ServerProcess(mode: "event-loop", extraArguments: Self.workers, accessLog: logPath)
            let clients = 6
            let perClient = 300
            try withStarted(server) { server in
                let failures = concurrently(clients, timeout: 60) { client in
                    // Half keep-alive, half a connection per request, so that both workers log.
                    var kept: RawClient?
                    for request in 0..<perClient {
                        let connection = try kept ?? RawClient(port: server.port, timeout: 20)
                        if client % 2 == 0 { kept = connection }
                        try connection.send(
                            get("/small.txt?c=\(client)&r=\(request)", "User-Agent: load \(client)\r\n"))
                        guard try connection.readResponse().status == 200 else { throw HarnessError("status") }
                    }
                }
                #expect(failures.isEmpty, "\(failures.prefix(5))")
            }
            let text = try String(contentsOfFile: logPath, encoding: .utf8)
            #expect(text.hasSuffix("\n"))
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == clients * perClient)
            let pattern =
                #/^127\.0\.0\.1 - - \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET /small\.txt\?c=(\d+)&r=(\d+) HTTP/1\.1" 200 \d+ "-" "load (\d+)"$/#
            var seen = Set<String>()
            var malformed: [Substring] = []
            for line in lines {
                guard let match = line.wholeMatch(of: pattern), match.1 == match.3 else {
                    malformed.append(line)
                    continue
                }
                seen.insert("\(match.1)/\(match.2)")
            }
            #expect(malformed.isEmpty, "\(malformed.count) malformed lines, e.g. \(malformed.prefix(3))")
            #expect(seen.count == clients * perClient, "each request logged once")
        }

        /// SIGUSR1 to the supervisor reaches every worker: after a rename, each one writes to a new
        /// file by the old name (seen in /proc: no worker still holds the renamed one).
        @Test func sigusr1ReopensEveryWorkersLog() throws {
            let log = DocumentRoot.shared.scratch + "/workers-reopen-\(UUID().uuidString).log"
            let server = try ServerProcess(mode: "event-loop", extraArguments: Self.workers, accessLog: log)
            try withStarted(server) { server in
                let workers = Self.children(of: server.pid)
                #expect(workers.count == 2)
                try LogReopenTests.request(port: server.port, marker: "first")
                try LogReopenTests.waitForLines(in: log, marker: "first")
                try LogReopenTests.rotate(log, to: log + ".1", server: server, signal: SIGUSR1)
                try pollUntil(timeout: 5, "every worker to reopen \(log)") {
                    workers.allSatisfy { !Self.openFiles(of: $0).contains(log + ".1") }
                }
                try LogReopenTests.request(port: server.port, marker: "second")
                try LogReopenTests.waitForLines(in: log, marker: "second")
            }
            #expect(try LogReopenTests.markers(in: log + ".1") == ["first", "first", "first"])
            #expect(try LogReopenTests.markers(in: log) == ["second", "second", "second"])
        }

        /// A worker that cannot start (its root vanished) dies again at each restart: after 5 deaths
        /// in 10 s the supervisor says so and ends with a non-zero status instead of spinning.
        @Test func aCrashLoopStopsTheServer() throws {
            let root = DocumentRoot.shared.scratch + "/vanishing-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try "x\n".write(toFile: root + "/index.html", atomically: true, encoding: .utf8)
            let server = try ServerProcess(mode: "event-loop", root: root, extraArguments: Self.workers)
            try FileManager.default.removeItem(atPath: root)
            let victim = try #require(Self.children(of: server.pid).first)
            kill(victim, SIGKILL)
            let status = server.waitForExit(timeout: 15)
            #expect(status != nil && status != 0, "stderr:\n\(server.stderr)")
            #expect(server.stderr.contains("workers keep dying (5 deaths within 10 s): stopping"), "\(server.stderr)")
            #expect(Self.children(of: server.pid).isEmpty)
        }

        /// WATCHDOG=1 only while every worker's loop ticks: a stopped worker holds the pings back,
        /// and they resume once it runs again. STATUS= keeps coming meanwhile.
        @Test func watchdogPingsOnlyWhileEveryWorkerTicks() throws {
            let notify = try NotifyListener(abstract: true)
            let server = try ServerProcess(
                mode: "event-loop", extraArguments: Self.workers,
                environment: ["NOTIFY_SOCKET": notify.address, "WATCHDOG_USEC": "2000000"])
            try withStarted(server) { server in
                #expect(notify.wait(timeout: 10) { $0.contains("WATCHDOG=1") } != nil, "\(notify.messages)")
                let worker = try #require(Self.children(of: server.pid).last)
                kill(worker, SIGSTOP)
                defer { kill(worker, SIGCONT) }
                // Two STATUS= ticks in a row with no ping between them: the pings have stopped.
                let stopped = notify.wait(timeout: 10) { messages in
                    let ticks = messages.indices.filter { messages[$0].hasPrefix("STATUS=") }
                    return zip(ticks, ticks.dropFirst()).contains { first, second in
                        !messages[first..<second].contains("WATCHDOG=1")
                            && messages[..<first].contains("WATCHDOG=1")
                    }
                }
                #expect(stopped != nil, "pings went on with a stopped worker: \(notify.messages.suffix(8))")
                let mark = notify.messages.count
                kill(worker, SIGCONT)
                let resumed = notify.waitForMessage(from: mark, timeout: 10) { $0 == "WATCHDOG=1" }
                #expect(resumed != nil, "no ping after the worker resumed: \(notify.messages.suffix(8))")
            }
        }

        /// One status listener for the whole server: `/metrics` on it sums every worker's counters,
        /// whichever worker answers.
        @Test func metricsAreSummedOverTheWorkers() throws {
            let server = try ServerProcess(
                mode: "event-loop", extraArguments: Self.workers + ["--status-listen", "127.0.0.1:0"])
            try withStarted(server) { server in
                let line = try #require(server.waitForStderrLine(containing: "health and metrics on ", timeout: 5))
                let statusPort = try #require(line.split(separator: ":").last.flatMap { UInt16($0) })
                let failures = concurrently(4) { _ in
                    for _ in 0..<50 {
                        let response = try RawClient.exchange(port: server.port, get("/small.txt"))
                        guard response.status == 200 else { throw HarnessError("\(response)") }
                    }
                }
                #expect(failures.isEmpty, "\(failures.prefix(5))")
                #expect(try RawClient.exchange(port: statusPort, get("/healthz")).status == 200)
                for _ in 0..<4 {  // whichever worker answers, the sum is the same
                    let metrics = try RawClient.exchange(port: statusPort, get("/metrics"))
                    let text = String(decoding: metrics.body, as: UTF8.self)
                    #expect(text.contains("\nspindle_requests_total{code=\"200\"} 200\n"), "\(text)")
                }
            }
        }

        /// Several workers need the event loop: `--mode threads --workers 2` and the same in a file
        /// are refused with the key to blame.
        @Test func threadsModeWithWorkersIsRefused() throws {
            let flags = try run(
                ServerProcess.binary, ["--mode", "threads", "--workers", "2", "--listen", "127.0.0.1:0"])
            #expect(flags.status != 0)
            #expect(
                flags.stderr.contains("command line: key '--workers': 2 workers need mode \"event-loop\""),
                "stderr: \(flags.stderr)")
            let file = DocumentRoot.shared.scratch + "/threads-workers-\(UUID().uuidString).toml"
            try "mode = \"threads\"\nworkers = 2\n".write(toFile: file, atomically: true, encoding: .utf8)
            let check = try run(ServerProcess.binary, ["check-config", file])
            #expect(check.status != 0)
            #expect(check.stderr.contains("\(file):2: key 'workers': 2 workers need mode"), "stderr: \(check.stderr)")
        }

        // MARK: /proc

        /// The children of `pid`, from /proc/PID/task/*/children.
        static func children(of pid: Int32) -> [Int32] {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            return tasks.flatMap { task in
                let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? ""
                return text.split(separator: " ").compactMap {
                    Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
                }
            }.sorted()
        }

        static func threadCount(of pid: Int32) -> Int {
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? -1
        }

        /// What `pid`'s descriptors point at (/proc/PID/fd).
        static func openFiles(of pid: Int32) -> [String] {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            return fds.compactMap {
                try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")
            }
        }

        /// The inodes of the sockets `pid` listens on or holds (socket:[N] in /proc/PID/fd).
        static func socketInodes(of pid: Int32) throws -> Set<String> {
            let listening = try Self.listeningInodes()
            return Set(
                openFiles(of: pid).compactMap { $0.hasPrefix("socket:[") ? String($0.dropFirst(8).dropLast()) : nil }
                    .filter(listening.contains))
        }

        /// Inodes of listening TCP sockets (state 0A in /proc/net/tcp).
        static func listeningInodes() throws -> Set<String> {
            let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
            return Set(
                table.split(separator: "\n").dropFirst().compactMap { row in
                    let fields = row.split(separator: " ")
                    return fields.count > 9 && fields[3] == "0A" ? String(fields[9]) : nil
                })
        }

        /// `STATUS=3 connections, 120 requests served by 2 workers (70 + 50)` → [70, 50].
        static func perWorkerRequests(in message: String) -> [Int]? {
            guard let status = message.notifyFields["STATUS"], let open = status.lastIndex(of: "("),
                status.hasSuffix(")")
            else { return nil }
            let figures = status[status.index(after: open)..<status.index(before: status.endIndex)]
            let counts = figures.split(separator: " + ").compactMap { Int($0) }
            return counts.isEmpty ? nil : counts
        }
    }
}

/// Client threads running in the background until `stop()`, which returns their failures (once;
/// later calls return nothing).
final class BackgroundClients: @unchecked Sendable {
    let load = LoadState()
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var failures: [String] = []
    private var stopped = false

    init(_ count: Int, timeout: Double = 50, _ body: @escaping @Sendable (Int, LoadState) throws -> Void) {
        let load = self.load
        DispatchQueue.global().async { [self] in
            let failures = concurrently(count, timeout: timeout) { index in try body(index, load) }
            lock.withLock { self.failures = failures }
            done.signal()
        }
    }

    func stop() -> [String] {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return [] }
        load.stop()
        done.wait()
        return lock.withLock { failures }
    }
}

/// A flag one thread sets and others read.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
