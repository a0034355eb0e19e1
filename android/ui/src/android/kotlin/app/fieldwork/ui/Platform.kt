package app.fieldwork.ui

import androidx.activity.compose.BackHandler
import androidx.annotation.StringRes
import androidx.compose.runtime.Composable
import androidx.compose.ui.res.stringResource

// The Android side of the few calls the screens (src/main/kotlin) take from the platform. The
// desktop JVM build (android/jvm, where the screens are tested) compiles
// android/jvm/src/desktop/kotlin/app/fieldwork/ui/Platform.kt instead, with the same signatures.

/** The text of string resource [id] in the current configuration's locale, formatted with [args]. */
@Composable
fun localized(@StringRes id: Int, vararg args: Any): String = stringResource(id, *args)

/** The system back gesture or button, while [enabled]. */
@Composable
fun PlatformBackHandler(enabled: Boolean, onBack: () -> Unit) = BackHandler(enabled, onBack)
