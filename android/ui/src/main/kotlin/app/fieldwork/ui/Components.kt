@file:OptIn(ExperimentalMaterial3Api::class)

package app.fieldwork.ui

import androidx.compose.foundation.BorderStroke
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.RowScope
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.WindowInsets
import androidx.compose.foundation.layout.WindowInsetsSides
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.only
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.safeDrawing
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.layout.windowInsetsPadding
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.ArrowBack
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.Button
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TopAppBar
import androidx.compose.material3.TopAppBarDefaults
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.vector.ImageVector
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.clearAndSetSemantics
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import app.fieldwork.ffi.JobStatus
import app.fieldwork.shell.RiskColour
import app.fieldwork.shell.UserMessage

/**
 * A screen: its title bar (with back when [onBack] is set), the content, and a bottom bar of
 * primary actions that stays above the system navigation and the keyboard. The sync bar above
 * has already taken the status bar's inset.
 */
@Composable
fun FieldScreen(
    title: String,
    onBack: (() -> Unit)?,
    modifier: Modifier = Modifier,
    actions: @Composable RowScope.() -> Unit = {},
    bottomBar: @Composable () -> Unit = {},
    content: @Composable (PaddingValues) -> Unit,
) {
    Scaffold(
        modifier = modifier,
        topBar = {
            TopAppBar(
                title = { Text(title, maxLines = 1, overflow = TextOverflow.Ellipsis, modifier = Modifier.semantics { heading() }) },
                navigationIcon = {
                    if (onBack != null) {
                        IconButton(onClick = onBack) {
                            Icon(Icons.AutoMirrored.Filled.ArrowBack, contentDescription = localized(R.string.back))
                        }
                    }
                },
                actions = actions,
                windowInsets = WindowInsets.safeDrawing.only(WindowInsetsSides.Horizontal + WindowInsetsSides.Top),
                colors = TopAppBarDefaults.topAppBarColors(containerColor = MaterialTheme.colorScheme.surface),
            )
        },
        bottomBar = bottomBar,
        // Side and bottom insets (navigation bar, cutouts, the keyboard) pad the content.
        contentWindowInsets = WindowInsets.safeDrawing,
        content = content,
    )
}

/**
 * The bottom bar of a screen's primary actions: buttons at least 56 dp tall side by side, above
 * the navigation bar and the keyboard (safeDrawing includes the IME), with [above] (a message)
 * over them so a refused action is said where the thumb is.
 */
@Composable
fun ActionBar(above: @Composable () -> Unit = {}, content: @Composable RowScope.() -> Unit) {
    Surface(color = MaterialTheme.colorScheme.surfaceContainer, tonalElevation = 3.dp, shadowElevation = 6.dp) {
        Column(Modifier.windowInsetsPadding(WindowInsets.safeDrawing.only(WindowInsetsSides.Horizontal + WindowInsetsSides.Bottom))) {
            HorizontalDivider(color = MaterialTheme.colorScheme.outlineVariant)
            above()
            Row(
                Modifier.fillMaxWidth().padding(horizontal = 12.dp, vertical = 8.dp),
                horizontalArrangement = Arrangement.spacedBy(8.dp),
                verticalAlignment = Alignment.CenterVertically,
                content = content,
            )
        }
    }
}

/** The test tag of every [PrimaryAction] and [SecondaryAction] (the goldens check they are 56 dp tall). */
const val ACTION_TAG = "action"

/** The screen's main action: filled, 56 dp tall, its label allowed two lines at large font sizes. */
@Composable
fun PrimaryAction(text: String, onClick: () -> Unit, modifier: Modifier = Modifier, enabled: Boolean = true, icon: ImageVector? = null) {
    Button(onClick = onClick, enabled = enabled, modifier = modifier.heightIn(min = FieldDimens.PrimaryAction).testTag(ACTION_TAG), contentPadding = PaddingValues(horizontal = 16.dp, vertical = 8.dp)) {
        ActionLabel(text, icon)
    }
}

