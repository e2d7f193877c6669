import SpindleCompare
import Testing

struct CompareOptionsTests {
    @Test func parsesLevels() throws {
        #expect(try CompareOptions.parseConnections("1,16,64") == [1, 16, 64])
        #expect(try CompareOptions.parseConnections("256, 1 ,16,16") == [1, 16, 256])
        #expect(try CompareOptions.parseConnections("10000") == [10_000])
    }

    @Test(arguments: ["", "0", "-1", "abc", "1,,2", "50001"])
    func rejectsBadLevels(_ text: String) {
        #expect(throws: CompareError.self) { try CompareOptions.parseConnections(text) }
    }

    @Test func parsesVariants() throws {
        #expect(try CompareOptions.parseVariants("keep-alive-large") == [.keepAliveLarge])
        #expect(
            try CompareOptions.parseVariants("close-small, keep-alive-small,close-small") == [
                .closeSmall, .keepAliveSmall,
            ])
    }

    @Test(arguments: ["", "large", "keep-alive-large,,close-small"])
    func rejectsUnknownVariants(_ text: String) {
        #expect(throws: CompareError.self) { try CompareOptions.parseVariants(text) }
    }

    @Test func defaultsAreTheIssueWorkload() throws {
        let options = CompareOptions()
        #expect(options.connections == [1, 16, 64, 256, 1024])
        #expect(options.modes == ["event-loop", "threads", "workers"])
        #expect(options.variants == [.keepAliveSmall, .closeSmall, .keepAliveLarge])
        try options.validate()
    }

    @Test func validateRejectsNonsense() {
        var options = CompareOptions()
        options.duration = 0
        #expect(throws: CompareError.self) { try options.validate() }
        options = CompareOptions()
        options.small = "index.html"
        #expect(throws: CompareError.self) { try options.validate() }
        options = CompareOptions()
        options.port = 0
        #expect(throws: CompareError.self) { try options.validate() }
    }
}
