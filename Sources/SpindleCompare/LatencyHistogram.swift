/// Request latencies in nanoseconds, HdrHistogram style: exact below 128 ns, then every power of two
/// is split into 128 linear buckets, so any recorded value is known to within 1/128 (0.8%) of itself.
/// 32 octaves reach past 60 s; larger values land in the last bucket (the exact maximum is kept apart).
/// Fixed size (4,224 counters), no allocation while recording.
public struct LatencyHistogram: Sendable {
    static let subBuckets = 128
    static let subBucketBits = 7
    static let octaves = 32  // 2^7 · 2^32 ns ≈ 550 s
    static let bucketCount = subBuckets + octaves * subBuckets

    private var counts: [UInt64]
    public private(set) var count: UInt64 = 0
    public private(set) var minimum: Int64 = .max
    public private(set) var maximum: Int64 = 0
    private var sum: Double = 0

    public init() {
        counts = [UInt64](repeating: 0, count: Self.bucketCount)
    }

    /// Records one value (negative values count as 0).
    @inline(__always)
    public mutating func record(nanoseconds value: Int64) {
        let v = max(value, 0)
        counts[Self.index(of: v)] &+= 1
        count &+= 1
        sum += Double(v)
        if v < minimum { minimum = v }
        if v > maximum { maximum = v }
    }

    /// Adds every value recorded in `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        for i in 0..<counts.count { counts[i] &+= other.counts[i] }
        count &+= other.count
        sum += other.sum
        minimum = min(minimum, other.minimum)
        maximum = max(maximum, other.maximum)
    }

    public mutating func reset() { self = LatencyHistogram() }

    public var mean: Double { count == 0 ? 0 : sum / Double(count) }

    /// The value at `percentile` (0...100): the smallest bucket holding at least that share of all
    /// values, reported as its midpoint and clamped to the exact minimum and maximum; 100 is the
    /// exact maximum. 0 when empty.
    public func percentile(_ percentile: Double) -> Int64 {
        guard count > 0 else { return 0 }
        if percentile >= 100 { return maximum }
        let wanted = max(1, UInt64((percentile / 100 * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for i in 0..<counts.count where counts[i] != 0 {
            seen += counts[i]
            if seen >= wanted {
                let (low, width) = Self.bucketRange(i)
                return min(max(low + (width - 1) / 2, minimum), maximum)
            }
        }
        return maximum
    }

    @inline(__always)
    static func index(of value: Int64) -> Int {
        if value < Int64(subBuckets) { return Int(value) }
        let magnitude = 63 - value.leadingZeroBitCount  // floor(log2(value)), ≥ 7
        let shift = magnitude - subBucketBits
        let octave = min(shift, octaves - 1)
        if octave < shift { return bucketCount - 1 }
        let sub = Int(value >> Int64(shift)) - subBuckets
        return subBuckets + octave * subBuckets + sub
    }

    /// The lowest value of bucket `index` and how many values it spans.
    static func bucketRange(_ index: Int) -> (low: Int64, width: Int64) {
        if index < subBuckets { return (Int64(index), 1) }
        let octave = (index - subBuckets) / subBuckets
        let sub = (index - subBuckets) % subBuckets
        let width = Int64(1) << Int64(octave)
        return (Int64(subBuckets + sub) << Int64(octave), width)
    }
}
