/// A TOML table: keys in the order the document defined them (so that `[headers]` are sent in the
/// order written), each with its value.
public struct TOMLTable: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: TOMLValue
    }

    public var entries: [Entry]

    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// Linear lookup: configuration tables hold a handful of keys, and order matters more than speed.
    public subscript(key: String) -> TOMLValue? {
        entries.first { $0.key == key }?.value
    }

    public var keys: [String] { entries.map(\.key) }
}
