import Glibc
import Posix

/// A closed-loop HTTP/1.1 load generator on one thread and one epoll set, in the manner of wrk
/// with one thread: each of N connections sends a request, waits for the whole response, records
/// its latency and sends the next. Response bodies land in one shared scratch buffer and are only
/// counted. Being closed-loop, it measures what N eager clients see, not a fixed arrival rate
/// (latencies under overload are those of the queue N clients build, not of an open stream).
///
/// Connections are plain descriptor numbers in a flat table rather than `FileDescriptor`s: a
/// table of ten thousand non-copyable values is not something Swift arrays hold, and the hot
/// path calls recv/send directly so that one response costs one recv and one send.
public final class LoadGenerator {
    private enum Phase: UInt8 {
        case idle, backoff, connecting, sending, receiving
        /// Answered once during the ramp; waits for the others (descriptor open, or -1 to reconnect).
        case parked
    }

    private struct Slot {
        var fd: Int32 = -1
        var generation: UInt32 = 0
        var phase = Phase.idle
        var wantsWritable = false
        var sent = 0
        var started: Int64 = 0
        var framer = ResponseFramer()
        /// Not yet answered once: the connection counts against `connectsInFlight`.
        var opening = true
    }

    public let workload: LoadWorkload
    private let epoll: Epoll
    private let slots: UnsafeMutableBufferPointer<Slot>
    private let request: UnsafeMutableRawPointer
    private let requestLength: Int
    private let scratch: UnsafeMutableRawBufferPointer
    private var pending: [Int] = []  // opening slots waiting for their turn to connect
    private var backingOff: [Int] = []  // slots whose connect failed, retried at the next tick
    private var opening = 0  // opening slots with a descriptor
    private var ramping = true
    private var answered = 0  // slots that have had their first response
    private var parked: [Int] = []
    private var result = LoadResult()
    private let timeoutNanoseconds: Int64

    /// `scratchBytes` is the most one `recv` takes: 8 KiB, as wrk reads. Reading large
    /// bodies 256 KiB at a time made the server, not the generator, pay: on loopback each side's
    /// sends run the other side's TCP receive path, and the event loop's CPU per 1 MiB response
    /// doubled from 16 connections on (~150 → ~300-450 µs), until the single thread saturated and
    /// the curve fell. With 8 KiB reads the server's cost per response is wrk's (docs/load-generator.md).
    public init(_ workload: LoadWorkload, scratchBytes: Int = 8 * 1024) throws(Errno) {
        precondition(workload.connections > 0, "at least one connection")
        self.workload = workload
        epoll = try Epoll(capacity: 1024)
        slots = .allocate(capacity: workload.connections)
        slots.initialize(repeating: Slot())
        let bytes = workload.request
        request = .allocate(byteCount: bytes.count, alignment: 1)
        request.copyMemory(from: bytes, byteCount: bytes.count)
        requestLength = bytes.count
        scratch = .allocate(byteCount: scratchBytes, alignment: 16)
        timeoutNanoseconds = Int64(workload.requestTimeout * 1e9)
    }

    deinit {
        for i in slots.indices where slots[i].fd >= 0 { FileDescriptor(owning: slots[i].fd).close() }
        slots.deallocate()
        request.deallocate()
        scratch.deallocate()
    }

