import Glibc
import Testing

@testable import Posix

@Suite struct ErrnoTests {
    @Test func descriptorShortageCoversTheFourWaysToRunOut() {
        for code in [EMFILE, ENFILE, ENOBUFS, ENOMEM] { #expect(Errno(code).isDescriptorShortage) }
        for code in [EAGAIN, ECONNABORTED, EINTR, EPERM] { #expect(!Errno(code).isDescriptorShortage) }
        #expect(Errno.tooManyOpenFiles.isDescriptorShortage && Errno.outOfMemory.isDescriptorShortage)
    }

    @Test func reasonIsTheTextWithoutTheOperation() {
        #expect(Errno(ENOENT, "open").reason == "No such file or directory")
        #expect(Errno(ENOENT, "open").description == "open: No such file or directory")
        #expect(Errno(EISDIR).description == "Is a directory")
    }
}
