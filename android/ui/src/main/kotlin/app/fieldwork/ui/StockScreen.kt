@file:OptIn(ExperimentalLayoutApi::class)

package app.fieldwork.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedCard
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateMapOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import app.fieldwork.ffi.ReturnReasonRecord
import app.fieldwork.ffi.StockFlag
import app.fieldwork.ffi.StockLevelRecord
import app.fieldwork.ffi.TransferRecord
import app.fieldwork.ffi.VanStockRecord
import app.fieldwork.shell.PartNames
import app.fieldwork.shell.StockState
import app.fieldwork.shell.StockViewModel
import app.fieldwork.shell.UserMessage

/** What the technician does on the van stock screen. */
sealed interface StockEvent {
    data object Refresh : StockEvent

    /** What arrived of each part of a transfer, by SKU, as typed. */
    data class Receive(val transferId: String, val counts: Map<String, String>) : StockEvent

    /** What was found of each part in the van, by SKU, as typed. */
    data class Count(val counts: Map<String, String>) : StockEvent

    /** "Send back" on a part's row: its form opens. */
    data class OpenSendBack(val sku: String) : StockEvent
    data object CancelSendBack : StockEvent

    /** The "Send back" form as typed: quantity, why, serials (several separated by commas or spaces) and the job it came off. */
    data class SendBack(val sku: String, val qty: String, val reason: ReturnReasonRecord, val serials: String, val jobId: String) : StockEvent
}

@Composable
fun StockRoute(graph: ShellGraph, onBack: () -> Unit) {
    val vm = viewModel { StockViewModel(graph.repository) }
    val state by vm.state.collectAsStateWithLifecycle()
    StockScreen(state, graph.clock(), onBack) { event ->
        when (event) {
            StockEvent.Refresh -> vm.refresh()
            is StockEvent.Receive -> vm.receive(event.transferId, event.counts)
            is StockEvent.Count -> vm.count(event.counts)
            is StockEvent.OpenSendBack -> vm.startSendBack(event.sku)
            StockEvent.CancelSendBack -> vm.cancelSendBack()
            is StockEvent.SendBack -> vm.returnPart(event.sku, event.qty, event.reason, event.serials, event.jobId)
        }
    }
}

/** A part's name in the phone's language (the other language, then the SKU, if the catalogue lacks it). */
@Composable
fun partName(sku: String, zh: String, en: String): String {
    val chinese = currentLocale().language == "zh"
    val first = if (chinese) zh else en
    val second = if (chinese) en else zh
    return first.ifBlank { second }.ifBlank { sku }
}

@Composable
private fun partName(sku: String, names: Map<String, PartNames>): String {
    val n = names[sku]
    return partName(sku, n?.zh.orEmpty(), n?.en.orEmpty())
}

/** Which count is open over the screen ("Send back" is the view model's: it stays open until the core took it). */
private sealed interface StockDialog {
    data class CountIn(val transferId: String) : StockDialog
    data object CountVan : StockDialog
}

/**
 * The van's stock: what it holds (name, SKU, on hand with its unit, on the way, flags in words
 * and colour), deliveries on their way (from where, sent when on the phone's clock) each
 * counted in here, a count of the whole van in the bottom bar, a part sent back from its row
 * (with its serials and the job it came off), and what the office has not recorded or refused.
 * [nowMs]: the phone's clock (a delivery sent today shows its time, an older one its date too).
 */
