import Foundation

/// The parts of a URI that the enrollment code reads, parsed as `java.net.URI(String)` parses
/// them (RFC 2396 with Java's deviations), so that the iPhone accepts and refuses exactly what
/// Android does: unescaped spaces and other illegal characters refused, every `%` followed by two
/// hex digits, visible non-ASCII characters allowed; a host only for a server-based authority
/// (`[user@]host[:port]`, the host a name, an IPv4 address or a bracketed IPv6 address).
struct JavaURI {
    struct SyntaxError: Error {}

    private(set) var scheme: String?
    /// Nil when there is no authority, or it is not server-based (Java's registry authority).
    private(set) var host: String?
    /// The query as written, undecoded, without the fragment.
    private(set) var rawQuery: String?

    private let chars: [Unicode.Scalar]

    init(_ text: String) throws {
        chars = Array(text.unicodeScalars)
        let n = chars.count
        var p: Int
        // A scheme: everything before the first ':' that comes before any of "/?#".
        var q = 0
        while q < n, !"/?#:".unicodeScalars.contains(chars[q]) { q += 1 }
        if q < n, chars[q] == ":" {
            guard q > 0, Self.isAlpha(chars[0]) else { throw SyntaxError() }
            for i in 1..<q where !Self.matches(chars[i], Self.schemeChars) { throw SyntaxError() }
            scheme = String(String.UnicodeScalarView(chars[0..<q]))
            p = q + 1
            if p < n, chars[p] == "/" {
                p = try parseHierarchical(from: p)
            } else {
                // Opaque: "scheme:rest" (no authority, so no host).
                let end = index(of: "#", from: p) ?? n
                guard end > p else { throw SyntaxError() }
                try check(p, end, Self.uricChars)
                p = end
            }
        } else {
            p = try parseHierarchical(from: 0)
        }
        if p < n, chars[p] == "#" {
            try check(p + 1, n, Self.uricChars)
            p = n
        }
        guard p == n else { throw SyntaxError() }
    }

    // MARK: Components

    private mutating func parseHierarchical(from start: Int) throws -> Int {
        let n = chars.count
        var p = start
        if p + 1 < n, chars[p] == "/", chars[p + 1] == "/" {
            p += 2
            let end = firstIndex(from: p, of: "/?#")
            if end > p {
                try parseAuthority(p, end)
                p = end
            } else if end >= n {
                throw SyntaxError() // "//" and nothing after it: an authority was expected
            }
        }
        let pathEnd = firstIndex(from: p, of: "?#")
        try check(p, pathEnd, Self.pathChars)
        p = pathEnd
        if p < n, chars[p] == "?" {
            p += 1
            let end = index(of: "#", from: p) ?? n
            try check(p, end, Self.uricChars)
            rawQuery = String(String.UnicodeScalarView(chars[p..<end]))
            p = end
        }
        return p
    }

    private mutating func parseAuthority(_ start: Int, _ end: Int) throws {
        let serverChars = try scan(start, end, Self.serverChars) == end
        let registryChars = try scan(start, end, Self.registryChars) == end
        if serverChars, let server = try? parseServer(start, end) {
            host = server
            return
        }
        // Not server-based: a registry authority (no host) when its characters allow one.
        guard registryChars else { throw SyntaxError() }
    }

    /// `[userinfo@]host[:port]`; the host.
    private func parseServer(_ start: Int, _ end: Int) throws -> String {
        var p = start
        if let at = index(of: "@", from: p, before: end) {
            try check(p, at, Self.userInfoChars)
            p = at + 1
        }
        let hostStart = p
        if p < end, chars[p] == "[" {
            guard let close = index(of: "]", from: p + 1, before: end), close > p + 1,
                  chars[(p + 1)..<close].allSatisfy({ Self.isHex($0) || $0 == ":" || $0 == "." || $0 == "%" || Self.isAlphanumeric($0) }),
                  chars[(p + 1)..<close].contains(":")
            else { throw SyntaxError() }
            p = close + 1
        } else if let afterIPv4 = ipv4(p, end) {
            p = afterIPv4
        } else {
            p = try hostname(p, end)
        }
        let host = String(String.UnicodeScalarView(chars[hostStart..<p]))
        if p < end, chars[p] == ":" {
            p += 1
            if p < end {
                guard chars[p..<end].allSatisfy(Self.isDigit),
                      Int32(String(String.UnicodeScalarView(chars[p..<end]))) != nil
                else { throw SyntaxError() }
                p = end
            }
        }
        guard p == end else { throw SyntaxError() }
        return host
    }

