import Foundation
import Glibc
import Testing

extension Integration {
    /// systemd's protocols without systemd: socket activation through `systemd-socket-activate`,
    /// sd_notify into a datagram socket of our own, and the unit files through `systemd-analyze verify`.
    @Suite struct SystemdTests {
        // MARK: Socket activation

        /// spindle serves the socket systemd-socket-activate passes as descriptor 3 and binds nothing
        /// itself: the `--listen 127.0.0.1:0` it is also given is ignored.
        @Test(arguments: ServingMode.all)
        func socketActivationServesThePassedSocket(mode: String) throws {
            let site = DocumentRoot.shared
            let (server, port) = try Self.startSocketActivated(mode: mode)
            try withStarted(server) { server in
                // The first connection makes systemd-socket-activate exec spindle; it waits in the backlog.
                let first = try RawClient.exchange(port: port, get("/small.txt"))
                #expect(first.status == 200)
                expectBody(first.body, site.small)

                let line = try #require(server.waitForStderrLine(containing: ServerProcess.startLine, timeout: 10))
                #expect(ServerProcess.ports(in: line) == [port], "start-up line: \(line)")
                #expect(line.contains("(\(mode), root "), "start-up line: \(line)")

                let client = try RawClient(port: port)
                for path in ["/", "/medium.bin"] {
                    try client.send(get(path))
                    let response = try client.readResponse()
                    #expect(response.status == 200)
                    expectBody(response.body, site.contents(of: path) ?? [])
                }
            }
        }

        /// Two sockets (LISTEN_FDS=2, descriptors 3 and 4): both are served.
        @Test func socketActivationServesEveryPassedSocket() throws {
            let (server, ports) = try Self.startSocketActivated(mode: "event-loop", sockets: 2)
            try withStarted(server) { server in
                for port in ports {
                    let response = try RawClient.exchange(port: port, get("/small.txt"))
                    #expect(response.status == 200)
                    expectBody(response.body, DocumentRoot.shared.small)
                }
                let line = try #require(server.waitForStderrLine(containing: ServerProcess.startLine, timeout: 10))
                #expect(ServerProcess.ports(in: line) == ports, "start-up line: \(line)")
            }
        }

        static func startSocketActivated(mode: String) throws -> (ServerProcess, UInt16) {
            let (server, ports) = try startSocketActivated(mode: mode, sockets: 1)
            return (server, ports[0])
        }

        /// systemd-socket-activate on ports that were free a moment ago; others if one was taken since.
        static func startSocketActivated(mode: String, sockets: Int) throws -> (ServerProcess, [UInt16]) {
            let activate = try executable(named: "systemd-socket-activate")
            var lastError: any Error = HarnessError("no attempt")
            for _ in 0..<5 {
                let ports = try (0..<sockets).map { _ in try freePort() }
                guard Set(ports).count == sockets else { continue }
                do {
                    let server = try ServerProcess(
                        mode: mode, startTimeout: 10,
                        launcher: [activate] + ports.flatMap { ["-l", "127.0.0.1:\($0)"] },
                        readyLine: "Listening on 127.0.0.1:\(ports[sockets - 1])")
                    return (server, ports)
                } catch {
                    lastError = error
                }
            }
            throw lastError
        }

        // MARK: sd_notify

        /// READY=1 with STATUS= once serving; STATUS= with the counters from the once-a-second tick;
        /// WATCHDOG=1 every second for WATCHDOG_USEC=2000000; RELOADING=1 with MONOTONIC_USEC= then
        /// READY=1 on SIGHUP; STOPPING=1 on SIGTERM. To a path and to an abstract `@name`;
        /// WATCHDOG_PID unset with the abstract one and set to spindle's own PID (as systemd does) with
        /// the path.
        @Test(arguments: ServingMode.all, [false, true])
        func notifyMessagesFollowTheLifecycle(mode: String, abstractAddress: Bool) throws {
            let listener = try NotifyListener(abstract: abstractAddress)
            // `exec` keeps the shell's PID, so $$ is spindle's.
            let launcher = abstractAddress ? [] : ["/bin/sh", "-c", "export WATCHDOG_PID=$$; exec \"$0\" \"$@\""]
            let server = try ServerProcess(
                mode: mode, environment: ["NOTIFY_SOCKET": listener.address, "WATCHDOG_USEC": "2000000"],
                launcher: launcher)
            try withStarted(server) { server in
                let ready = try #require(listener.waitForMessage(timeout: 10) { $0.notifyFields["READY"] == "1" })
                #expect(ready == 0, "messages: \(listener.messages)")
                #expect(listener.messages[ready].notifyFields["STATUS"]?.isEmpty == false)

                for _ in 0..<5 {
                    #expect(try RawClient.exchange(port: server.port, get("/small.txt")).status == 200)
                }
                let status = listener.waitForMessage(timeout: 5) { (Self.requestsServed(in: $0) ?? 0) >= 5 }
                #expect(status != nil, "no STATUS= with 5 requests served; messages: \(listener.messages)")

                let watchdogs = listener.wait(timeout: 5) { $0.filter { $0 == "WATCHDOG=1" }.count >= 2 }
                #expect(watchdogs != nil, "fewer than 2 WATCHDOG=1; messages: \(listener.messages)")

                let beforeReload = monotonicMicroseconds()
                let reloadMark = listener.messages.count
                server.signal(SIGHUP)
                let reloading = try #require(
                    listener.waitForMessage(from: reloadMark, timeout: 10) { $0.notifyFields["RELOADING"] == "1" },
                    "messages: \(listener.messages)")
                let afterReload = monotonicMicroseconds()
                let stamp = listener.messages[reloading].notifyFields["MONOTONIC_USEC"].flatMap { Int64($0) }
                #expect(
                    stamp.map { (beforeReload...afterReload).contains($0) } == true,
                    "MONOTONIC_USEC \(stamp ?? -1) outside \(beforeReload)...\(afterReload)")
                let readyAgain = listener.waitForMessage(from: reloading + 1, timeout: 10) {
                    $0.notifyFields["READY"] == "1"
                }
                #expect(readyAgain != nil, "no READY=1 after RELOADING=1; messages: \(listener.messages)")