@Composable
fun StockScreen(state: StockState, nowMs: Long, onBack: () -> Unit, onEvent: (StockEvent) -> Unit) {
    val stock = state.stock
    var dialog by remember { mutableStateOf<StockDialog?>(null) }
    val enabled = !state.saving
    FieldScreen(
        title = localized(R.string.stock_title),
        onBack = onBack,
        actions = {
            IconButton(onClick = { onEvent(StockEvent.Refresh) }, modifier = Modifier.size(48.dp)) {
                Icon(Icons.Filled.Refresh, contentDescription = localized(R.string.stock_refresh))
            }
        },
        bottomBar = {
            // While the "Send back" form is open, it says the message itself.
            ActionBar(above = { MessageBanner(state.message.takeIf { state.sendingBack == null }) }) {
                if (stock != null && stock.levels.isNotEmpty()) {
                    PrimaryAction(localized(R.string.stock_count), { dialog = StockDialog.CountVan }, Modifier.weight(1f), enabled = enabled)
                }
            }
        },
    ) { padding ->
        when {
            state.noVan -> NoVan(Modifier.padding(padding))
            stock != null -> StockContent(stock, state.names, nowMs, enabled, Modifier.padding(padding), show = { dialog = it }, sendBack = { onEvent(StockEvent.OpenSendBack(it)) })
            else -> Box(Modifier.padding(padding))
        }
    }
    if (stock != null) {
        when (val shown = dialog) {
            is StockDialog.CountIn -> stock.inTransit.firstOrNull { it.id == shown.transferId }?.let { transfer ->
                CountDialog(
                    title = localized(R.string.stock_count_in),
                    text = localized(R.string.stock_count_in_text),
                    lines = transfer.lines.map { Triple(it.sku, partName(it.sku, state.names), it.qty) },
                    onConfirm = { dialog = null; onEvent(StockEvent.Receive(transfer.id, it)) },
                    onDismiss = { dialog = null },
                )
            }
            StockDialog.CountVan -> CountDialog(
                title = localized(R.string.stock_count),
                text = localized(R.string.stock_count_text),
                lines = stock.levels.map { Triple(it.sku, partName(it.sku, it.nameZh, it.nameEn), it.qty.coerceAtLeast(0)) },
                onConfirm = { dialog = null; onEvent(StockEvent.Count(it)) },
                onDismiss = { dialog = null },
            )
            null -> Unit
        }
        state.sendingBack?.let { sku ->
            SendBackDialog(
                sku = sku,
                name = partName(sku, state.names),
                serialised = sku in state.serialised,
                message = state.message,
                serialsRefused = state.serialsRefused,
                enabled = enabled,
                onConfirm = { form -> onEvent(StockEvent.SendBack(sku, form.qty, form.reason, form.serials, form.jobId)) },
                onDismiss = { onEvent(StockEvent.CancelSendBack) },
            )
        }
    }
}

@Composable
private fun NoVan(modifier: Modifier) {
    Column(modifier.fillMaxSize().padding(FieldDimens.Margin), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(localized(R.string.stock_no_van_title), style = MaterialTheme.typography.titleLarge, modifier = Modifier.semantics { heading() })
        Text(localized(R.string.stock_no_van_text), style = MaterialTheme.typography.bodyLarge)
    }
}

@Composable
private fun StockContent(
    stock: VanStockRecord,
    names: Map<String, PartNames>,
    nowMs: Long,
    enabled: Boolean,
    modifier: Modifier,
    show: (StockDialog) -> Unit,
    sendBack: (String) -> Unit,
) {
    LazyColumn(
        modifier.fillMaxSize().testTag("stock-content"),
        contentPadding = PaddingValues(horizontal = FieldDimens.Margin, vertical = 12.dp),
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        item("van") {
            Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Text(localized(R.string.stock_van, stock.location), style = MaterialTheme.typography.titleLarge)
                if (stock.pending > 0u) {
                    Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                        Icon(Icons.Filled.Refresh, contentDescription = null, modifier = Modifier.size(18.dp))
                        Text(localized(R.string.stock_pending, stock.pending.toLong()), style = MaterialTheme.typography.bodyMedium)
                    }
                }
                for (refusal in stock.refused) {
                    Text(localized(R.string.stock_refused, refusal.id, refusal.error), color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyMedium)
                }
            }
        }
        if (stock.inTransit.isNotEmpty()) {
            item("on-the-way") { SectionTitle(localized(R.string.stock_on_the_way)) }
            items(stock.inTransit, key = { "transfer-" + it.id }) { transfer ->
                TransferCard(transfer, names, nowMs, enabled, countIn = { show(StockDialog.CountIn(transfer.id)) })
            }
        }
        item("in-van") { SectionTitle(localized(R.string.stock_in_van)) }
        if (stock.levels.isEmpty()) {
            item("empty") { Text(localized(R.string.stock_empty), style = MaterialTheme.typography.bodyLarge) }
        }
        items(stock.levels, key = { "level-" + it.sku }) { level ->
            LevelRow(level, enabled) { sendBack(level.sku) }
        }
    }
}

