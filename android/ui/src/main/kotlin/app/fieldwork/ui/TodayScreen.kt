package app.fieldwork.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material3.ElevatedCard
import androidx.compose.material3.Icon
import androidx.compose.material3.IconToggleButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import app.fieldwork.shell.JobRow
import app.fieldwork.shell.TodayState
import app.fieldwork.shell.TodayViewModel
import java.time.ZoneId

@Composable
fun TodayRoute(graph: ShellGraph, highContrast: Boolean, onHighContrastChange: (Boolean) -> Unit, onOpen: (String) -> Unit, onStock: () -> Unit = {}) {
    val vm = viewModel { TodayViewModel(graph.repository, graph.clock, ZoneId.systemDefault(), SLA_TICK_MS) }
    val state by vm.state.collectAsStateWithLifecycle()
    TodayScreen(state, graph.clock(), highContrast, onHighContrastChange, onOpen, onStock)
}

/**
 * Today's jobs, the most urgent first as the core orders them: each card says the customer, the
 * job and the address, the SLA deadline with its risk in words, the status, and whether the
 * office has the latest changes.
 */
@Composable
fun TodayScreen(state: TodayState, nowMs: Long, highContrast: Boolean, onHighContrastChange: (Boolean) -> Unit, onOpen: (String) -> Unit, onStock: () -> Unit = {}) {
    FieldScreen(
        title = localized(R.string.today_title),
        onBack = null,
        actions = {
            // The van's stock: a labelled button, not an icon alone (one tap from the list).
            TextButton(onClick = onStock, modifier = Modifier.heightIn(min = 48.dp)) { Text(localized(R.string.stock_open)) }
            IconToggleButton(checked = highContrast, onCheckedChange = onHighContrastChange) {
                Icon(FieldIcons.Contrast, contentDescription = localized(R.string.high_contrast))
            }
        },
    ) { padding ->
        Column(Modifier.fillMaxSize().padding(padding)) {
            MessageBanner(state.message)
            if (!state.loading && state.rows.isEmpty()) {
                Text(localized(R.string.today_empty), Modifier.padding(FieldDimens.Margin), style = MaterialTheme.typography.bodyLarge)
            }
            LazyColumn(
                contentPadding = PaddingValues(FieldDimens.Margin),
                verticalArrangement = Arrangement.spacedBy(12.dp),
            ) {
                items(state.rows, key = { it.id }) { row -> JobCard(row, nowMs, onOpen = { onOpen(row.id) }) }
            }
        }
    }
}

@Composable
private fun JobCard(row: JobRow, nowMs: Long, onOpen: () -> Unit) {
    ElevatedCard(onClick = onOpen, modifier = Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(row.customerName, Modifier.weight(1f), style = MaterialTheme.typography.titleMedium)
                StatusLabel(row.status)
            }
            Text("${row.id} · ${row.siteAddress}", style = MaterialTheme.typography.bodyLarge, color = MaterialTheme.colorScheme.onSurfaceVariant)
            val due = if (row.slaMilestone != null && row.slaDueMs != null) {
                localized(R.string.sla_due, milestoneLabel(row.slaMilestone!!), LocalClockFormat.current.timeOrDate(row.slaDueMs!!, nowMs))
            } else {
                null
            }
            val words = row.slaWords?.let { slaWords(it) }
            if (words != null) RiskLine(row.risk, words, detail = due) else if (due != null) Text(due, style = MaterialTheme.typography.bodyLarge)
            if (row.pendingSync) {
                Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                    Icon(Icons.Filled.Refresh, contentDescription = null, modifier = Modifier.size(18.dp))
                    Text(localized(R.string.pending_sync), style = MaterialTheme.typography.bodyMedium)
                }
            }
            row.syncError?.let { Text(it, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyMedium) }
        }
    }
}
