import Foundation

extension Date {
    /// Epoch milliseconds, the core's time unit.
    public var epochMilliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }

    public init(epochMilliseconds: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(epochMilliseconds) / 1000)
    }
}

/// A time the core gives in epoch milliseconds, as the clock at the job's site reads it (the
/// site's IANA time zone), in the phone's language and its 12- or 24-hour convention.
public enum SiteTime {
    /// "24 Nov 2026, 17:30" (the date as the locale writes it).
    public static func dateTime(_ ms: Int64, zone: String, locale: Locale = .current) -> String {
        Date(epochMilliseconds: ms).formatted(style(date: .abbreviated, time: .shortened, zone: zone, locale: locale))
    }

    /// "17:30".
    public static func time(_ ms: Int64, zone: String, locale: Locale = .current) -> String {
        Date(epochMilliseconds: ms).formatted(style(date: .omitted, time: .shortened, zone: zone, locale: locale))
    }

    private static func style(date: Date.FormatStyle.DateStyle, time: Date.FormatStyle.TimeStyle, zone: String, locale: Locale) -> Date.FormatStyle {
        var style = Date.FormatStyle(date: date, time: time)
        style.locale = locale
        // An unknown zone name (never from the core) falls back to the phone's.
        style.timeZone = TimeZone(identifier: zone) ?? .current
        return style
    }
}
