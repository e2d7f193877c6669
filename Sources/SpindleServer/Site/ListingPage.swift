import HTTP1

/// A directory listing rendered as an HTML page or a JSON array. Names are hostile: in text they are
/// HTML-escaped (JSON-escaped in JSON), with bytes that are not UTF-8 and control characters shown as
/// U+FFFD; in links they are percent-encoded byte for byte (everything but RFC 3986's unreserved
/// characters), so that `#`, `?`, `%`, `&` and quotes stay part of the name. Links are relative
/// (`name`, `name/`, `../`), so the page also works behind a proxy that mounts the site under a prefix.
enum ListingPage {
    /// `directory` is the request's decoded path relative to the root, "" for the root.
    static func html(_ listing: DirectoryListing, directory: String, options: ListingOptions) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + listing.entries.count * 160)
        var title: [UInt8] = []
        title.append("Index of /")
        if !directory.isEmpty {
            appendText(Array(directory.utf8), to: &title)
            title.append(UInt8(ascii: "/"))
        }
        out.append("<!doctype html>\n<html><head><meta charset=\"utf-8\">")
        out.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        out += title
        out.append("</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em}")
        out.append("table{border-collapse:collapse}th,td{padding:.2em 1.2em .2em 0;text-align:left}")
        out.append("td.size{text-align:right;white-space:nowrap}</style></head>\n<body>\n<h1>")
        out += title
        out.append("</h1>\n<table>\n<thead><tr>")
        appendHeading("Name", .name, options, to: &out)
        appendHeading("Size", .size, options, to: &out)
        appendHeading("Modified (UTC)", .mtime, options, to: &out)
        out.append("</tr></thead>\n<tbody>\n")
        if !directory.isEmpty {
            out.append("<tr><td><a href=\"../\">../</a></td><td class=\"size\"></td><td></td></tr>\n")
        }
        let entries = listing.entries
        for index in listing.order(by: options.sort, descending: options.descending) {
            let entry = entries[index]
            out.append("<tr><td><a href=\"")
            appendLink(entry.name, to: &out)
            if entry.isDirectory { out.append(UInt8(ascii: "/")) }
            out.append("\">")
            appendText(entry.name, to: &out)
            if entry.isDirectory { out.append(UInt8(ascii: "/")) }
            out.append("</a></td><td class=\"size\">")
            if entry.isDirectory { out.append(UInt8(ascii: "-")) } else { appendHumanSize(entry.size, to: &out) }
            out.append("</td><td><time>")
            appendISO8601(entry.modified, to: &out)
            out.append("</time></td></tr>\n")
        }
        out.append("</tbody>\n</table>\n")
        if listing.truncated {
            out.append("<p><strong>Truncated:</strong> showing the first ")
            out.appendDecimal(listing.entries.count)
            out.append(" entries; the directory has more.</p>\n")
        }
        out.append("</body></html>\n")
        return out
    }

    /// `[{"name": …, "type": "file"|"directory", "size": bytes, "mtime": "…Z"}, …]`, sorted like the
    /// page. A truncated listing says so in the response's `Listing-Truncated` field, since an array
    /// has no room for it.
    static func json(_ listing: DirectoryListing, options: ListingOptions) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(2 + listing.entries.count * 96)
        out.append(UInt8(ascii: "["))
        let entries = listing.entries
        for (position, index) in listing.order(by: options.sort, descending: options.descending).enumerated() {
            let entry = entries[index]
            out.append(position == 0 ? "\n{\"name\":\"" : ",\n{\"name\":\"")
            appendJSONString(entry.name, to: &out)
            out.append(entry.isDirectory ? "\",\"type\":\"directory\",\"size\":" : "\",\"type\":\"file\",\"size\":")
            out.appendDecimal(entry.size)
            out.append(",\"mtime\":\"")
            appendISO8601(entry.modified, to: &out)
            out.append("\"}")
        }
        out.append("\n]\n")
        return out
    }

    // MARK: - Pieces

    /// A column heading linking to this column's sort: ascending, or the reverse of the current order
    /// when it is already the sort.
    private static func appendHeading(
        _ label: StaticString, _ sort: DirectoryListing.Sort, _ options: ListingOptions, to out: inout [UInt8]
    ) {
        let descending = options.sort == sort && !options.descending
        out.append("<th><a href=\"?sort=")
        out += sort.rawValue.utf8
        out.append(descending ? "&amp;order=desc\">" : "&amp;order=asc\">")
        out.append(label)
        if options.sort == sort { out.append(options.descending ? " \u{2193}" : " \u{2191}") }
        out.append("</a></th>")
    }

    static func appendText(_ name: [UInt8], to out: inout [UInt8]) {
        appendEscaped(name, to: &out) { byte, out in
            switch byte {
            case UInt8(ascii: "&"): out.append("&amp;")
            case UInt8(ascii: "<"): out.append("&lt;")
            case UInt8(ascii: ">"): out.append("&gt;")
            case UInt8(ascii: "\""): out.append("&quot;")
            case UInt8(ascii: "'"): out.append("&#39;")
            default: return false
            }
            return true
        }
    }

    static func appendJSONString(_ name: [UInt8], to out: inout [UInt8]) {
        appendEscaped(name, to: &out) { byte, out in
            switch byte {
            case UInt8(ascii: "\""): out.append("\\\"")
            case UInt8(ascii: "\\"): out.append("\\\\")
            default: return false
            }
            return true
        }
    }

    /// The name as UTF-8, each ASCII byte offered to `escape` first (which appends it escaped and says
    /// so); invalid sequences and control characters (C0, DEL, C1) become U+FFFD: they have no business
    /// in a page, and the link still reaches the file. Byte by byte, decoding only runs of non-ASCII
    /// bytes: rendering 10,000 names is on the serving thread.
    private static func appendEscaped(
        _ name: [UInt8], to out: inout [UInt8], escape: (UInt8, inout [UInt8]) -> Bool
    ) {
        let replacement: StaticString = "\u{FFFD}"
        var index = 0
        let count = name.count
        while index < count {
            let byte = name[index]
            guard byte >= 0x80 else {
                index += 1
                if escape(byte, &out) { continue }
                if byte < 0x20 || byte == 0x7F { out.append(replacement) } else { out.append(byte) }
                continue
            }
            var end = index
            while end < count && name[end] >= 0x80 { end += 1 }
            for scalar in String(decoding: name[index..<end], as: UTF8.self).unicodeScalars {
                if (0x80..<0xA0).contains(scalar.value) {
                    out.append(replacement)
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            }
            index = end
        }
    }

    /// Every byte but RFC 3986's unreserved characters as `%XX`: `&` too, which in an attribute could
    /// start a character reference, and `:`, which in a first segment would read as a scheme.
    static func appendLink(_ name: [UInt8], to out: inout [UInt8]) {
        let hex: StaticString = "0123456789ABCDEF"
        for byte in name {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                hex.withUTF8Buffer { digits in
                    out.append(digits[Int(byte >> 4)])
                    out.append(digits[Int(byte & 0xF)])
                }
            }
        }
    }

    /// `512 B`, `1.5 KiB`, `12 MiB`: one decimal below 10 units, none above.
    static func appendHumanSize(_ size: Int64, to out: inout [UInt8]) {
        guard size >= 1024 else {
            out.appendDecimal(size)
            out.append(" B")
            return
        }
        let units: [StaticString] = [" KiB", " MiB", " GiB", " TiB", " PiB", " EiB"]
        var value = Double(size) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if value < 10 {
            let tenths = Int64((value * 10).rounded())
            out.appendDecimal(tenths / 10)
            out.append(UInt8(ascii: "."))
            out.appendDecimal(tenths % 10)
        } else {
            out.appendDecimal(Int64(value.rounded()))
        }
        out.append(units[unit])
    }

    /// `2026-12-02T13:06:05Z`.
    static func appendISO8601(_ epochSeconds: Int64, to out: inout [UInt8]) {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let seconds = Int(epochSeconds - days * 86_400)
        let (year, month, day) = HTTPDate.civil(fromDays: days)
        func two(_ value: Int) {
            out.append(UInt8(ascii: "0") + UInt8(value / 10))
            out.append(UInt8(ascii: "0") + UInt8(value % 10))
        }
        if (0..<10_000).contains(year) {
            two(Int(year / 100))
            two(Int(year % 100))
        } else {
            out.appendDecimal(year)
        }
        out.append(UInt8(ascii: "-"))
        two(month)
        out.append(UInt8(ascii: "-"))
        two(day)
        out.append(UInt8(ascii: "T"))
        two(seconds / 3600)
        out.append(UInt8(ascii: ":"))
        two(seconds / 60 % 60)
        out.append(UInt8(ascii: ":"))
        two(seconds % 60)
        out.append(UInt8(ascii: "Z"))
    }
}
