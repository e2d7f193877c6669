/// One value from a TOML document, with the line it starts on so that a later, semantic error
/// (wrong type, out of range) can still point at the right place in the file.
public struct TOMLValue: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        case array([TOMLValue])
        case table(TOMLTable)
    }

    public var kind: Kind
    /// 1-based line on which the value starts.
    public var line: Int

    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    /// The TOML type name, for messages such as "expected a string, found an integer".
    public var typeName: String {
        switch kind {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }

    public var string: String? {
        if case .string(let value) = kind { return value }
        return nil
    }

    public var integer: Int64? {
        if case .integer(let value) = kind { return value }
        return nil
    }

    public var boolean: Bool? {
        if case .boolean(let value) = kind { return value }
        return nil
    }

    public var array: [TOMLValue]? {
        if case .array(let value) = kind { return value }
        return nil
    }

    public var table: TOMLTable? {
        if case .table(let value) = kind { return value }
        return nil
    }
}
