package app.fieldwork.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.toComposeImageBitmap
import org.jetbrains.skia.Image
import java.time.chrono.IsoChronology
import java.time.format.DateTimeFormatterBuilder
import java.time.format.FormatStyle
import java.util.Locale

// The desktop JVM's side of the few calls :ui takes from the platform. The Android build
// compiles android/ui/src/android/kotlin/app/fieldwork/ui/Platform.kt instead, with the same
// signatures over Android's resources, configuration and back dispatcher.

/**
 * The locale of the screens below it; unset, the JVM's default. Android reads its
 * configuration; here a test switches language without rebuilding the app (goldens).
 */
val LocalDesktopLocale = staticCompositionLocalOf<Locale?> { null }

/** The locale the screens are shown in. */
@Composable
fun currentLocale(): Locale = LocalDesktopLocale.current ?: Locale.getDefault()

/** The text of string resource [id] in the screens' locale, formatted with [args] like Android's. */
@Composable
fun localized(id: Int, vararg args: Any): String = DesktopStrings.get(currentLocale(), id, *args)

/** Android's system back; a desktop window has none. */
@Composable
fun PlatformBackHandler(enabled: Boolean, onBack: () -> Unit) = Unit

/** Whether the locale writes times on a 24-hour clock: its short time pattern has no AM/PM hour. */
@Composable
fun is24HourClock(): Boolean {
    val pattern = DateTimeFormatterBuilder.getLocalizedDateTimePattern(null, FormatStyle.SHORT, IsoChronology.INSTANCE, currentLocale())
    return 'H' in pattern || 'k' in pattern
}

/** A JPEG or PNG as a picture (Skia decodes it); null if it cannot be decoded. */
fun decodeImage(bytes: ByteArray): ImageBitmap? = runCatching { Image.makeFromEncoded(bytes).toComposeImageBitmap() }.getOrNull()

/** :ui's strings.xml per locale (generated R.kt), looked up as Android does: language and region, then language, then default. */
object DesktopStrings {
    fun get(locale: Locale, id: Int, vararg args: Any): String {
        val tables = DesktopStringTables.tables
        val table = tables[locale.toLanguageTag()] ?: tables[locale.language] ?: tables.getValue("")
        val text = table[id]
        return if (args.isEmpty()) text else String.format(locale, text, *args)
    }
}