    /// Opens the connections (the ramp), then runs the warm-up and the measured interval.
    /// `onMeasuring` is called once when measurement starts, `onTick` about every
    /// `tickMilliseconds` throughout (from this thread, between batches of events: the place for
    /// sampling the server).
    ///
    /// The ramp: each connection sends one request and, once answered, waits until every other
    /// connection has been answered too (or `requestTimeout` has passed). Otherwise the first
    /// connections' traffic competes with the accepting of the rest: a server that accepts one
    /// connection per loop turn (nginx without multi_accept) then takes many seconds to reach
    /// 10,000, and the step would measure a fraction of the intended concurrency.
    public func run(
        tickMilliseconds: Int64 = 100, onMeasuring: () -> Void = {}, onTick: () -> Void = {}
    ) throws(Errno) -> LoadResult {
        SignalDescriptor.ignoreBrokenPipe()
        let tick = tickMilliseconds * 1_000_000
        let begin = MonotonicClock.nanoseconds()
        let rampDeadline = begin + timeoutNanoseconds
        var measureFrom = Int64.max
        var end = Int64.max
        var measuring = false
        var nextTick = begin + tick
        result = LoadResult()
        ramping = true
        answered = 0
        pending = Array((0..<slots.count).reversed())
        pumpConnects(now: begin)
        while true {
            var now = MonotonicClock.nanoseconds()
            if ramping && (answered == slots.count || now >= rampDeadline) {
                releaseParked(now: now)
                measureFrom = now + Int64(workload.warmup * 1e9)
                end = measureFrom + Int64(workload.duration * 1e9)
            }
            if !measuring && now >= measureFrom {
                measuring = true
                result = LoadResult()
                onMeasuring()
            }
            if now >= end { break }
            if now >= nextTick {
                onTick()
                expire(now: now)
                let retry = backingOff
                backingOff.removeAll(keepingCapacity: true)
                for i in retry { reconnect(i) }
                nextTick = now + tick
                now = MonotonicClock.nanoseconds()
            }
            let wake = min(nextTick, end, measuring ? end : measureFrom, ramping ? rampDeadline : .max)
            let timeout = Int32(clamping: max(0, (wake - now + 999_999) / 1_000_000))
            let ready = try epoll.wait(timeoutMilliseconds: timeout)
            for index in 0..<ready { handle(epoll.event(at: index)) }
        }
        result.seconds = Double(MonotonicClock.nanoseconds() - measureFrom) / 1e9
        for i in slots.indices where slots[i].fd >= 0 { closeSlot(i) }
        onTick()
        return result
    }

    // MARK: Events

    private func handle(_ event: Epoll.Event) {
        let i = Int(truncatingIfNeeded: event.token & 0xFFFF_FFFF)
        guard i < slots.count, slots[i].generation == UInt32(truncatingIfNeeded: event.token >> 32) else { return }
        switch slots[i].phase {
        case .connecting:
            finishConnect(i)
        case .sending:
            send(i)
        case .receiving:
            receive(i)
        case .parked:
            // The server closed (or spoke on) a connection waiting for the ramp to end: reopen it later.
            if slots[i].fd >= 0 {
                closeSlot(i)
                slots[i].phase = .parked
            }
        case .idle, .backoff:
            break
        }
    }

    private func finishConnect(_ i: Int) {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(slots[i].fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0 {
            result.errors.connect += 1
            closeSlot(i)
            slots[i].phase = .backoff
            backingOff.append(i)
            pumpConnects(now: MonotonicClock.nanoseconds())
            return
        }
        slots[i].phase = .sending
        slots[i].sent = 0
        // A kept-alive connection's latency starts at the request; a connection-per-request one
        // keeps the connect in it, since that is what such a client waits for.
        if workload.keepAlive { slots[i].started = MonotonicClock.nanoseconds() }
        send(i)
    }

    private func send(_ i: Int) {
        let fd = slots[i].fd
        while true {
            let offset = slots[i].sent
            let n = Glibc.send(fd, request + offset, requestLength - offset, Int32(MSG_NOSIGNAL))
            if n >= 0 {
                slots[i].sent += n
                if slots[i].sent < requestLength { continue }
                slots[i].phase = .receiving
                if slots[i].wantsWritable { watch(i, writable: false) }
                return
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                if !slots[i].wantsWritable { watch(i, writable: true) }
                return
            default:
                fail(i) { $0.reset += 1 }
                return
            }
        }
    }

    private func receive(_ i: Int) {
        let fd = slots[i].fd
        while true {
            let n = recv(fd, scratch.baseAddress, scratch.count, 0)
            if n > 0 {
                result.bytes &+= UInt64(n)
                switch slots[i].framer.consume(UnsafeRawBufferPointer(rebasing: scratch[..<n])) {
                case .needMore:
                    // A short read almost surely emptied the socket: wait for epoll rather than pay a
                    // recv that says EAGAIN.
                    if n < scratch.count { return }
                case .complete(let status, let consumed, let closes):
                    complete(i, status: status)
                    if consumed != n {
                        fail(i) { $0.protocolViolation += 1 }  // bytes we did not ask for
                    } else if ramping {
                        park(i, keep: !closes && workload.keepAlive)
                    } else if closes || !workload.keepAlive {
                        reconnect(i)
                    } else {
                        slots[i].started = MonotonicClock.nanoseconds()
                        slots[i].sent = 0
                        slots[i].phase = .sending
                        send(i)
                    }
                    return
                case .invalid:
                    fail(i) { $0.protocolViolation += 1 }
                    return
                }
            } else if n == 0 {
                if case .complete(let status, _, _) = slots[i].framer.endOfStream() {
                    complete(i, status: status)
                    if ramping { park(i, keep: false) } else { reconnect(i) }
                } else {
                    fail(i) { $0.reset += 1 }
                }
                return
            } else {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return
                default:
                    fail(i) { $0.reset += 1 }
                    return
                }
            }
        }
    }

