import Glibc
import Testing

@testable import Posix

private func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/spindle-posix-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(cString: path!)
}

private func write(_ text: String, to path: String) throws {
    let fd = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
    try Array(text.utf8).withUnsafeBytes { try fd.writeAll($0) }
}

@Suite struct FileDescriptorTests {
    @Test func readsWhatWasWritten() throws {
        let dir = makeTemporaryDirectory()
        try write("hello, spindle", to: dir + "/a.txt")
        let fd = try FileDescriptor.open(dir + "/a.txt", flags: O_RDONLY)
        #expect(try fd.readAll() == Array("hello, spindle".utf8))
        #expect(try fd.status().size == 14)
        #expect(try fd.status().isRegular)
    }

    @Test func missingFileThrowsNamedErrno() {
        #expect(throws: Errno(ENOENT)) { _ = try FileDescriptor.open("/nonexistent/spindle", flags: O_RDONLY).rawValue }
        do {
            _ = try FileDescriptor.open("/nonexistent/spindle", flags: O_RDONLY)
        } catch {
            #expect(error.description.hasPrefix("open: "))
        }
    }

    @Test func closesExactlyOnce() throws {
        let dir = makeTemporaryDirectory()
        try write("x", to: dir + "/f")
        let raw: Int32
        do {
            let fd = try FileDescriptor.open(dir + "/f", flags: O_RDONLY)
            raw = fd.rawValue
            #expect(fcntl(raw, F_GETFD) >= 0)
        }
        #expect(fcntl(raw, F_GETFD) == -1 && errno == EBADF)
    }

    @Test func openBeneathStaysInsideTheDirectory() throws {
        let outside = makeTemporaryDirectory()
        let root = makeTemporaryDirectory()
        try write("secret", to: outside + "/secret.txt")
        try write("public", to: root + "/page.txt")
        mkdir(root + "/sub", 0o755)
        symlink(outside + "/secret.txt", root + "/absolute-link")
        symlink("../" + String(outside.split(separator: "/").last!) + "/secret.txt", root + "/relative-link")
        symlink("page.txt", root + "/inside-link")
        let dir = try FileDescriptor.openDirectory(root)

        #expect(try dir.openBeneath("page.txt").readAll() == Array("public".utf8))
        #expect(try dir.openBeneath("inside-link").readAll() == Array("public".utf8))
        #expect(try dir.openBeneath("").status().isDirectory)
        #expect(try dir.openBeneath("sub").status().isDirectory)
        for escape in ["../x", "absolute-link", "relative-link", outside + "/secret.txt", "sub/../../x"] {
            #expect(throws: Errno.self) { _ = try dir.openBeneath(escape).rawValue }
        }
        #expect(throws: Errno(EXDEV)) { _ = try dir.openBeneath("absolute-link").rawValue }
    }
}
