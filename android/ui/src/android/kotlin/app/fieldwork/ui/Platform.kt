package app.fieldwork.ui

import android.graphics.BitmapFactory
import androidx.activity.compose.BackHandler
import androidx.annotation.StringRes
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.platform.LocalConfiguration
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import java.util.Locale

// The Android side of the few calls the screens (src/main/kotlin) take from the platform. The
// desktop JVM build (android/jvm, where the screens are tested) compiles
// android/jvm/src/desktop/kotlin/app/fieldwork/ui/Platform.kt instead, with the same signatures.

/** The text of string resource [id] in the current configuration's locale, formatted with [args]. */
@Composable
fun localized(@StringRes id: Int, vararg args: Any): String = stringResource(id, *args)

/** The system back gesture or button, while [enabled]. */
@Composable
fun PlatformBackHandler(enabled: Boolean, onBack: () -> Unit) = BackHandler(enabled, onBack)

/** The locale the screens are shown in (the configuration's first; it changes without a restart). */
@Composable
fun currentLocale(): Locale = LocalConfiguration.current.locales[0]

/** Whether the phone shows times on a 24-hour clock (its own setting, else its locale's). */
@Composable
fun is24HourClock(): Boolean {
    LocalConfiguration.current // read again when the configuration changes
    return android.text.format.DateFormat.is24HourFormat(LocalContext.current)
}

/** A JPEG or PNG as a picture; null if it cannot be decoded. */
fun decodeImage(bytes: ByteArray): ImageBitmap? = BitmapFactory.decodeByteArray(bytes, 0, bytes.size)?.asImageBitmap()
