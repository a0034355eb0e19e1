package app.fieldwork.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.runtime.staticCompositionLocalOf
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId
import java.time.chrono.IsoChronology
import java.time.format.DateTimeFormatter
import java.time.format.DateTimeFormatterBuilder
import java.time.format.FormatStyle
import java.util.Locale

/**
 * Clock times as the phone shows them: "14:05" where the phone (Android's setting) or its
 * locale (the desktop) uses a 24-hour clock, the locale's own 12-hour form ("2:05 PM") where
 * it does not; dates the locale's way. All in [zone], the phone's zone (at the site).
 */
class ClockFormat(val locale: Locale, val is24Hour: Boolean, val zone: ZoneId) {
    private val timeFormatter: DateTimeFormatter = when {
        is24Hour -> DateTimeFormatter.ofPattern("HH:mm", locale)
        localeIs24Hour(locale) -> DateTimeFormatter.ofPattern("h:mm a", locale) // 12-hour by the phone's choice
        else -> DateTimeFormatter.ofLocalizedTime(FormatStyle.SHORT).withLocale(locale)
    }
    private val dateFormatter: DateTimeFormatter = DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM).withLocale(locale)

    /** "14:05". */
    fun time(ms: Long): String = timeFormatter.format(Instant.ofEpochMilli(ms).atZone(zone))

    /** "14:05" on the day of [nowMs], "24 Nov 2026 14:05" on any other. */
    fun timeOrDate(ms: Long, nowMs: Long): String =
        if (day(ms) == day(nowMs)) time(ms) else "${dateFormatter.format(Instant.ofEpochMilli(ms).atZone(zone))} ${time(ms)}"

    /** "14:05" for a time field the technician edits ([app.fieldwork.shell.ClockTime] reads it back). */
    fun field(ms: Long): String = DateTimeFormatter.ofPattern("HH:mm").format(Instant.ofEpochMilli(ms).atZone(zone))

    fun day(ms: Long): LocalDate = Instant.ofEpochMilli(ms).atZone(zone).toLocalDate()

    companion object {
        fun localeIs24Hour(locale: Locale): Boolean {
            val pattern = DateTimeFormatterBuilder.getLocalizedDateTimePattern(null, FormatStyle.SHORT, IsoChronology.INSTANCE, locale)
            return 'H' in pattern || 'k' in pattern
        }
    }
}

/** The screens' clock format, set once at the root from the platform's settings. */
val LocalClockFormat = staticCompositionLocalOf { ClockFormat(Locale.getDefault(), true, ZoneId.systemDefault()) }

/** The phone's clock format, built again when its locale or 24-hour setting changes. */
@Composable
fun rememberClockFormat(): ClockFormat {
    val locale = currentLocale()
    val is24Hour = is24HourClock()
    return remember(locale, is24Hour) { ClockFormat(locale, is24Hour, ZoneId.systemDefault()) }
}

/** "just now", "5 min ago", "3 h ago" or the date and time: how long since [ms]. */
@Composable
fun agoText(ms: Long, nowMs: Long): String {
    val minutes = ((nowMs - ms) / 60_000).coerceAtLeast(0)
    return when {
        minutes < 1 -> localized(R.string.ago_just_now)
        minutes < 60 -> localized(R.string.ago_minutes, minutes)
        minutes < 24 * 60 -> localized(R.string.ago_hours, minutes / 60)
        else -> LocalClockFormat.current.timeOrDate(ms, nowMs)
    }
}
