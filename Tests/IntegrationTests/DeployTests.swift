import Foundation
import Glibc
import Testing

extension Integration {
    /// Atomic deploys: `root` is a `current` symlink swapped to a new release under load.
    @Suite struct DeployTests {
        /// Files of each release, by name: one held in memory by the server, one sent with sendfile
        /// over several sends, so that a response mixing two releases would show.
        static let files = ["small.txt": 2 * 1024, "big.bin": 4 * 1024 * 1024]

        /// A deploy directory: base/releases/1, base/releases/2, base/current → releases/1.
        struct Deploy {
            let base: String
            var current: String { base + "/current" }
            /// Release number → file name → bytes.
            let contents: [Int: [String: [UInt8]]]

            init() throws {
                base = DocumentRoot.shared.scratch + "/deploy-\(UUID().uuidString.prefix(8))"
                var contents: [Int: [String: [UInt8]]] = [:]
                for release in [1, 2] {
                    let directory = "\(base)/releases/\(release)"
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    var generator = PatternGenerator(seed: UInt64(release) * 7919)
                    for (name, size) in DeployTests.files {
                        let bytes = generator.bytes(size)
                        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
                        contents[release, default: [:]][name] = bytes
                    }
                }
                self.contents = contents
                try FileManager.default.createSymbolicLink(atPath: base + "/current", withDestinationPath: "releases/1")
            }

            /// The release whose `name` has exactly these bytes, or nil (a mix, or garbage).
            func release(of name: String, _ body: [UInt8]) -> Int? {
                [1, 2].first { contents[$0]?[name].map { sameBytes($0, body) } ?? false }
            }

            /// The README's recipe: a new link beside the old one, renamed over it (atomic).
            func swap(to release: Int) throws {
                let result = try run(
                    "/bin/sh",
                    ["-c", "cd '\(base)' && ln -sfn releases/\(release) current.tmp && mv -T current.tmp current"])
                guard result.status == 0 else { throw HarnessError("swap failed: \(result.stderr)") }
            }
        }

        static func monotonicSeconds() -> Double {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        }

        /// What one response said, and when its request was sent.
        struct Observation {
            var sentAt: Double
            var release: Int
        }

        final class Log: @unchecked Sendable {
            private let lock = NSLock()
            private var items: [Observation] = []
            func append(_ item: Observation) { lock.withLock { items.append(item) } }
            var all: [Observation] { lock.withLock { items } }
        }

        /// Swapped under load: no failure, every body byte-exact from one release, the new release for
        /// every request sent a second after the swap, and nothing changes when the old one is deleted.
        @Test(arguments: ServingMode.all)
        func symlinkSwapUnderLoad(mode: String) throws {
            let deploy = try Deploy()
            defer { try? FileManager.default.removeItem(atPath: deploy.base) }
            let server = try ServerProcess(mode: mode, root: deploy.current)
            try withStarted(server) { server in
                let log = Log()
                let stop = Flag()
                let names = Array(Self.files.keys).sorted()
                let clients = 4
                let group = DispatchGroup()
                let failures = Failures()
                for index in 0..<clients {
                    group.enter()
                    Thread {
                        defer { group.leave() }
                        var client: RawClient?
                        var count = 0
                        while !stop.isSet {
                            do {
                                // Half the clients keep their connection, half open one per request.
                                if client == nil || index % 2 == 1 { client = try RawClient(port: server.port) }
                                guard let connection = client else { continue }
                                let name = names[count % names.count]
                                count += 1
                                let sentAt = Self.monotonicSeconds()
                                try connection.send(get("/" + name))
                                let response = try connection.readResponse()
                                guard response.status == 200, let release = deploy.release(of: name, response.body)
                                else {
                                    failures.append(
                                        "\(name): \(response.status), \(response.body.count) bytes, not one release")
                                    return
                                }
                                log.append(Observation(sentAt: sentAt, release: release))
                                if index % 2 == 1 { connection.close() }
                            } catch {
                                failures.append("client \(index): \(error)")
                                return
                            }
                        }
                    }.start()
                }

                // Some load on release 1, then the swap.
                let loadStart = Self.monotonicSeconds()
                while log.all.count < 40 && failures.all.isEmpty && Self.monotonicSeconds() < loadStart + 10 {
                    Thread.sleep(forTimeInterval: 0.01)
                }
                try deploy.swap(to: 2)
                let swappedAt = Self.monotonicSeconds()
                // A fresh connection sees the new release: polled here, while the load goes on. Whether
                // that came within a second is checked below on every request, by when it was sent.
                var seen = false
                while !seen && Self.monotonicSeconds() < swappedAt + 5 {
                    let sentAt = Self.monotonicSeconds()
                    let response = try RawClient.exchange(port: server.port, get("/small.txt"))
                    let release = response.status == 200 ? deploy.release(of: "small.txt", response.body) : nil
                    #expect(release != nil, "\(response.status), \(response.body.count) bytes, not one release")
                    if let release { log.append(Observation(sentAt: sentAt, release: release)) }
                    seen = release == 2
                }
                #expect(seen, "the new release was never served")
                // Keep loading past the second, then prune the old release, as a deploy tool does.
                while Self.monotonicSeconds() < swappedAt + 1.3 { Thread.sleep(forTimeInterval: 0.05) }
                try FileManager.default.removeItem(atPath: deploy.base + "/releases/1")
                let prunedAt = Self.monotonicSeconds()
                // Load on the pruned deploy for a while (a duration, not a wait for a signal).
                Thread.sleep(forTimeInterval: 0.8)
                stop.set()
                #expect(group.wait(timeout: .now() + 30) == .success)
                #expect(failures.all.isEmpty, "\(failures.all)")

                let observations = log.all
                #expect(observations.contains { $0.release == 1 })
                // 20 ms of slack for the clock the server reads against the one read here.
                let late = observations.filter { $0.sentAt > swappedAt + 1.02 && $0.release == 1 }
                #expect(late.isEmpty, "\(late.count) requests sent over a second after the swap got release 1")
                #expect(observations.filter { $0.sentAt > prunedAt }.count > 10)
                for name in names {
                    let response = try RawClient.exchange(port: server.port, get("/" + name))
                    #expect(response.status == 200 && deploy.release(of: name, response.body) == 2)
                }
            }
        }
    }
}

/// A flag one thread sets and others poll.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
