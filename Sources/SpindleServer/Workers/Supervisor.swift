import Glibc
import Posix

/// `workers > 1`: holds the listening sockets, starts one event-loop worker process per slot (this
/// binary again, with a `WorkerHandoff`), and serves nothing itself. It restarts workers that die
/// (with backoff; a crash loop stops the server), forwards signals, and is the one process systemd
/// hears from: READY=1 once every worker is ready, STATUS= summed over the workers' slots, WATCHDOG=1
/// only while every worker's loop ticks. One thread, one poll over a signalfd and the doorbell the
/// workers ring when their slot changes.
final class Supervisor {
    private let source: ConfigurationSource
    private var listeners: [Listener]
    private var statusListener: Listener?
    /// The workers' metrics counters (`ServerCounters`), one slot each, summed by whichever answers.
    private let counters: SharedMemory
    private let diagnostics: Diagnostics
    private let notifier: SystemdNotifier
    /// Printed once every worker is ready.
    private let startLines: [String]
    private let slots: WorkerSlots
    private let doorbell: EventDescriptor
    private let signals: SignalDescriptor
    /// This binary, started again for each worker with the same arguments.
    private let arguments = CommandLine.arguments
    private let environment: [String]

    /// How long a worker may take to stop after SIGTERM: `shutdown_delay` then `shutdown_grace`.
    private var stopAllowance: Int64
    private var pids: [pid_t?]
    private var restartAt: [Int64?]
    /// Workers that were still starting when a reload came: they get SIGHUP once ready.
    private var reloadWhenReady: [Bool]
    /// The reload count each worker will have reached once it has applied the last SIGHUP.
    private var awaitedReloads: [Int64?]
    private var policy = RestartPolicy()
    /// Requests served by workers that have since exited, so the total never goes backwards.
    private var retiredRequests: Int64 = 0
    private var announced = false
    private var reloading = false
    private var draining = false
    private var exitStatus: Int32 = 0
    private var killDeadline: Int64 = .max
    private var nextTick: Int64 = 0

    static let executable = "/proc/self/exe"
    static let second: Int64 = 1_000_000_000
    /// A worker whose loop has not ticked for this long is stuck: the watchdog pings stop.
    static let stalledAfter: Int64 = 3 * second
    /// What systemd must not pass on to the workers: only the supervisor talks to it.
    static let withheldVariables = [
        "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
        WorkerHandoff.variable,
    ]

    init(
        workers: Int, listeners: [Listener], statusListener: Listener?, source: ConfigurationSource,
        configuration: Configuration, diagnostics: Diagnostics, startLines: [String]
    ) throws(Errno) {
        // Blocked before the first worker exists, so no SIGCHLD or SIGTERM can slip past the signalfd.
        signals = try SignalDescriptor(ServerSignal.handled + [SIGCHLD])
        slots = try WorkerSlots(count: workers)
        doorbell = try EventDescriptor()
        counters = try SharedMemory(name: "spindle-counters", size: ServerCounters.regionSize(slots: workers))
        self.listeners = listeners
        self.statusListener = statusListener
        self.source = source
        self.diagnostics = diagnostics
        self.startLines = startLines
        notifier = SystemdNotifier()
        stopAllowance = Self.stopAllowance(configuration)
        environment = ChildProcesses.environment.filter { variable in
            !Self.withheldVariables.contains { variable.hasPrefix($0 + "=") }
        }
        pids = Array(repeating: nil, count: workers)
        restartAt = Array(repeating: nil, count: workers)
        reloadWhenReady = Array(repeating: false, count: workers)
        awaitedReloads = Array(repeating: nil, count: workers)
    }

