import HTTP1
import Testing

struct HTTPDateTests {
    static func text(_ seconds: Int64) -> String { String(decoding: HTTPDate.format(seconds), as: UTF8.self) }

    @Test func formatsIMFFixdate() {
        #expect(Self.text(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(Self.text(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(Self.text(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(Self.text(1_709_164_799) == "Wed, 28 Feb 2024 23:59:59 GMT")
        #expect(Self.text(2_147_483_648) == "Tue, 19 Jan 2038 03:14:08 GMT")
        #expect(Self.text(-1) == "Wed, 31 Dec 1969 23:59:59 GMT")
        #expect(Self.text(4_102_444_800) == "Fri, 01 Jan 2100 00:00:00 GMT")
        #expect(HTTPDate.format(1_700_000_000).count == HTTPDate.length)
    }

    @Test func appendsToExistingBytes() {
        var out: [UInt8] = Array("Date: ".utf8)
        HTTPDate.append(784_111_777, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "Date: Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func roundTripsEveryFewDays() {
        var seconds: Int64 = -86_400 * 365 * 2
        while seconds < 86_400 * 365 * 200 {
            #expect(HTTPDate.parse(HTTPDate.format(seconds)) == seconds)
            seconds += 86_400 * 3 + 3_607
        }
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ])
    func parsesAllThreeFormats(_ value: String) {
        #expect(HTTPDate.parse(Array(value.utf8)) == 784_111_777)
    }

    @Test func parsesEdgeDates() {
        #expect(HTTPDate.parse(Array("Tue, 29 Feb 2000 00:00:00 GMT".utf8)) == 951_782_400)
        #expect(HTTPDate.parse(Array("Thursday, 01-Jan-70 00:00:00 GMT".utf8)) == 0)
        #expect(HTTPDate.parse(Array("Saturday, 01-Jan-00 00:00:00 GMT".utf8)) == 946_684_800)
        #expect(HTTPDate.parse(Array("Tue Feb 29 00:00:00 2000".utf8)) == 951_782_400)
        #expect(HTTPDate.parse(Array("Sun Nov 16 08:49:37 1994".utf8)) == Int64(784_111_777 + 10 * 86_400))
    }

    @Test(arguments: [
        "",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 GMT ",
        " Sun, 06 Nov 1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 31 Apr 2024 00:00:00 GMT",
        "Thu, 29 Feb 2001 00:00:00 GMT",
        "Mon, 29 Feb 1900 00:00:00 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 32 Jan 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun,06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sun, 06-Nov-94 08:49:37 GMT",
        "Funday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",
        "Sun Nov  6 08:49:37 94",
        "Sun Nov  6 08:49:37 1994 GMT",
        "1994-11-06T08:49:37Z",
        "784111777",
    ])
    func rejectsInvalid(_ value: String) {
        #expect(HTTPDate.parse(Array(value.utf8)) == nil)
    }
}
