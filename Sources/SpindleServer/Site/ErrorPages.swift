import HTTP1

/// Small generated HTML bodies for error answers, built once per status and then reused.
struct ErrorPages {
    private var bodies: [Int: [UInt8]] = [:]

    init() {}

    mutating func body(for status: Status) -> [UInt8] {
        if let body = bodies[status.code] { return body }
        let body = Self.render(status)
        bodies[status.code] = body
        return body
    }

    static func render(_ status: Status) -> [UInt8] {
        var title = [UInt8]()
        title.appendDecimal(status.code)
        title.append(UInt8(ascii: " "))
        title.append(status.reason)
        var out = [UInt8]()
        out.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
        out += title
        out.append("</title></head>\n<body><h1>")
        out += title
        out.append("</h1><hr><p>spindle</p></body></html>\n")
        return out
    }
}