    @inline(__always)
    private func complete(_ i: Int, status: Int) {
        result.requests &+= 1
        result.latency.record(nanoseconds: MonotonicClock.nanoseconds() - slots[i].started)
        if status < 200 || status > 299 { result.errors.status += 1 }
        if slots[i].opening {
            slots[i].opening = false
            opening -= 1
            answered += 1
            pumpConnects(now: MonotonicClock.nanoseconds())
        }
    }

    // MARK: Connections

    private func park(_ i: Int, keep: Bool) {
        if !keep { closeSlot(i) }
        slots[i].phase = .parked
        parked.append(i)
    }

    /// Ends the ramp: every parked connection starts its loop.
    private func releaseParked(now: Int64) {
        ramping = false
        for i in parked where slots[i].phase == .parked {
            if slots[i].fd >= 0 {
                slots[i].started = now
                slots[i].sent = 0
                slots[i].phase = .sending
                send(i)
            } else {
                startConnect(i, now: now)
            }
        }
        parked = []
    }

    /// Paces the opening of connections: a connection counts as opening until its first response,
    /// which is when the server has surely accepted it. Counting only until the handshake would not
    /// do: the kernel completes it before the server accepts, so a fast ramp to 10,000 connections
    /// overflows the accept queue, and dropped SYNs come back only after a one-second retransmit.
    /// Later reconnects (a new connection per request) are the workload itself and are not paced.
    private func pumpConnects(now: Int64) {
        while opening < workload.connectsInFlight, let i = pending.popLast() {
            startConnect(i, now: now)
        }
    }

    private func startConnect(_ i: Int, now: Int64) {
        let fd: Int32
        do throws(Errno) {
            fd = try FileDescriptor.connect(to: workload.address, nonBlocking: true).release()
        } catch {
            result.errors.connect += 1
            slots[i].phase = .backoff
            backingOff.append(i)
            return
        }
        slots[i].generation &+= 1
        slots[i].fd = fd
        slots[i].framer.reset()
        slots[i].sent = 0
        slots[i].started = now
        slots[i].wantsWritable = true
        do throws(Errno) {
            try epoll.add(fd, [.readable, .writable], token: token(i))
        } catch {
            result.errors.connect += 1
            FileDescriptor(owning: fd).close()
            slots[i].fd = -1
            slots[i].phase = .backoff
            backingOff.append(i)
            return
        }
        slots[i].phase = .connecting
        if slots[i].opening { opening += 1 }
    }

    private func watch(_ i: Int, writable: Bool) {
        slots[i].wantsWritable = writable
        do throws(Errno) {
            try epoll.modify(slots[i].fd, writable ? [.readable, .writable] : [.readable], token: token(i))
        } catch {
            fail(i) { $0.reset += 1 }
        }
    }

    @inline(__always)
    private func token(_ i: Int) -> UInt64 { UInt64(slots[i].generation) << 32 | UInt64(i) }

    private func closeSlot(_ i: Int) {
        if slots[i].fd >= 0 {
            if slots[i].opening { opening -= 1 }
            FileDescriptor(owning: slots[i].fd).close()
        }
        slots[i].fd = -1
        slots[i].phase = .idle
        slots[i].generation &+= 1  // events already fetched for the old descriptor are now stale
    }

    private func reconnect(_ i: Int) {
        let now = MonotonicClock.nanoseconds()
        closeSlot(i)
        if slots[i].opening {
            pending.append(i)
            pumpConnects(now: now)
        } else {
            startConnect(i, now: now)
        }
    }

    private func fail(_ i: Int, _ count: (inout LoadErrors) -> Void) {
        count(&result.errors)
        reconnect(i)
    }

    /// Replaces connections whose request has outlived the timeout.
    private func expire(now: Int64) {
        for i in slots.indices {
            switch slots[i].phase {
            case .connecting, .sending, .receiving:
                if now - slots[i].started > timeoutNanoseconds { fail(i) { $0.timeout += 1 } }
            case .idle, .backoff, .parked:
                break
            }
        }
    }
}
