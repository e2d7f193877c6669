import HTTP1
import Testing

struct AcceptMediaTypeTests {
    static let cases: [(String?, Bool)] = [
        (nil, false),
        ("", false),
        ("application/json", true),
        ("Application/JSON", true),
        ("application/*", true),
        ("text/html", false),
        ("*/*", false),
        ("application/json, text/html", false),
        ("application/json, text/html;q=0.9", true),
        ("text/html;q=0.5, application/json;q=0.6", true),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false),
        ("application/json;q=0, */*", false),
        ("application/json, */*;q=0.1", true),
        ("application/*;q=0.2, application/json;q=0.9, text/*;q=0.5", true),
        ("application/json;q=0.9, text/*", false),
        ("application/json;q=bogus", false),
        ("application/jsonx", false),
        ("text/plain", false),
        (" application/json ; charset=utf-8 ", true),
        (",,application/json,,", true),
        ("/", false),
    ]

    @Test(arguments: cases)
    func prefersJSON(field: String?, expected: Bool) {
        let answer =
            field.map { text in Array(text.utf8).withUnsafeBytes { AcceptMediaType.prefersJSON($0) } }
            ?? AcceptMediaType.prefersJSON(nil)
        #expect(answer == expected, "\(field ?? "nil")")
    }
}
