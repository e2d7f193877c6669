import HTTP1
import Testing

@testable import SpindleServer

struct ErrorPagesTests {
    @Test func rendersStatusAndReason() {
        var pages = ErrorPages()
        let body = String(decoding: pages.body(for: .notFound), as: UTF8.self)
        #expect(body.hasPrefix("<!DOCTYPE html>"))
        #expect(body.contains("<title>404 Not Found</title>"))
        #expect(body.contains("<h1>404 Not Found</h1>"))
        #expect(pages.body(for: .notFound) == pages.body(for: .notFound))
        #expect(String(decoding: pages.body(for: .forbidden), as: UTF8.self).contains("403 Forbidden"))
    }
}
