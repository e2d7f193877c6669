import Testing

@testable import SpindleServer

@Suite struct RestartPolicyTests {
    static let second: Int64 = 1_000_000_000

    @Test func firstDeathRestartsAtOnceThenBacksOff() {
        var policy = RestartPolicy()
        #expect(policy.died(at: 0) == .restart(after: 0))
        #expect(policy.died(at: 1) == .restart(after: 100_000_000))
        #expect(policy.died(at: 2) == .restart(after: 200_000_000))
        #expect(policy.died(at: 3) == .restart(after: 400_000_000))
    }

    @Test func fiveDeathsWithinTenSecondsIsACrashLoop() {
        var policy = RestartPolicy()
        for time in 0..<4 { #expect(policy.died(at: Int64(time) * Self.second) != .giveUp) }
        #expect(policy.died(at: 9 * Self.second) == .giveUp)
    }

    @Test func deathsOlderThanTheWindowAreForgotten() {
        var policy = RestartPolicy()
        for time in 0..<4 { _ = policy.died(at: Int64(time) * Self.second) }
        // At 12 s the deaths at 0, 1 and 2 s are out of the window: the one at 3 s remains, this is the second.
        #expect(policy.died(at: 12 * Self.second) == .restart(after: 100_000_000))
        // A worker that dies once an hour is restarted at once every time.
        var rare = RestartPolicy()
        for hour in 0..<10 { #expect(rare.died(at: Int64(hour) * 3600 * Self.second) == .restart(after: 0)) }
    }

    @Test func delayIsCapped() {
        var policy = RestartPolicy()
        policy.limit = 100
        var last = RestartPolicy.Decision.restart(after: 0)
        for time in 0..<20 { last = policy.died(at: Int64(time)) }
        #expect(last == .restart(after: policy.maximumDelay))
    }
}