    /// Four decimal bytes (each at most 255), followed by the end or a port; the index after them.
    private func ipv4(_ start: Int, _ end: Int) -> Int? {
        var p = start
        for part in 0..<4 {
            if part > 0 {
                guard p < end, chars[p] == "." else { return nil }
                p += 1
            }
            var q = p
            while q < end, Self.isDigit(chars[q]) { q += 1 }
            guard q > p, let value = Int(String(String.UnicodeScalarView(chars[p..<q]))), value <= 255 else { return nil }
            p = q
        }
        guard p == end || chars[p] == ":" else { return nil }
        return p
    }

    /// Labels of letters, digits and inner hyphens separated by dots (a trailing dot allowed);
    /// the last label of a dotted name starts with a letter. The index after the name.
    private func hostname(_ start: Int, _ end: Int) throws -> Int {
        var p = start
        var lastLabel = -1
        repeat {
            var q = p
            while q < end, Self.isAlphanumeric(chars[q]) { q += 1 }
            if q <= p { break }
            lastLabel = p
            p = q
            while q < end, Self.isAlphanumeric(chars[q]) || chars[q] == "-" { q += 1 }
            if q > p {
                if chars[q - 1] == "-" { throw SyntaxError() }
                p = q
            }
            guard p < end, chars[p] == "." else { break }
            p += 1
        } while p < end
        if p < end, chars[p] != ":" { throw SyntaxError() }
        guard lastLabel >= 0 else { throw SyntaxError() }
        if lastLabel > start, !Self.isAlpha(chars[lastLabel]) { throw SyntaxError() }
        return p
    }

    // MARK: Scanning

    /// Scans characters of `allowed` (and escapes and visible non-ASCII characters where the set
    /// allows escapes) from `start`; where it stopped. A `%` not followed by two hex digits is an
    /// error, as in Java.
    private func scan(_ start: Int, _ end: Int, _ allowed: CharClass) throws -> Int {
        var p = start
        while p < end {
            let c = chars[p]
            if Self.matches(c, allowed) {
                p += 1
            } else if allowed.escaped, c == "%" {
                guard p + 3 <= end, Self.isHex(chars[p + 1]), Self.isHex(chars[p + 2]) else { throw SyntaxError() }
                p += 3
            } else if allowed.escaped, c.value > 128, !Self.isSpaceOrControl(c) {
                p += 1
            } else {
                break
            }
        }
        return p
    }

    private func check(_ start: Int, _ end: Int, _ allowed: CharClass) throws {
        guard try scan(start, end, allowed) == end else { throw SyntaxError() }
    }

    private func index(of c: Unicode.Scalar, from start: Int, before end: Int? = nil) -> Int? {
        let stop = end ?? chars.count
        var p = start
        while p < stop {
            if chars[p] == c { return p }
            p += 1
        }
        return nil
    }

    private func firstIndex(from start: Int, of stops: String) -> Int {
        var p = start
        while p < chars.count, !stops.unicodeScalars.contains(chars[p]) { p += 1 }
        return p
    }

    // MARK: Character classes (RFC 2396, with RFC 2732's brackets)

    struct CharClass: Sendable {
        let ascii: String
        let alphanumeric: Bool
        let escaped: Bool
    }

    private static let mark = "-_.!~*'()"
    private static let reserved = ";/?:@&=+$,[]"
    static let schemeChars = CharClass(ascii: "+-.", alphanumeric: true, escaped: false)
    static let uricChars = CharClass(ascii: mark + reserved, alphanumeric: true, escaped: true)
    static let pathChars = CharClass(ascii: mark + ":@&=+$," + ";/", alphanumeric: true, escaped: true)
    static let userInfoChars = CharClass(ascii: mark + ";:&=+$,", alphanumeric: true, escaped: true)
    static let serverChars = CharClass(ascii: mark + ";:&=+$," + "-" + ".:@[]", alphanumeric: true, escaped: true)
    static let registryChars = CharClass(ascii: mark + "$,;:@&=+", alphanumeric: true, escaped: true)

    private static func matches(_ c: Unicode.Scalar, _ allowed: CharClass) -> Bool {
        guard c.isASCII else { return false }
        if allowed.alphanumeric, isAlphanumeric(c) { return true }
        return allowed.ascii.unicodeScalars.contains(c)
    }

    static func isAlpha(_ c: Unicode.Scalar) -> Bool {
        (0x41...0x5A).contains(c.value) || (0x61...0x7A).contains(c.value)
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool {
        (0x30...0x39).contains(c.value)
    }

    static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        isAlpha(c) || isDigit(c)
    }

    static func isHex(_ c: Unicode.Scalar) -> Bool {
        isDigit(c) || (0x41...0x46).contains(c.value) || (0x61...0x66).contains(c.value)
    }

    /// Java's `Character.isSpaceChar || Character.isISOControl`.
    private static func isSpaceOrControl(_ c: Unicode.Scalar) -> Bool {
        if c.value <= 0x1F || (0x7F...0x9F).contains(c.value) { return true }
        switch c.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