    /// Runs until the workers have drained after SIGTERM/SIGINT, or a crash loop; the exit status.
    func run() throws(Errno) -> Int32 {
        SignalDescriptor.ignoreBrokenPipe()
        for index in pids.indices { start(index, now: MonotonicClock.nanoseconds()) }
        nextTick = MonotonicClock.nanoseconds() + Self.second
        // The two descriptors never change, and `wait` resets what a previous turn reported.
        var poll = Poll()
        let signalIndex = poll.add(signals.descriptor.rawValue)
        let doorbellIndex = poll.add(doorbell.descriptor.rawValue)
        while !draining || pids.contains(where: { $0 != nil }) {
            _ = try poll.wait(timeoutMilliseconds: timeout(now: MonotonicClock.nanoseconds()))
            let now = MonotonicClock.nanoseconds()
            if poll.isReady(signalIndex) { handleSignals(now: now) }
            reapWorkers(now: now)
            if poll.isReady(doorbellIndex) {
                doorbell.clear()
                readSlots()
            }
            for index in restartAt.indices {
                if let due = restartAt[index], due <= now { start(index, now: now) }
            }
            if now >= killDeadline && pids.contains(where: { $0 != nil }) { killStragglers() }
            // Before READY=1 systemd needs neither status nor pings.
            if announced && now >= nextTick { tick(now: now) }
        }
        return exitStatus
    }

    private func timeout(now: Int64) -> Int32 {
        let next = min(nextTick, killDeadline, restartAt.compactMap { $0 }.min() ?? .max)
        return Int32(max(0, min(1000, (next - now + 999_999) / 1_000_000)))
    }

    // MARK: Workers

    private func start(_ index: Int, now: Int64) {
        let replacing = restartAt[index] != nil
        restartAt[index] = nil
        slots.reset(index)
        let handoff = WorkerHandoff(
            index: index, slots: slots.descriptor, doorbell: doorbell.descriptor.rawValue, supervisor: getpid(),
            counters: counters.descriptor.rawValue, statusListener: statusListener?.socket.rawValue,
            listeners: listeners.map { $0.socket.rawValue })
        do {
            pids[index] = try ChildProcesses.spawn(
                Self.executable, arguments: arguments, environment: environment + [handoff.environmentEntry],
                descriptors: handoff.descriptors.map { .duplicate($0, onto: $0) })
            if replacing { diagnostics.info("worker \(index) started again (pid \(pids[index] ?? 0))") }
        } catch {
            diagnostics.error("cannot start worker \(index): \(error)")
            died(index, now: now)
        }
    }

    private func reapWorkers(now: Int64) {
        while let (pid, termination) = ChildProcesses.reap() {
            guard let index = pids.firstIndex(of: pid) else { continue }
            pids[index] = nil
            retiredRequests += slots[index, .requests]
            slots.reset(index)
            ServerCounters.workerEnded(in: counters, slot: index)
            awaitedReloads[index] = nil
            reloadWhenReady[index] = false
            if draining {
                // A worker still starting when SIGTERM came ends by the signal's default action.
                if termination != .exited(0) && termination != .signaled(SIGTERM) {
                    diagnostics.error("worker \(index) (pid \(pid)) ended while draining: \(termination)")
                    exitStatus = 1
                }
            } else {
                diagnostics.error("worker \(index) (pid \(pid)) ended: \(termination)")
                died(index, now: now)
            }
        }
        finishReloadIfDone()
    }

    private func died(_ index: Int, now: Int64) {
        switch policy.died(at: now) {
        case .restart(let delay):
            restartAt[index] = now + delay
        case .giveUp:
            diagnostics.error(
                "workers keep dying (\(policy.limit) deaths within \(policy.window / Self.second) s): stopping")
            exitStatus = 1
            beginDrain(now: now)
        }
    }

    /// A worker rang the doorbell: it became ready, or finished a reload.
    private func readSlots() {
        for index in pids.indices {
            guard let pid = pids[index], slots[index, .ready] == 1, reloadWhenReady[index] else { continue }
            reloadWhenReady[index] = false
            awaitedReloads[index] = slots[index, .reloads] + 1
            ChildProcesses.signal(pid, SIGHUP)
        }
        if !announced && pids.indices.allSatisfy({ pids[$0] != nil && slots[$0, .ready] == 1 }) {
            announced = true
            for line in startLines { printError(line) }
            notifier.ready(status: status)
            nextTick = MonotonicClock.nanoseconds() + Self.second
        }
        finishReloadIfDone()
    }

