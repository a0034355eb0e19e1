package app.fieldwork.ui

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.material3.ColorScheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Typography
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.Immutable
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp

/** Which colours the app wears. */
enum class Appearance {
    /** Light or dark as the phone is set. */
    SYSTEM,
    LIGHT,
    DARK,

    /** For sunlight: near-black on white, a strong accent, no tinted greys. */
    HIGH_CONTRAST,
}

/** Sizes every screen shares. */
object FieldDimens {
    /** A primary action: 56 dp tall, for a gloved thumb (Material's minimum is 48 dp). */
    val PrimaryAction = 56.dp

    /** The screens' side margin. */
    val Margin = 16.dp
}

/**
 * The colours Material's scheme has no role for: the SLA risk (always shown beside words) and
 * the sync bar's states (each with its own icon too).
 */
@Immutable
data class FieldColors(
    val riskOnTrack: Color,
    val riskAtRisk: Color,
    val riskOverdue: Color,
    val offline: Color,
    val onOffline: Color,
    val pending: Color,
    val onPending: Color,
    val upToDate: Color,
    val onUpToDate: Color,
    /** The signature pad's ink and its signing line. */
    val ink: Color,
    val padBackground: Color,
)

val LocalFieldColors = staticCompositionLocalOf { LightFieldColors }

// Light: a deep blue accent (7:1 on white), text near black, greys dark enough to read outdoors.
private val LightScheme = lightColorScheme(
    primary = Color(0xFF0B4F9C),
    onPrimary = Color.White,
    primaryContainer = Color(0xFFD6E3FF),
    onPrimaryContainer = Color(0xFF001B3E),
    secondary = Color(0xFF3D5A6C),
    onSecondary = Color.White,
    secondaryContainer = Color(0xFFD3E5F3),
    onSecondaryContainer = Color(0xFF0B1D29),
    tertiary = Color(0xFF8A4B00),
    onTertiary = Color.White,
    background = Color(0xFFF8F9FB),
    onBackground = Color(0xFF14171C),
    surface = Color(0xFFF8F9FB),
    onSurface = Color(0xFF14171C),
    surfaceVariant = Color(0xFFE1E5EB),
    onSurfaceVariant = Color(0xFF394350),
    surfaceContainerLowest = Color.White,
    surfaceContainerLow = Color(0xFFF2F4F7),
    surfaceContainer = Color(0xFFECEFF3),
    surfaceContainerHigh = Color(0xFFE6E9EE),
    surfaceContainerHighest = Color(0xFFE0E4E9),
    outline = Color(0xFF6B7480),
    outlineVariant = Color(0xFFC3C9D1),
    error = Color(0xFFB3261E),
    onError = Color.White,
    errorContainer = Color(0xFFFFDAD6),
    onErrorContainer = Color(0xFF410002),
)

private val DarkScheme = darkColorScheme(
    primary = Color(0xFFA8C8FF),
    onPrimary = Color(0xFF002F65),
    primaryContainer = Color(0xFF12427F),
    onPrimaryContainer = Color(0xFFD6E3FF),
    secondary = Color(0xFFB5C9D7),
    onSecondary = Color(0xFF20333F),
    secondaryContainer = Color(0xFF364956),
    onSecondaryContainer = Color(0xFFD3E5F3),
    tertiary = Color(0xFFFFB86E),
    onTertiary = Color(0xFF4A2800),
    background = Color(0xFF101317),
    onBackground = Color(0xFFE4E7EC),
    surface = Color(0xFF101317),
    onSurface = Color(0xFFE4E7EC),
    surfaceVariant = Color(0xFF3A424C),
    onSurfaceVariant = Color(0xFFC7CED8),
    surfaceContainerLowest = Color(0xFF0B0E11),
    surfaceContainerLow = Color(0xFF181C21),
    surfaceContainer = Color(0xFF1C2026),
    surfaceContainerHigh = Color(0xFF262B31),
    surfaceContainerHighest = Color(0xFF31363C),
    outline = Color(0xFF8D96A1),
    outlineVariant = Color(0xFF3A424C),
    error = Color(0xFFFFB4AB),
    onError = Color(0xFF690005),
    errorContainer = Color(0xFF93000A),
    onErrorContainer = Color(0xFFFFDAD6),
)

