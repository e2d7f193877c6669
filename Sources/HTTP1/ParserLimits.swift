/// Hard limits on what the parser accepts.
public struct ParserLimits: Sendable, Equatable {
    /// Longest request line (method, target, version) → 414 beyond it.
    public var maxRequestLine: Int
    /// Longest whole head → 431 beyond it.
    public var maxHead: Int
    /// Most header fields → 431 beyond it.
    public var maxHeaderCount: Int

    public init(maxRequestLine: Int = 8 * 1024, maxHead: Int = 32 * 1024, maxHeaderCount: Int = 100) {
        self.maxRequestLine = maxRequestLine
        self.maxHead = maxHead
        self.maxHeaderCount = maxHeaderCount
    }
}
