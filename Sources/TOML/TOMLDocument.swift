/// A parsed TOML document: the subset a configuration file needs.
///
/// Supported (TOML 1.0 unless noted): comments; bare, quoted and dotted keys; `[table]` headers;
/// basic strings with escapes (plus TOML 1.1's `\e`) and literal strings; integers (decimal with `_`,
/// `0x`, `0o`, `0b`); floats (including `inf` and `nan`); booleans; arrays (multi-line, trailing
/// comma); inline tables, which may span lines and end with a trailing comma as in TOML 1.1; arrays of
/// tables (`[[x]]`), read as an array of table values.
///
/// Not supported, each reported as an error rather than misread: multi-line strings, dates and
/// times. A configuration has no use for them.
public struct TOMLDocument: Sendable, Equatable {
    public var root: TOMLTable

    public init(root: TOMLTable) {
        self.root = root
    }

    /// Parses `text`; `file` only names the source in errors.
    public init(parsing text: String, file: String) throws(TOMLError) {
        try self.init(bytes: Array(text.utf8), file: file)
    }

    public init(bytes: [UInt8], file: String) throws(TOMLError) {
        var parser = TOMLParser(bytes: bytes, file: file)
        root = try parser.parseDocument()
    }
}