// High contrast: black on white everywhere, the accent a blue dark enough for 10:1, outlines black.
private val HighContrastScheme = lightColorScheme(
    primary = Color(0xFF00306E),
    onPrimary = Color.White,
    primaryContainer = Color(0xFF00306E),
    onPrimaryContainer = Color.White,
    secondary = Color(0xFF000000),
    onSecondary = Color.White,
    secondaryContainer = Color(0xFFFFFFFF),
    onSecondaryContainer = Color(0xFF000000),
    tertiary = Color(0xFF5C2E00),
    onTertiary = Color.White,
    background = Color.White,
    onBackground = Color(0xFF000000),
    surface = Color.White,
    onSurface = Color(0xFF000000),
    surfaceVariant = Color.White,
    onSurfaceVariant = Color(0xFF000000),
    surfaceContainerLowest = Color.White,
    surfaceContainerLow = Color.White,
    surfaceContainer = Color.White,
    surfaceContainerHigh = Color.White,
    surfaceContainerHighest = Color.White,
    outline = Color(0xFF000000),
    outlineVariant = Color(0xFF000000),
    error = Color(0xFF8C0009),
    onError = Color.White,
    errorContainer = Color(0xFF8C0009),
    onErrorContainer = Color.White,
)

val LightFieldColors = FieldColors(
    riskOnTrack = Color(0xFF1B6E2A),
    riskAtRisk = Color(0xFFB86E00),
    riskOverdue = Color(0xFFB3261E),
    offline = Color(0xFF4A4458),
    onOffline = Color.White,
    pending = Color(0xFFD6E3FF),
    onPending = Color(0xFF001B3E),
    upToDate = Color(0xFFE1E5EB),
    onUpToDate = Color(0xFF14171C),
    ink = Color(0xFF0B1F4D),
    padBackground = Color.White,
)

private val DarkFieldColors = FieldColors(
    riskOnTrack = Color(0xFF7DD68A),
    riskAtRisk = Color(0xFFFFC266),
    riskOverdue = Color(0xFFFFB4AB),
    offline = Color(0xFFCBC2DB),
    onOffline = Color(0xFF1D1A26),
    pending = Color(0xFF12427F),
    onPending = Color(0xFFD6E3FF),
    upToDate = Color(0xFF262B31),
    onUpToDate = Color(0xFFE4E7EC),
    ink = Color(0xFFE4E7EC),
    padBackground = Color(0xFF1C2026),
)

private val HighContrastFieldColors = FieldColors(
    riskOnTrack = Color(0xFF0A4A17),
    riskAtRisk = Color(0xFF6B3D00),
    riskOverdue = Color(0xFF8C0009),
    offline = Color(0xFF000000),
    onOffline = Color.White,
    pending = Color(0xFF00306E),
    onPending = Color.White,
    upToDate = Color.White,
    onUpToDate = Color(0xFF000000),
    ink = Color(0xFF000000),
    padBackground = Color.White,
)

/**
 * Field-grade text: body text at least 16 sp (18 sp for the main body), nothing smaller
 * anywhere, titles bold enough to find a section at a glance.
 */
private val FieldTypography = Typography().let { base ->
    fun TextStyle.sized(size: Int, line: Int, weight: FontWeight? = fontWeight) = copy(fontSize = size.sp, lineHeight = line.sp, fontWeight = weight)
    base.copy(
        headlineSmall = base.headlineSmall.sized(26, 32, FontWeight.SemiBold),
        titleLarge = base.titleLarge.sized(22, 28, FontWeight.SemiBold),
        titleMedium = base.titleMedium.sized(20, 26, FontWeight.SemiBold),
        titleSmall = base.titleSmall.sized(18, 24, FontWeight.SemiBold),
        bodyLarge = base.bodyLarge.sized(18, 26),
        bodyMedium = base.bodyMedium.sized(16, 24),
        bodySmall = base.bodySmall.sized(16, 22),
        labelLarge = base.labelLarge.sized(18, 24, FontWeight.SemiBold),
        labelMedium = base.labelMedium.sized(16, 22, FontWeight.Medium),
        labelSmall = base.labelSmall.sized(16, 20, FontWeight.Medium),
    )
}

/** The scheme and extra colours of [appearance] ([Appearance.SYSTEM] resolved by the caller). */
internal fun colorsOf(appearance: Appearance, systemDark: Boolean): Pair<ColorScheme, FieldColors> = when (appearance) {
    Appearance.LIGHT -> LightScheme to LightFieldColors
    Appearance.DARK -> DarkScheme to DarkFieldColors
    Appearance.HIGH_CONTRAST -> HighContrastScheme to HighContrastFieldColors
    Appearance.SYSTEM -> if (systemDark) DarkScheme to DarkFieldColors else LightScheme to LightFieldColors
}

/**
 * The app's theme: [Appearance.SYSTEM] follows the phone's dark setting; tests and the
 * high-contrast switch pick one.
 */
@Composable
fun FieldworkTheme(appearance: Appearance = Appearance.SYSTEM, content: @Composable () -> Unit) {
    val (scheme, fieldColors) = colorsOf(appearance, isSystemInDarkTheme())
    MaterialTheme(colorScheme = scheme, typography = FieldTypography) {
        CompositionLocalProvider(LocalFieldColors provides fieldColors, content = content)
    }
}
