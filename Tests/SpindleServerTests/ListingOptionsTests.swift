import Testing

@testable import SpindleServer

struct ListingOptionsTests {
    func options(_ query: String?, accept: String? = nil) -> ListingOptions {
        func with(_ text: String?, _ body: (UnsafeRawBufferPointer?) -> ListingOptions) -> ListingOptions {
            guard let text else { return body(nil) }
            return Array(text.utf8).withUnsafeBytes { body($0) }
        }
        return with(query) { query in with(accept) { accept in ListingOptions(query: query, accept: accept) } }
    }

    @Test func parsesTheQuery() {
        #expect(options(nil) == ListingOptions())
        #expect(options("sort=size&order=desc") == ListingOptions(sort: .size, descending: true))
        #expect(options("order=desc&sort=mtime") == ListingOptions(sort: .mtime, descending: true))
        #expect(options("sort=bogus&order=sideways&x&=&format=") == ListingOptions())
        #expect(options("format=json") == ListingOptions(json: true))
        #expect(options("sort=name&order=asc&format=json") == ListingOptions(json: true))
    }

    @Test func acceptChoosesTheFormUnlessTheQueryDoes() {
        #expect(options(nil, accept: "application/json").json)
        #expect(!options(nil, accept: "text/html,*/*;q=0.8").json)
        #expect(!options("format=html", accept: "application/json").json)
        #expect(options("format=json", accept: "text/html").json)
    }
}
