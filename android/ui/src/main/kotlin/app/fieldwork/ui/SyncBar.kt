package app.fieldwork.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.WindowInsets
import androidx.compose.foundation.layout.WindowInsetsSides
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.only
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.safeDrawing
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.windowInsetsPadding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.CheckCircle
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.Icon
import androidx.compose.material3.LocalContentColor
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.compose.foundation.BorderStroke
import androidx.compose.material3.ButtonDefaults
import androidx.compose.ui.graphics.Color
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import app.fieldwork.shell.SyncBarState
import app.fieldwork.shell.SyncStatusViewModel
import app.fieldwork.shell.SyncTone

/** How often "last sent 2 min ago" is read again while the bar is shown. */
private const val SYNC_BAR_TICK_MS = 30_000L // "2 min ago" may be half a minute late, never more

@Composable
fun SyncBarRoute(graph: ShellGraph) {
    val vm = viewModel { SyncStatusViewModel(graph.repository, graph.syncPolicy, graph.clock, SYNC_BAR_TICK_MS) }
    val state by vm.state.collectAsStateWithLifecycle()
    SyncBar(state, onSendNow = vm::syncNow)
}

/**
 * Sync at a glance: what is happening (its own colour and icon: offline is a struck-out cloud
 * on a dark slate, never a colour alone), when the office last got this phone's work, how many
 * jobs wait to be sent, and "Send now".
 */
@Composable
fun SyncBar(state: SyncBarState, onSendNow: () -> Unit, modifier: Modifier = Modifier) {
    val colors = LocalFieldColors.current
    val scheme = MaterialTheme.colorScheme
    val (container, content, icon) = when (state.tone) {
        SyncTone.OFFLINE -> Triple(colors.offline, colors.onOffline, FieldIcons.CloudOff)
        SyncTone.PROBLEM -> Triple(scheme.errorContainer, scheme.onErrorContainer, Icons.Filled.Warning)
        SyncTone.PENDING -> Triple(colors.pending, colors.onPending, Icons.Filled.Refresh)
        SyncTone.UP_TO_DATE -> Triple(colors.upToDate, colors.onUpToDate, Icons.Filled.CheckCircle)
    }
    Surface(color = container, contentColor = content, modifier = modifier.fillMaxWidth().testTag("sync-bar")) {
        Column(
            Modifier
                .windowInsetsPadding(WindowInsets.safeDrawing.only(WindowInsetsSides.Top + WindowInsetsSides.Horizontal))
                .padding(start = 16.dp, end = 8.dp, top = 6.dp, bottom = 6.dp),
        ) {
            // Icon, headline and "Send now"; under them what was sent and what waits, the whole
            // width (at large font sizes nothing is squeezed into a narrow column).
            Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                Icon(icon, contentDescription = null, modifier = Modifier.size(28.dp))
                Column(Modifier.weight(1f).semantics(mergeDescendants = true) { liveRegion = LiveRegionMode.Polite }) { // read out when it changes
                    Text(localized(state.headline.stringRes()), style = MaterialTheme.typography.titleSmall)
                }
                OutlinedButton(
                    onClick = onSendNow,
                    enabled = state.canSendNow,
                    modifier = Modifier.heightIn(min = 48.dp),
                    contentPadding = PaddingValues(horizontal = 12.dp, vertical = 4.dp),
                    border = BorderStroke(1.5.dp, LocalContentColor.current),
                    colors = ButtonDefaults.outlinedButtonColors(contentColor = content, disabledContentColor = content.copy(alpha = 0.6f), containerColor = Color.Transparent),
                ) {
                    Text(localized(if (state.canRetry) R.string.retry else R.string.sync_send_now), style = MaterialTheme.typography.labelMedium)
                }
            }
            Text(details(state), Modifier.padding(start = 40.dp), style = MaterialTheme.typography.bodyMedium)
            state.problem?.shownDetail?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
            state.refused.forEach { Text("${it.jobId} · ${it.customerName}: ${it.reason}", style = MaterialTheme.typography.bodyMedium) }
        }
    }
}

/** "Last sent 2 min ago · Jobs waiting: 3". */
@Composable
private fun details(state: SyncBarState): String {
    val sent = state.lastSuccessAtMs?.let { localized(R.string.sync_last_sent, agoText(it, state.nowMs)) } ?: localized(R.string.sync_not_sent_yet)
    val waiting = if (state.pendingJobs > 0) localized(R.string.sync_jobs_waiting, state.pendingJobs) else null
    return listOfNotNull(sent, waiting).joinToString(" · ")
}
