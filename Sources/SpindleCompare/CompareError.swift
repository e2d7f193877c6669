/// Why `spindle compare` (or one of its steps) could not go on, in words for the terminal.
public struct CompareError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
