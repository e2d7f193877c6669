/// Field-syntax checks for code outside the parser (configuration, answers that echo a field).
public enum FieldSyntax {
    /// RFC 9110 §5.6.2 tchar.
    public static func isTokenByte(_ byte: UInt8) -> Bool { ByteSet.token.contains(byte) }
}
