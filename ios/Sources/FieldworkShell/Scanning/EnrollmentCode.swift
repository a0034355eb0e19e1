import Foundation

/// What an enrollment QR code carries: the office's address and the one-time code.
///
/// The same rules as Android's `EnrollmentCode` (android/shell/.../EnrollmentCode.kt), held by
/// the shared vectors in `tests/enrollment-codes.json` (EnrollmentCodeTests replays them):
/// - the URL the console shows, `fieldwork://enroll?office=<percent-encoded>&code=<code>`
///   (`fieldwork` and `enroll` in any case; read as `java.net.URI` reads it, then each value
///   decoded as a form value, `+` a space; the last of a repeated parameter counts);
/// - JSON, `{"office":"https://...","code":"..."}` (one object; only string fields count).
///
/// Nil for anything else, or when the office is not an http(s) address with a host or the code
/// is empty: a code from another app must not fill the form.
public struct EnrollmentCode: Equatable, Sendable {
    public let office: String
    public let code: String

    public init(office: String, code: String) {
        self.office = office
        self.code = code
    }

    public static func parse(_ text: String) -> EnrollmentCode? {
        let trimmed = KotlinText.trim(text)
        let fields: [String: String]?
        if trimmed.unicodeScalars.first == "{" {
            fields = fromJSON(trimmed)
        } else if KotlinText.hasPrefixIgnoringASCIICase(trimmed, "fieldwork:") {
            fields = fromURL(trimmed)
        } else {
            fields = nil
        }
        guard let fields else { return nil }
        let office = KotlinText.trim(fields["office"] ?? "")
        let code = KotlinText.trim(fields["code"] ?? "")
        guard !code.isEmpty, isHTTPAddress(office) else { return nil }
        return EnrollmentCode(office: office, code: code)
    }

    private static func fromJSON(_ text: String) -> [String: String]? {
        guard let data = text.data(using: .utf8),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return nil }
        var fields: [String: String] = [:]
        for (key, value) in object {
            // Strings only: a number, null, object or array is not an address or a code.
            if let string = value as? String, !(value is NSNumber) {
                fields[key] = string
            }
        }
        return fields
    }

    private static func fromURL(_ text: String) -> [String: String]? {
        guard let uri = try? JavaURI(text),
              uri.scheme?.lowercased() == "fieldwork",
              // `fieldwork://enroll?...`: "enroll" is the URI's host.
              uri.host?.lowercased() == "enroll",
              let query = uri.rawQuery
        else { return nil }
        var fields: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: false) {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            if name.isEmpty { continue }
            guard let value = formDecode(pair[pair.index(after: equals)...]) else { continue }
            fields[name] = value
        }
        return fields
    }

    private static func isHTTPAddress(_ office: String) -> Bool {
        guard let uri = try? JavaURI(office) else { return false }
        // As Android compares it: the scheme in lower case.
        return (uri.scheme == "https" || uri.scheme == "http") && !(uri.host ?? "").isEmpty
    }

    /// `java.net.URLDecoder.decode(value, UTF_8)`: `+` is a space, `%XX` runs are UTF-8 bytes
    /// (a malformed sequence becomes U+FFFD); nil for a broken escape.
    static func formDecode(_ value: Substring) -> String? {
        let scalars = Array(value.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "+" {
                out.append(" ")
                i += 1
            } else if c == "%" {
                var bytes: [UInt8] = []
                while i < scalars.count, scalars[i] == "%" {
                    guard i + 2 < scalars.count,
                          let high = hexValue(scalars[i + 1]), let low = hexValue(scalars[i + 2])
                    else { return nil }
                    bytes.append(UInt8(high * 16 + low))
                    i += 3
                }
                out.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(out)
    }

    private static func hexValue(_ c: Unicode.Scalar) -> Int? {
        switch c.value {
        case 0x30...0x39: return Int(c.value) - 0x30
        case 0x41...0x46: return Int(c.value) - 0x41 + 10
        case 0x61...0x66: return Int(c.value) - 0x61 + 10
        default: return nil
        }
    }
}

/// Kotlin's `String.trim()` and `startsWith(ignoreCase = true)` for the payload's ASCII prefix.
enum KotlinText {
    /// Kotlin's `Char.isWhitespace()`: Java's white space (tab to carriage return, the four
    /// separators 0x1C-0x1F) or any Unicode space, line or paragraph separator (no-break ones too).
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x1F: return true
        default: break
        }
        switch c.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    static func trim(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
              let last = scalars.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    static func hasPrefixIgnoringASCIICase(_ text: String, _ prefix: String) -> Bool {
        let head = Array(text.unicodeScalars.prefix(prefix.unicodeScalars.count))
        let want = Array(prefix.unicodeScalars)
        guard head.count == want.count else { return false }
        return zip(head, want).allSatisfy { lowerASCII($0) == lowerASCII($1) }
    }

    private static func lowerASCII(_ c: Unicode.Scalar) -> UInt32 {
        (0x41...0x5A).contains(c.value) ? c.value + 0x20 : c.value
    }
}