    private func killStragglers() {
        for case let pid? in pids {
            diagnostics.error(
                "worker pid \(pid) still running \(stopAllowance / 1_000_000) ms after SIGTERM: killing it")
            ChildProcesses.signal(pid, SIGKILL)
        }
        exitStatus = 1
        killDeadline = .max
    }

    // MARK: Signals

    private func handleSignals(now: Int64) {
        while let number = try? signals.next() {
            if number == SIGCHLD { continue }  // reaped after every wake-up
            switch ServerSignal(number) {
            case .drain: beginDrain(now: now)
            case .reload: reload()
            case .reopenLogs: forward(SIGUSR1)
            case nil: break
            }
        }
    }

    /// Sends `signal` to every worker whose loop runs (a starting one has not blocked it yet, and the
    /// default action of SIGHUP or SIGUSR1 would end it).
    private func forward(_ signal: Int32) {
        for index in pids.indices {
            if let pid = pids[index], slots[index, .ready] == 1 { ChildProcesses.signal(pid, signal) }
        }
    }

    /// Validates the new configuration here first: an invalid one is logged and no worker hears of
    /// it. A valid one is applied by each worker in place, as a single process would.
    private func reload() {
        guard !draining else { return }
        notifier.reloading(monotonicMicroseconds: MonotonicClock.nanoseconds() / 1000)
        guard let (reloaded, _) = Reloader.loadValid(source, diagnostics) else {
            notifier.ready(status: status)
            return
        }
        diagnostics.setLevel(reloaded.logLevel)
        stopAllowance = Self.stopAllowance(reloaded)
        if reloaded.workers != slots.count {
            diagnostics.warning("reload: the number of workers changes only on restart")
        }
        reloading = true
        for index in pids.indices {
            guard let pid = pids[index] else { continue }  // a replacement reads the new file anyway
            if slots[index, .ready] == 1 {
                awaitedReloads[index] = slots[index, .reloads] + 1
                ChildProcesses.signal(pid, SIGHUP)
            } else {
                reloadWhenReady[index] = true
            }
        }
        finishReloadIfDone()
    }

    /// READY=1 again once every worker has applied (or refused) the reload, or been replaced.
    private func finishReloadIfDone() {
        guard reloading else { return }
        for index in pids.indices {
            if let awaited = awaitedReloads[index], slots[index, .reloads] >= awaited { awaitedReloads[index] = nil }
        }
        guard awaitedReloads.allSatisfy({ $0 == nil }), !reloadWhenReady.contains(true) else { return }
        reloading = false
        notifier.ready(status: status)
    }

    /// Every worker drains; the supervisor closes its copies of the listeners (no worker will be
    /// started again), so once the workers have closed theirs new connections are refused.
    private func beginDrain(now: Int64) {
        guard !draining else { return }
        draining = true
        notifier.stopping()
        listeners.removeAll()
        statusListener = nil
        for index in pids.indices {
            restartAt[index] = nil
            if let pid = pids[index] { ChildProcesses.signal(pid, SIGTERM) }
        }
        // The workers stop at their own deadline; a second more for them to exit.
        killDeadline = now + stopAllowance + Self.second
    }

    // MARK: Time

    private static func stopAllowance(_ configuration: Configuration) -> Int64 {
        configuration.timeouts.shutdownDelay.nanoseconds + configuration.timeouts.shutdownGrace.nanoseconds
    }

    private func tick(now: Int64) {
        nextTick = now + Self.second
        let stalled = pids.indices.filter { index in
            pids[index] != nil && slots[index, .ready] == 1 && now - slots[index, .lastTick] > Self.stalledAfter
        }
        notifier.tick(status: status, healthy: stalled.isEmpty)
    }

    /// `3 connections, 1200 requests served by 2 workers (700 + 500)`: the per-worker figures are
    /// those of the running workers; the total also counts the requests of workers that have exited.
    private var status: String {
        let requests = pids.indices.map { slots[$0, .requests] }
        return "\(slots.sum(.connections)) connections, \(retiredRequests + requests.reduce(0, +)) requests served "
            + "by \(slots.count) workers (\(requests.map(String.init).joined(separator: " + ")))"
    }
}
