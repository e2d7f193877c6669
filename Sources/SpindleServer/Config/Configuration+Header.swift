extension Configuration {
    /// One extra response field from `[headers]`, validated: the name is an RFC 9110 token and not
    /// one Spindle computes itself, the value holds only visible ASCII, spaces and tabs.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }
}
