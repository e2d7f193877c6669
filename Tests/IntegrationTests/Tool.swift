import Foundation

/// An external program some tests need: the first of `candidates` that is executable, or nil after
/// saying loudly on stderr that `tests` are skipped and `why`, so that a skip never passes unnoticed.
func tool(_ candidates: [String], for tests: String, _ why: String) -> String? {
    if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
    let message = """
        *** SKIPPING \(tests): none of \(candidates) is installed.
        *** \(why)

        """
    FileHandle.standardError.write(Data(message.utf8))
    return nil
}