/** A delivery on its way: where from and when it was sent (the phone's clock), its parts, "Count in". */
@Composable
private fun TransferCard(transfer: TransferRecord, names: Map<String, PartNames>, nowMs: Long, enabled: Boolean, countIn: () -> Unit) {
    val from = localized(R.string.stock_transfer_from, transfer.from)
    val sent = localized(R.string.stock_transfer_sent, LocalClockFormat.current.timeOrDate(transfer.sentAtMs, nowMs))
    val described = localized(R.string.stock_count_in_described, transfer.from)
    OutlinedCard(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            // Where from, and right with it when it left.
            Column {
                Text(from, style = MaterialTheme.typography.titleSmall)
                Text(sent, Modifier.testTag(TRANSFER_SENT_TAG), style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
            }
            for (line in transfer.lines) {
                Text(localized(R.string.stock_transfer_line, line.qty, partName(line.sku, names), line.sku), style = MaterialTheme.typography.bodyLarge)
            }
            Button(onClick = countIn, enabled = enabled, modifier = Modifier.heightIn(min = 48.dp).semantics { contentDescription = described }) {
                Text(localized(R.string.stock_count_in))
            }
        }
    }
}

/** One part's level: name, SKU, on hand with its unit, on the way, its flags in words and colour. */
@Composable
private fun LevelRow(level: StockLevelRecord, enabled: Boolean, sendBack: () -> Unit) {
    val name = partName(level.sku, level.nameZh, level.nameEn)
    val sendBackLabel = localized(R.string.stock_send_back_described, name)
    Column(verticalArrangement = Arrangement.spacedBy(2.dp)) {
        Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Column(Modifier.weight(1f), verticalArrangement = Arrangement.spacedBy(2.dp)) {
                Text(name, style = MaterialTheme.typography.titleSmall)
                Text(level.sku, style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
                Text(
                    localized(R.string.stock_on_hand, level.qty, level.unit).trim(),
                    style = MaterialTheme.typography.bodyLarge,
                    color = if (level.qty < 0) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
                )
                if (level.inTransit > 0) Text(localized(R.string.stock_in_transit, level.inTransit), style = MaterialTheme.typography.bodyMedium)
            }
            OutlinedButton(
                onClick = sendBack,
                enabled = enabled && level.qty > 0,
                modifier = Modifier.heightIn(min = 48.dp).semantics { contentDescription = sendBackLabel },
            ) { Text(localized(R.string.stock_send_back)) }
        }
        // The flags across the whole width: the words and the jobs they concern, never cut short.
        for (flag in level.flags) FlagLine(flag, level.jobs)
    }
}

/** A flag for dispatch's eye, in words (with the jobs it concerns) and in the error colour. */
@Composable
private fun FlagLine(flag: StockFlag, jobs: List<String>) {
    val jobsText = jobs.joinToString(", ").ifEmpty { "–" }
    val text = when (flag) {
        StockFlag.BELOW_ZERO -> localized(R.string.stock_flag_below_zero, jobsText)
        StockFlag.SERIAL_USED_TWICE -> localized(R.string.stock_flag_serial_twice, jobsText)
    }
    Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(6.dp)) {
        Icon(Icons.Filled.Warning, contentDescription = null, tint = MaterialTheme.colorScheme.error, modifier = Modifier.size(18.dp))
        Text(text, color = MaterialTheme.colorScheme.error, fontWeight = FontWeight.Bold, style = MaterialTheme.typography.bodyMedium)
    }
}

/**
 * A quantity per part (SKU, name, prefilled quantity), editable, then confirmed: counting a
 * delivery in (prefilled with what was sent) or the whole van (prefilled with the level shown).
 */
