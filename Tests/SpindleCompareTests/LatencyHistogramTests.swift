import SpindleCompare
import Testing

struct LatencyHistogramTests {
    /// |actual - expected| within `tolerance` of expected.
    private func near(_ actual: Int64, _ expected: Double, _ tolerance: Double = 0.01) -> Bool {
        abs(Double(actual) - expected) <= expected * tolerance
    }

    @Test func emptyHistogramReportsZero() {
        let histogram = LatencyHistogram()
        #expect(histogram.count == 0)
        #expect(histogram.percentile(50) == 0)
        #expect(histogram.percentile(99.9) == 0)
    }

    @Test func uniformDistributionPercentiles() {
        var histogram = LatencyHistogram()
        // 1 µs ... 100 ms in 1 µs steps.
        for micros in 1...100_000 { histogram.record(nanoseconds: Int64(micros) * 1000) }
        #expect(histogram.count == 100_000)
        #expect(near(histogram.percentile(50), 50_000_000))
        #expect(near(histogram.percentile(99), 99_000_000))
        #expect(near(histogram.percentile(99.9), 99_900_000))
        #expect(histogram.maximum == 100_000_000)
        #expect(histogram.minimum == 1000)
        #expect(histogram.percentile(100) == 100_000_000)
        #expect(abs(histogram.mean - 50_000_500) < 1)
    }

    @Test func bimodalTailIsFound() {
        var histogram = LatencyHistogram()
        for _ in 0..<990 { histogram.record(nanoseconds: 200_000) }  // 200 µs
        for _ in 0..<10 { histogram.record(nanoseconds: 40_000_000_000) }  // 40 s
        #expect(near(histogram.percentile(50), 200_000))
        #expect(near(histogram.percentile(99), 200_000))
        #expect(near(histogram.percentile(99.9), 40_000_000_000))
    }

    @Test func everyValueIsWithinOnePercent() {
        // Log-spaced values from 1 µs to 60 s: each alone in a histogram must come back within 1%.
        var value = 1000.0
        while value <= 60e9 {
            var histogram = LatencyHistogram()
            histogram.record(nanoseconds: Int64(value))
            histogram.record(nanoseconds: Int64(value))  // two, so min/max clamping does not hide the bucket
            histogram.record(nanoseconds: 1)
            #expect(near(histogram.percentile(66), value.rounded(.down)), "\(value)")
            value *= 1.37
        }
    }

    @Test func hugeAndNegativeValuesAreClamped() {
        var histogram = LatencyHistogram()
        histogram.record(nanoseconds: -5)
        histogram.record(nanoseconds: .max)
        #expect(histogram.count == 2)
        #expect(histogram.minimum == 0)
        #expect(histogram.percentile(100) == .max)
    }

    @Test func mergeAddsCounts() {
        var a = LatencyHistogram()
        var b = LatencyHistogram()
        for i in 1...100 { a.record(nanoseconds: Int64(i) * 1000) }
        for i in 101...200 { b.record(nanoseconds: Int64(i) * 1000) }
        a.merge(b)
        #expect(a.count == 200)
        #expect(near(a.percentile(50), 100_000))
        #expect(a.maximum == 200_000)
    }
}
