package app.fieldwork.ui

import androidx.compose.runtime.Composable
import java.util.Locale

// The desktop JVM's side of the few calls :ui takes from the platform. The Android build
// compiles android/ui/src/android/kotlin/app/fieldwork/ui/Platform.kt instead, with the same
// signatures over Android's resources and back dispatcher.

/** The text of string resource [id] in the default locale, formatted with [args] like Android's. */
@Composable
fun localized(id: Int, vararg args: Any): String = DesktopStrings.get(Locale.getDefault(), id, *args)

/** Android's system back; a desktop window has none. */
@Composable
fun PlatformBackHandler(enabled: Boolean, onBack: () -> Unit) = Unit

/** :ui's strings.xml per locale (generated R.kt), looked up as Android does: language and region, then language, then default. */
object DesktopStrings {
    fun get(locale: Locale, id: Int, vararg args: Any): String {
        val tables = DesktopStringTables.tables
        val table = tables[locale.toLanguageTag()] ?: tables[locale.language] ?: tables.getValue("")
        val text = table[id]
        return if (args.isEmpty()) text else String.format(locale, text, *args)
    }
}