@Composable
private fun CountDialog(title: String, text: String, lines: List<Triple<String, String, Long>>, onConfirm: (Map<String, String>) -> Unit, onDismiss: () -> Unit) {
    val counts = remember(lines) { mutableStateMapOf<String, String>().apply { lines.forEach { (sku, _, qty) -> put(sku, qty.toString()) } } }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(title) },
        text = {
            Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(text, style = MaterialTheme.typography.bodyLarge)
                for ((sku, name, _) in lines) {
                    OutlinedTextField(
                        counts[sku].orEmpty(), { counts[sku] = it }, Modifier.fillMaxWidth(),
                        label = { Text("$name ($sku)") }, singleLine = true,
                        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
                    )
                }
            }
        },
        confirmButton = {
            Button(onClick = { onConfirm(lines.associate { (sku, _, _) -> sku to counts[sku].orEmpty() }) }, modifier = Modifier.heightIn(min = 48.dp)) {
                Text(localized(R.string.stock_confirm))
            }
        },
        dismissButton = { TextButton(onClick = onDismiss, modifier = Modifier.heightIn(min = 48.dp)) { Text(localized(R.string.cancel)) } },
    )
}

/** The "Send back" form as typed. */
private data class SendBackForm(val qty: String, val reason: ReturnReasonRecord, val serials: String, val jobId: String)

/**
 * How many of a part go back to the warehouse, why, their serials (required, and said so, for
 * a part the catalogue tracks by serial) and the job it came off. The view model checks it: a
 * refusal is said here ([message]) and the form stays open with what was typed.
 */
@Composable
private fun SendBackDialog(
    sku: String,
    name: String,
    serialised: Boolean,
    message: UserMessage?,
    serialsRefused: Boolean,
    enabled: Boolean,
    onConfirm: (SendBackForm) -> Unit,
    onDismiss: () -> Unit,
) {
    var qty by rememberSaveable(sku) { mutableStateOf("1") }
    var reason by rememberSaveable(sku) { mutableStateOf(ReturnReasonRecord.UNUSED) }
    var serials by rememberSaveable(sku) { mutableStateOf("") }
    var jobId by rememberSaveable(sku) { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(localized(R.string.stock_send_back_described, name)) },
        text = {
            Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedTextField(
                    qty, { qty = it }, Modifier.fillMaxWidth(), label = { Text(localized(R.string.part_qty)) }, singleLine = true,
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
                )
                FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    for (r in ReturnReasonRecord.entries) {
                        FilterChip(selected = reason == r, onClick = { reason = r }, label = { Text(localized(r.labelRes())) }, modifier = Modifier.heightIn(min = 48.dp))
                    }
                }
                OutlinedTextField(
                    serials, { serials = it }, Modifier.fillMaxWidth(),
                    label = { Text(localized(if (serialised) R.string.stock_serials_required else R.string.stock_serials)) },
                    supportingText = { Text(localized(if (serialised) R.string.stock_serials_hint_required else R.string.stock_serials_hint)) },
                    isError = serialsRefused,
                )
                OutlinedTextField(jobId, { jobId = it }, Modifier.fillMaxWidth(), label = { Text(localized(R.string.stock_job)) }, singleLine = true)
                MessageBanner(message)
            }
        },
        confirmButton = {
            Button(onClick = { onConfirm(SendBackForm(qty, reason, serials, jobId)) }, enabled = enabled, modifier = Modifier.heightIn(min = 48.dp)) {
                Text(localized(R.string.stock_confirm))
            }
        },
        dismissButton = { TextButton(onClick = onDismiss, modifier = Modifier.heightIn(min = 48.dp)) { Text(localized(R.string.cancel)) } },
    )
}

/** The test tag of a delivery's "Sent ..." line: the office's clock says when, so the golden screenshots paint it over. */
const val TRANSFER_SENT_TAG = "transfer-sent"

private fun ReturnReasonRecord.labelRes(): Int = when (this) {
    ReturnReasonRecord.DEFECTIVE -> R.string.stock_reason_defective
    ReturnReasonRecord.UNUSED -> R.string.stock_reason_unused
    ReturnReasonRecord.REMOVED -> R.string.stock_reason_removed
}
