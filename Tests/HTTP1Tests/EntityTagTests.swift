import HTTP1
import Testing

struct EntityTagTests {
    static let tag = EntityTag.make(size: 0x1c, modificationSeconds: 0x5f3a, modificationNanoseconds: 0)

    static func ifNoneMatch(_ field: String, _ etag: [UInt8] = tag) -> Bool {
        Array(field.utf8).withUnsafeBytes { EntityTag.ifNoneMatchMatches($0, etag: etag) }
    }

    static func ifMatch(_ field: String, _ etag: [UInt8] = tag) -> Bool {
        Array(field.utf8).withUnsafeBytes { EntityTag.ifMatchMatches($0, etag: etag) }
    }

    static func ifRange(_ field: String, lastModified: Int64 = 784_111_777) -> Bool {
        Array(field.utf8).withUnsafeBytes { EntityTag.ifRangeAllowsRange($0, etag: tag, lastModified: lastModified) }
    }

    @Test func makesNginxStyleTags() {
        #expect(String(decoding: Self.tag, as: UTF8.self) == "\"5f3a-1c\"")
        let withNanos = EntityTag.make(size: 0, modificationSeconds: 1, modificationNanoseconds: 255)
        #expect(String(decoding: withNanos, as: UTF8.self) == "\"1.ff-0\"")
        #expect(
            EntityTag.make(size: 1, modificationSeconds: 1, modificationNanoseconds: 1)
                != EntityTag.make(size: 1, modificationSeconds: 1, modificationNanoseconds: 2))
    }

    @Test func ifNoneMatchUsesWeakComparison() {
        #expect(Self.ifNoneMatch("\"5f3a-1c\""))
        #expect(Self.ifNoneMatch("W/\"5f3a-1c\""))
        #expect(Self.ifNoneMatch("\"x\", W/\"5f3a-1c\""))
        #expect(Self.ifNoneMatch("\"x\",\"5f3a-1c\""))
        #expect(Self.ifNoneMatch("  \"x\" ,\t \"5f3a-1c\"  "))
        #expect(Self.ifNoneMatch("*"))
        #expect(Self.ifNoneMatch(" * "))
        #expect(!Self.ifNoneMatch("\"5f3a-1d\""))
        #expect(!Self.ifNoneMatch("5f3a-1c"))
        #expect(!Self.ifNoneMatch("\"5f3a-1c"))
        #expect(!Self.ifNoneMatch(""))
        #expect(!Self.ifNoneMatch("w/\"5f3a-1c\""))
        #expect(!Self.ifNoneMatch("\"x\" \"5f3a-1c\""))
        #expect(!Self.ifNoneMatch("*, \"x\""))
    }

    @Test func ifMatchUsesStrongComparison() {
        #expect(Self.ifMatch("\"5f3a-1c\""))
        #expect(Self.ifMatch("\"a\", \"5f3a-1c\""))
        #expect(Self.ifMatch("*"))
        #expect(!Self.ifMatch("W/\"5f3a-1c\""))
        #expect(!Self.ifMatch("\"5f3a-1d\""))
        #expect(!Self.ifMatch("garbage"))
    }

    @Test func ifRangeTakesStrongTagOrExactDate() {
        #expect(Self.ifRange("\"5f3a-1c\""))
        #expect(!Self.ifRange("W/\"5f3a-1c\""))
        #expect(!Self.ifRange("\"other\""))
        #expect(!Self.ifRange("\"5f3a-1c\", \"x\""))
        #expect(Self.ifRange("Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(!Self.ifRange("Sun, 06 Nov 1994 08:49:38 GMT"))
        #expect(!Self.ifRange("Sun, 06 Nov 1994 08:49:36 GMT"))
        #expect(!Self.ifRange("not a date"))
        #expect(!Self.ifRange(""))
    }
}
