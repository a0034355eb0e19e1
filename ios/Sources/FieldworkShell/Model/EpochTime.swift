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
/// site's IANA time zone), in the phone's language and its own 12- or 24-hour convention: the
/// locale's date and time styles (`Date.FormatStyle`), never a fixed pattern, so "17:30" in
/// en_GB and zh-Hans, "5:30 PM" in en_US (and 24-hour wherever the phone is set to it).
public enum SiteTime {
    /// "24 Nov 2026, 17:30" (the date as the locale writes it).
    public static func dateTime(_ ms: Int64, zone: String, locale: Locale = .current) -> String {
        Date(epochMilliseconds: ms).formatted(style(date: .abbreviated, time: .shortened, zone: zone, locale: locale))
    }

    /// "17:30".
    public static func time(_ ms: Int64, zone: String, locale: Locale = .current) -> String {
        Date(epochMilliseconds: ms).formatted(style(date: .omitted, time: .shortened, zone: zone, locale: locale))
    }

    /// A span as the site's clock reads it: two times ("08:10", "08:45") when it starts and
    /// ends on the same day at the site, otherwise each with its date.
    public static func span(_ startMs: Int64, _ endMs: Int64, zone: String, locale: Locale = .current) -> (start: String, end: String) {
        if sameDay(startMs, endMs, zone: zone) {
            return (time(startMs, zone: zone, locale: locale), time(endMs, zone: zone, locale: locale))
        }
        return (dateTime(startMs, zone: zone, locale: locale), dateTime(endMs, zone: zone, locale: locale))
    }

    /// Whether two instants fall on the same day at the site.
    public static func sameDay(_ aMs: Int64, _ bMs: Int64, zone: String) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone(zone)
        return calendar.isDate(Date(epochMilliseconds: aMs), inSameDayAs: Date(epochMilliseconds: bMs))
    }

    /// The site's time zone (an unknown name, never from the core, falls back to the phone's).
    public static func timeZone(_ zone: String) -> TimeZone {
        TimeZone(identifier: zone) ?? .current
    }

    private static func style(date: Date.FormatStyle.DateStyle, time: Date.FormatStyle.TimeStyle, zone: String, locale: Locale) -> Date.FormatStyle {
        var style = Date.FormatStyle(date: date, time: time)
        style.locale = locale
        style.timeZone = timeZone(zone)
        return style
    }
}