/** A second action beside the main one: outlined, as tall. */
@Composable
fun SecondaryAction(text: String, onClick: () -> Unit, modifier: Modifier = Modifier, enabled: Boolean = true, icon: ImageVector? = null) {
    OutlinedButton(onClick = onClick, enabled = enabled, modifier = modifier.heightIn(min = FieldDimens.PrimaryAction).testTag(ACTION_TAG), contentPadding = PaddingValues(horizontal = 16.dp, vertical = 8.dp)) {
        ActionLabel(text, icon)
    }
}

@Composable
private fun ActionLabel(text: String, icon: ImageVector?) {
    if (icon != null) {
        Icon(icon, contentDescription = null, modifier = Modifier.size(22.dp))
        Spacer(Modifier.width(8.dp))
    }
    Text(text, textAlign = TextAlign.Center, maxLines = 2, overflow = TextOverflow.Ellipsis, style = MaterialTheme.typography.labelLarge)
}

/** A section's title: large, and a heading for screen readers (they jump between headings). */
@Composable
fun SectionTitle(text: String, modifier: Modifier = Modifier) {
    Text(
        text,
        style = MaterialTheme.typography.titleMedium,
        color = MaterialTheme.colorScheme.primary,
        modifier = modifier.padding(top = 12.dp).semantics { heading() },
    )
}

/** A refused action or a failure, said at once (a polite live region) with a warning icon. */
@Composable
fun MessageBanner(message: UserMessage?, modifier: Modifier = Modifier) {
    if (message == null) return
    Row(
        modifier
            .fillMaxWidth()
            .background(MaterialTheme.colorScheme.errorContainer)
            .padding(horizontal = 16.dp, vertical = 10.dp)
            .semantics { liveRegion = LiveRegionMode.Polite },
        horizontalArrangement = Arrangement.spacedBy(12.dp),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Icon(Icons.Filled.Warning, contentDescription = null, tint = MaterialTheme.colorScheme.onErrorContainer)
        Text(message.text(), color = MaterialTheme.colorScheme.onErrorContainer, style = MaterialTheme.typography.bodyLarge)
    }
}

/** The colour of an SLA risk in the current theme. */
@Composable
fun RiskColour.color(): Color {
    val colors = LocalFieldColors.current
    return when (this) {
        RiskColour.NONE -> Color.Transparent
        RiskColour.GREEN -> colors.riskOnTrack
        RiskColour.AMBER -> colors.riskAtRisk
        RiskColour.RED -> colors.riskOverdue
    }
}

/**
 * The SLA risk: a dot in the risk's colour and the risk in words beside it ("Overdue 20 min").
 * Screen readers hear the words once, from the dot; the colour is never the only sign.
 */
@Composable
fun RiskLine(risk: RiskColour, words: String, modifier: Modifier = Modifier, detail: String? = null) {
    Row(modifier, horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.CenterVertically) {
        Box(
            Modifier.size(14.dp).background(risk.color(), CircleShape).semantics { contentDescription = listOfNotNull(detail, words).joinToString(" · ") },
        )
        Text(
            listOfNotNull(detail, words).joinToString(" · "),
            // Text stays near black (amber text would fail contrast outdoors); urgency is bold.
            color = MaterialTheme.colorScheme.onSurface,
            style = MaterialTheme.typography.bodyLarge,
            fontWeight = if (risk == RiskColour.AMBER || risk == RiskColour.RED) FontWeight.Bold else FontWeight.Normal,
            modifier = Modifier.clearAndSetSemantics { },
        )
    }
}

/** A job's status in words, on a tinted pill. */
@Composable
fun StatusLabel(status: JobStatus, modifier: Modifier = Modifier) {
    Surface(
        color = MaterialTheme.colorScheme.secondaryContainer,
        contentColor = MaterialTheme.colorScheme.onSecondaryContainer,
        shape = MaterialTheme.shapes.small,
        border = BorderStroke(1.dp, MaterialTheme.colorScheme.outlineVariant),
        modifier = modifier,
    ) {
        Text(localized(status.labelRes()), Modifier.padding(horizontal = 10.dp, vertical = 4.dp), style = MaterialTheme.typography.labelMedium)
    }
}
