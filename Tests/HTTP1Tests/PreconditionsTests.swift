import HTTP1
import Testing

struct PreconditionsTests {
    static let etag = Array("\"abc-10\"".utf8)
    static let lastModified: Int64 = 784_111_777
    static let atModification = "Sun, 06 Nov 1994 08:49:37 GMT"
    static let before = "Sun, 06 Nov 1994 08:49:36 GMT"
    static let after = "Sun, 06 Nov 1994 08:49:38 GMT"

    static func evaluate(
        ifMatch: String? = nil, ifUnmodifiedSince: String? = nil, ifNoneMatch: String? = nil,
        ifModifiedSince: String? = nil, getOrHead: Bool = true
    ) -> PreconditionResult {
        // Keep the field bytes alive for the whole evaluation.
        let fields = [ifMatch, ifUnmodifiedSince, ifNoneMatch, ifModifiedSince].map { $0.map { Array($0.utf8) } }
        let pointers = fields.map { field -> UnsafeMutableRawBufferPointer? in
            guard let field else { return nil }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: field.count, alignment: 1)
            buffer.copyBytes(from: field)
            return buffer
        }
        defer { pointers.forEach { $0?.deallocate() } }
        let preconditions = Preconditions(
            ifMatch: pointers[0].map { UnsafeRawBufferPointer($0) },
            ifUnmodifiedSince: pointers[1].map { UnsafeRawBufferPointer($0) },
            ifNoneMatch: pointers[2].map { UnsafeRawBufferPointer($0) },
            ifModifiedSince: pointers[3].map { UnsafeRawBufferPointer($0) })
        return preconditions.evaluate(isGetOrHead: getOrHead, etag: etag, lastModified: lastModified)
    }

    @Test func noConditionsProceed() {
        #expect(Self.evaluate() == .proceed)
    }

    @Test func ifMatch() {
        #expect(Self.evaluate(ifMatch: "\"abc-10\"") == .proceed)
        #expect(Self.evaluate(ifMatch: "*") == .proceed)
        #expect(Self.evaluate(ifMatch: "\"other\"") == .preconditionFailed)
        #expect(Self.evaluate(ifMatch: "W/\"abc-10\"") == .preconditionFailed)
    }

    @Test func ifUnmodifiedSinceOnlyWithoutIfMatch() {
        #expect(Self.evaluate(ifUnmodifiedSince: Self.atModification) == .proceed)
        #expect(Self.evaluate(ifUnmodifiedSince: Self.after) == .proceed)
        #expect(Self.evaluate(ifUnmodifiedSince: Self.before) == .preconditionFailed)
        #expect(Self.evaluate(ifUnmodifiedSince: "garbage") == .proceed)
        #expect(Self.evaluate(ifMatch: "\"abc-10\"", ifUnmodifiedSince: Self.before) == .proceed)
    }

    @Test func ifNoneMatch() {
        #expect(Self.evaluate(ifNoneMatch: "\"abc-10\"") == .notModified)
        #expect(Self.evaluate(ifNoneMatch: "W/\"abc-10\"") == .notModified)
        #expect(Self.evaluate(ifNoneMatch: "*") == .notModified)
        #expect(Self.evaluate(ifNoneMatch: "\"other\"") == .proceed)
        #expect(Self.evaluate(ifNoneMatch: "\"abc-10\"", getOrHead: false) == .preconditionFailed)
    }

    @Test func ifModifiedSinceOnlyWithoutIfNoneMatchAndForGet() {
        #expect(Self.evaluate(ifModifiedSince: Self.atModification) == .notModified)
        #expect(Self.evaluate(ifModifiedSince: Self.after) == .notModified)
        #expect(Self.evaluate(ifModifiedSince: Self.before) == .proceed)
        #expect(Self.evaluate(ifModifiedSince: "garbage") == .proceed)
        #expect(Self.evaluate(ifModifiedSince: Self.atModification, getOrHead: false) == .proceed)
        // If-None-Match takes precedence, even when it does not match.
        #expect(Self.evaluate(ifNoneMatch: "\"other\"", ifModifiedSince: Self.after) == .proceed)
    }

    @Test func orderOfEvaluation() {
        // A failed If-Match wins over a matching If-None-Match.
        #expect(Self.evaluate(ifMatch: "\"other\"", ifNoneMatch: "\"abc-10\"") == .preconditionFailed)
        #expect(Self.evaluate(ifUnmodifiedSince: Self.before, ifModifiedSince: Self.after) == .preconditionFailed)
        #expect(Self.evaluate(ifMatch: "\"abc-10\"", ifNoneMatch: "\"abc-10\"") == .notModified)
    }
}