                let stopMark = listener.messages.count
                server.signal(SIGTERM)
                let stopping = listener.waitForMessage(from: stopMark, timeout: 10) { $0 == "STOPPING=1" }
                #expect(stopping != nil, "no STOPPING=1; messages: \(listener.messages)")
            }
            let unknown = listener.messages.flatMap { $0.notifyFields.keys }.filter {
                !["READY", "STATUS", "RELOADING", "MONOTONIC_USEC", "WATCHDOG", "STOPPING"].contains($0)
            }
            #expect(unknown.isEmpty, "unexpected fields: \(unknown)")
        }

        /// WATCHDOG_PID naming another process means the watchdog is not ours: STATUS= ticks, no WATCHDOG=1.
        /// (The decision is made once, in SystemdNotifier, the same for both modes.)
        @Test func noWatchdogWhenWatchdogPIDIsAnotherProcess() throws {
            let listener = try NotifyListener(abstract: true)
            let environment = [
                "NOTIFY_SOCKET": listener.address, "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1",
            ]
            let server = try ServerProcess(mode: "event-loop", environment: environment)
            try withStarted(server) { _ in
                // The first tick would already send WATCHDOG=1 (none was sent before); wait for two.
                let ticks = listener.wait(timeout: 5) {
                    $0.filter { $0.hasPrefix("STATUS=") && $0.contains("requests served") }.count >= 2
                }
                #expect(ticks != nil, "messages: \(listener.messages)")
                #expect(!listener.messages.contains("WATCHDOG=1"), "messages: \(listener.messages)")
            }
        }

        /// `STATUS=C connections, R requests served` → R.
        static func requestsServed(in message: String) -> Int? {
            guard let status = message.notifyFields["STATUS"] else { return nil }
            let parts = status.split(separator: " ")
            guard parts.count == 5, Int(parts[0]) != nil, parts[1] == "connections,", parts[3] == "requests",
                parts[4] == "served"
            else { return nil }
            return Int(parts[2])
        }

        // MARK: Unit files

        /// The shipped units, with ExecStart pointing at the built binary, pass `systemd-analyze verify`
        /// without a single warning.
        @Test func unitFilesPassSystemdAnalyzeVerify() throws {
            let analyze = try executable(named: "systemd-analyze")
            let config = ServerProcess.packageRoot.appendingPathComponent("config")
            let directory = DocumentRoot.shared.scratch + "/units-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let service = try String(contentsOf: config.appendingPathComponent("spindle.service"), encoding: .utf8)
            for line in [
                "Type=notify", "ExecStart=/usr/local/bin/spindle --config /etc/spindle/spindle.toml",
                "ExecReload=/bin/kill -HUP $MAINPID", "NotifyAccess=main",
            ] {
                #expect(service.split(separator: "\n").contains(Substring(line)), "\(line) missing")
            }
            #expect(service.contains("\nWatchdogSec="))
            try service.replacingOccurrences(of: "/usr/local/bin/spindle", with: ServerProcess.binary)
                .write(toFile: directory + "/spindle.service", atomically: true, encoding: .utf8)
            try FileManager.default.copyItem(
                atPath: config.appendingPathComponent("spindle.socket").path, toPath: directory + "/spindle.socket")

            let result = try run(
                analyze, ["verify", directory + "/spindle.service", directory + "/spindle.socket"], timeout: 30)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stderr.isEmpty, "stderr: \(result.stderr)")
            #expect(result.stdout.isEmpty, "stdout: \(String(decoding: result.stdout, as: UTF8.self))")
        }
    }
}

/// CLOCK_MONOTONIC in microseconds, the clock of sd_notify's MONOTONIC_USEC.
func monotonicMicroseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
}

/// A port on 127.0.0.1 that nothing listens on right now (bound to port 0, read back, closed).
func freePort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw HarnessError("bind 127.0.0.1:0: errno \(errno)") }
    return UInt16(bigEndian: address.sin_port)
}

/// The full path of a program on PATH; the tests that need it fail (not skip) without it.
func executable(named name: String) throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") + ["/usr/bin", "/bin"] {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw HarnessError("\(name) is not installed (PATH: \(path))")
}
