/// One measured step: a mode, a concurrency level and a variant.
public struct StepResult: Sendable {
    public var mode: String
    public var variant: CompareVariant
    public var connections: Int
    /// The URL path requested.
    public var path: String
    public var load: LoadResult
    /// The server's peak resident memory during the step, bytes.
    public var peakResidentBytes: Int
    /// The server's highest thread count during the step.
    public var maxThreads: Int
    /// The server's CPU time (user + system) over the measured interval, seconds.
    public var cpuSeconds: Double
    /// The load generator's own CPU time over the same interval, seconds.
    public var generatorCPUSeconds: Double = 0
    /// Why the step is incomplete (server died, could not start...), if it is.
    public var note: String?

    public init(
        mode: String, variant: CompareVariant, connections: Int, path: String, load: LoadResult = LoadResult(),
        peakResidentBytes: Int = 0, maxThreads: Int = 0, cpuSeconds: Double = 0, note: String? = nil
    ) {
        self.mode = mode
        self.variant = variant
        self.connections = connections
        self.path = path
        self.load = load
        self.peakResidentBytes = peakResidentBytes
        self.maxThreads = maxThreads
        self.cpuSeconds = cpuSeconds
        self.note = note
    }
}
