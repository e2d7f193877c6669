/// Whether a file name carries a content fingerprint (a hash a build tool put there), so that the name
/// changes whenever the content does and the file may be cached for good.
///
/// The rule: take the name before its extension, split it at `.` and `-`, and skip the first piece
/// (the name itself). A later piece of at least 8 characters is a fingerprint when it has both letters
/// and digits and is either hex (`3f9a1c2b`, one case) or base64url with an upper-case letter
/// (`DdPsQm1v` from Vite/Rollup, `5ZJQ2W3K` from esbuild). The upper-case condition keeps out words
/// with a number (`version2`, `sprite2x`); a version (`jquery-3.7.1`) has no long piece. A miss costs a
/// revalidation; a false hit would pin an old file in caches for a year, so the rule leans to missing.
enum Fingerprint {
    static func isFingerprinted(fileName: Substring) -> Bool {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return false }
        let pieces = fileName[..<dot].utf8.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
        return pieces.dropFirst().contains(where: isHash)
    }

    static func isFingerprinted(path: String) -> Bool {
        let name = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { path[path.index(after: $0)...] } ?? path[...]
        return isFingerprinted(fileName: name)
    }

    private static func isHash(_ piece: Substring.UTF8View.SubSequence) -> Bool {
        guard piece.count >= 8 else { return false }
        var digits = false
        var lower = false
        var upper = false
        var nonHexLetter = false
        for byte in piece {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits = true
            case UInt8(ascii: "a")...UInt8(ascii: "f"): lower = true
            case UInt8(ascii: "A")...UInt8(ascii: "F"): upper = true
            case UInt8(ascii: "g")...UInt8(ascii: "z"):
                lower = true
                nonHexLetter = true
            case UInt8(ascii: "G")...UInt8(ascii: "Z"):
                upper = true
                nonHexLetter = true
            case UInt8(ascii: "_"): nonHexLetter = true
            default: return false
            }
        }
        guard digits && (lower || upper) else { return false }
        let hex = !nonHexLetter && !(lower && upper)
        return hex || upper
    }
}
