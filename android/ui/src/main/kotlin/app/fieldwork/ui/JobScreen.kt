@file:OptIn(ExperimentalLayoutApi::class)

package app.fieldwork.ui

import androidx.compose.foundation.Image
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
import androidx.compose.foundation.lazy.LazyRow
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Call
import androidx.compose.material.icons.filled.Delete
import androidx.compose.material.icons.filled.Refresh
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
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clip
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import app.fieldwork.ffi.CheckRecord
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.JobDetailRecord
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.PartLineRecord
import app.fieldwork.ffi.PhotoRecord
import app.fieldwork.ffi.ProposedTimeRecord
import app.fieldwork.ffi.ReportState
import app.fieldwork.ffi.ReportStateRecord
import app.fieldwork.ffi.StockLevelRecord
import app.fieldwork.ffi.TimeKind
import app.fieldwork.shell.JobDetailState
import app.fieldwork.shell.JobDetailViewModel
import app.fieldwork.shell.SlaRisk
import app.fieldwork.shell.SlaText
import app.fieldwork.shell.VanScan
import androidx.compose.runtime.rememberCoroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.CancellationException
import java.time.LocalDate
import java.time.ZoneId

/** What the technician does on the job screen. */
sealed interface JobEvent {
    data class SetStatus(val status: JobStatus) : JobEvent
    data class AddNote(val text: String) : JobEvent
    data class AddPart(val sku: String, val description: String, val qty: String, val serialIn: String, val serialOut: String) : JobEvent
    data class RemovePart(val lineId: String) : JobEvent
    data class ConfirmTime(val proposal: ProposedTimeRecord) : JobEvent

    /** Travel or labour between two typed clock times on [day] (null: today). */
    data class AddTime(val kind: TimeKind, val day: LocalDate?, val from: String, val to: String) : JobEvent
    data class SaveDiagnosis(val cause: FaultCause?, val faultCode: String, val action: String) : JobEvent
    data class IssueLoaner(val serial: String, val model: String) : JobEvent
    data class ReturnLoaner(val serial: String) : JobEvent
    data class RecordCheck(val item: String, val result: String) : JobEvent
    data class Call(val phone: String) : JobEvent
    data object OpenPhotos : JobEvent
    data object Sign : JobEvent
    data object SharePdf : JobEvent
}

@Composable
fun JobRoute(graph: ShellGraph, actions: PlatformActions, jobId: String, onBack: () -> Unit, onPhotos: () -> Unit, onSign: () -> Unit) {
    val vm = viewModel { JobDetailViewModel(graph.repository, jobId, graph.clock, ZoneId.systemDefault(), SLA_TICK_MS) }
    val state by vm.state.collectAsStateWithLifecycle()
    JobScreen(state, graph.clock(), onBack, scan = actions::scanQr) { event ->
        when (event) {
            is JobEvent.SetStatus -> vm.setStatus(event.status)
            is JobEvent.AddNote -> vm.addNote(event.text)
            is JobEvent.AddPart -> vm.addPartFromForm(event.sku, event.description, event.qty, event.serialIn, event.serialOut)
            is JobEvent.RemovePart -> vm.removePart(event.lineId)
            is JobEvent.ConfirmTime -> vm.confirmProposedTime(event.proposal)
            is JobEvent.AddTime -> if (event.day == null) vm.addTimeToday(event.kind, event.from, event.to) else vm.addTimeOn(event.kind, event.day, event.from, event.to)
            is JobEvent.SaveDiagnosis -> vm.saveDiagnosis(event.cause, event.faultCode, event.action)
            is JobEvent.IssueLoaner -> vm.issueLoanerFromForm(event.serial, event.model)
            is JobEvent.ReturnLoaner -> vm.returnLoaner(event.serial)
            is JobEvent.RecordCheck -> vm.recordCheck(event.item, event.result)
            is JobEvent.Call -> actions.dial(event.phone)
            JobEvent.OpenPhotos -> onPhotos()
            JobEvent.Sign -> onSign()
            JobEvent.SharePdf -> actions.sharePdf(jobId)
        }
    }
}

/**
 * One job on site. The content scrolls (the job, then notes, parts, time, diagnosis, loaners,
 * checklist, photos, the report); the next status steps stay in the bottom bar, with a refused
 * edit's message right above them. "Complete" asks first: the customer's signature is the
 * usual way to complete, and completing without it is a deliberate second choice.
 */
@Composable
fun JobScreen(
    state: JobDetailState,
    nowMs: Long,
    onBack: () -> Unit,
    /** The camera reading a serial or part number's barcode (null: type only). */
    scan: (suspend () -> String?)? = null,
    onEvent: (JobEvent) -> Unit,
) {
    val job = state.job
    var confirmComplete by rememberSaveable { mutableStateOf(false) }
    FieldScreen(
        title = localized(R.string.job_title, state.jobId),
        onBack = onBack,
        bottomBar = {
            if (job != null) {
                JobActionBar(state, job, onComplete = { confirmComplete = true }, onEvent)
            } else {
                ActionBar(above = { MessageBanner(state.message) }) {}
            }
        },
    ) { padding ->
        if (job != null) JobContent(state, job, nowMs, Modifier.padding(padding), scan, onEvent) else Box(Modifier.padding(padding))
    }
    if (confirmComplete) {
        CompleteDialog(
            onSign = { confirmComplete = false; onEvent(JobEvent.Sign) },
            onCompleteUnsigned = { confirmComplete = false; onEvent(JobEvent.SetStatus(JobStatus.COMPLETED)) },
            onDismiss = { confirmComplete = false },
        )
    }
}

/** The statuses the core offers next (the main one on the right, under the thumb); after completion, the report's actions. */
@Composable
private fun JobActionBar(state: JobDetailState, job: JobDetailRecord, onComplete: () -> Unit, onEvent: (JobEvent) -> Unit) {
    val offered = state.allowedStatuses
    val reportOpen = job.report.state == ReportState.NONE || job.report.state == ReportState.CHANGED_SINCE_SIGNED
    ActionBar(above = { MessageBanner(state.message) }) {
        if (offered.isNotEmpty()) {
            // The visit's next step is the main action, on the right under the thumb; a hold
            // (or anything else offered) comes before it, outlined.
            val main = offered.firstOrNull { it != JobStatus.ON_HOLD } ?: offered.first()
            offered.filter { it != main }.forEach { status ->
                SecondaryAction(localized(status.actionRes()), { statusTapped(status, onComplete, onEvent) }, Modifier.weight(1f), enabled = !state.saving)
            }
            PrimaryAction(localized(main.actionRes()), { statusTapped(main, onComplete, onEvent) }, Modifier.weight(1f), enabled = !state.saving)
        } else if (job.status == JobStatus.COMPLETED) {
            if (job.report.state != ReportState.NONE) SecondaryAction(localized(R.string.share_pdf), { onEvent(JobEvent.SharePdf) }, Modifier.weight(1f))
            if (reportOpen) PrimaryAction(localized(R.string.job_sign), { onEvent(JobEvent.Sign) }, Modifier.weight(1f))
        }
    }
}

private fun statusTapped(status: JobStatus, onComplete: () -> Unit, onEvent: (JobEvent) -> Unit) =
    if (status == JobStatus.COMPLETED) onComplete() else onEvent(JobEvent.SetStatus(status))

@Composable
private fun CompleteDialog(onSign: () -> Unit, onCompleteUnsigned: () -> Unit, onDismiss: () -> Unit) {
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(localized(R.string.complete_title)) },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
                Text(localized(R.string.complete_text), style = MaterialTheme.typography.bodyLarge)
                PrimaryAction(localized(R.string.complete_with_signature), onSign, Modifier.fillMaxWidth())
                SecondaryAction(localized(R.string.complete_without_signature), onCompleteUnsigned, Modifier.fillMaxWidth())
            }
        },
        confirmButton = {},
        dismissButton = { TextButton(onClick = onDismiss, modifier = Modifier.heightIn(min = 48.dp)) { Text(localized(R.string.cancel)) } },
    )
}

@Composable
private fun JobContent(
    state: JobDetailState,
    job: JobDetailRecord,
    nowMs: Long,
    modifier: Modifier,
    scan: (suspend () -> String?)?,
    onEvent: (JobEvent) -> Unit,
) {
    val enabled = !state.saving
    val clock = LocalClockFormat.current
    // The time form is filled by "Edit" on a proposed time, so its fields live here.
    var timeKind by rememberSaveable(job.id) { mutableStateOf(TimeKind.LABOUR) }
    var timeDay by rememberSaveable(job.id) { mutableStateOf<String?>(null) } // ISO date of an edited proposal; null: today
    var timeFrom by rememberSaveable(job.id) { mutableStateOf("") }
    var timeTo by rememberSaveable(job.id) { mutableStateOf("") }

    LazyColumn(
        modifier.fillMaxSize().testTag("job-content"),
        contentPadding = PaddingValues(horizontal = FieldDimens.Margin, vertical = 12.dp),
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        item("header") { JobHeader(state, job, nowMs, onEvent) }

        item("notes-title") { SectionTitle(localized(R.string.job_notes)) }
        items(job.notes, key = { "note-" + it.id }) { Text("${authorLabel(it)}: ${it.text}", style = MaterialTheme.typography.bodyLarge) }
        item("note-form") { NoteForm(job.id, enabled) { onEvent(JobEvent.AddNote(it)) } }

        item("parts-title") { SectionTitle(localized(R.string.job_parts)) }
        items(job.parts, key = { "part-" + it.id }) { PartRow(it, enabled) { onEvent(JobEvent.RemovePart(it.id)) } }
        item("part-form") { PartForm(job.id, enabled, scan, state.vanParts, onEvent) }

        item("time-title") { SectionTitle(localized(R.string.job_time)) }
        items(state.proposedTimes, key = { "proposal-${it.kind}-${it.startMs}" }) { proposal ->
            ProposalCard(
                proposal, enabled,
                onConfirm = { onEvent(JobEvent.ConfirmTime(proposal)) },
                onEdit = {
                    timeKind = proposal.kind
                    timeDay = clock.day(proposal.startMs).takeIf { it != clock.day(nowMs) }?.toString()
                    timeFrom = clock.field(proposal.startMs)
                    timeTo = clock.field(proposal.endMs)
                },
            )
        }
        items(job.time, key = { "time-" + it.id }) { Text(timeEntryText(it), style = MaterialTheme.typography.bodyLarge) }
        item("time-form") {
            TimeForm(
                kind = timeKind, day = timeDay, from = timeFrom, to = timeTo, enabled = enabled,
                onKind = { timeKind = it }, onFrom = { timeFrom = it }, onTo = { timeTo = it },
                onAdd = {
                    onEvent(JobEvent.AddTime(timeKind, timeDay?.let(LocalDate::parse), timeFrom, timeTo))
                    timeFrom = ""
                    timeTo = ""
                    timeDay = null
                },
            )
        }

        item("diagnosis") {
            Column {
                SectionTitle(localized(R.string.job_diagnosis))
                job.diagnosis?.let { d ->
                    Text(listOfNotNull(localized(causeRes(d.cause.name)!!), d.faultCode, d.action).joinToString(" · "), style = MaterialTheme.typography.bodyLarge)
                }
                DiagnosisForm(job.id, enabled) { cause, code, action -> onEvent(JobEvent.SaveDiagnosis(cause, code, action)) }
            }
        }

        item("loaners-title") { SectionTitle(localized(R.string.job_loaners)) }
        items(job.loaners.filter { it.returnedAtMs == null }, key = { "loaner-" + it.serial }) { loan ->
            Row(verticalAlignment = Alignment.CenterVertically) {
                Text("${loan.serial} ${loan.model.orEmpty()}", Modifier.weight(1f), style = MaterialTheme.typography.bodyLarge)
                OutlinedButton(onClick = { onEvent(JobEvent.ReturnLoaner(loan.serial)) }, enabled = enabled, modifier = Modifier.heightIn(min = 48.dp)) {
                    Text(localized(R.string.loaner_return))
                }
            }
        }
        item("loaner-form") { LoanerForm(job.id, enabled) { serial, model -> onEvent(JobEvent.IssueLoaner(serial, model)) } }

        if (job.checklist.isNotEmpty()) {
            item("checklist-title") { SectionTitle(localized(R.string.job_checklist)) }
            items(job.checklist, key = { "check-" + it.item }) { check -> ChecklistRow(job.id, check, enabled) { item, result -> onEvent(JobEvent.RecordCheck(item, result)) } }
        }

        item("photos") { PhotoStrip(job.photos, state.thumbnails) { onEvent(JobEvent.OpenPhotos) } }
        item("report") { ReportSection(job.report, job.status, onEvent) }
    }
}

@Composable
private fun JobHeader(state: JobDetailState, job: JobDetailRecord, nowMs: Long, onEvent: (JobEvent) -> Unit) {
    val clock = LocalClockFormat.current
    Column(verticalArrangement = Arrangement.spacedBy(6.dp)) {
        // The status under the name, not beside it: a long name at a large font keeps its width.
        Text(job.customer.name, style = MaterialTheme.typography.titleLarge)
        StatusLabel(job.status)
        Text(job.problem, style = MaterialTheme.typography.bodyLarge)
        Text(job.site.address, style = MaterialTheme.typography.bodyLarge, color = MaterialTheme.colorScheme.onSurfaceVariant)
        val asset = listOf(job.asset.model, job.asset.serial).filter { it.isNotBlank() }.joinToString(" · ")
        if (asset.isNotEmpty()) Text(asset, style = MaterialTheme.typography.bodyLarge, color = MaterialTheme.colorScheme.onSurfaceVariant)
        if (job.customer.phone.isNotBlank()) {
            // One tap to the dialler, the number filled in.
            SecondaryAction(localized(R.string.job_call, job.customer.phone), { onEvent(JobEvent.Call(job.customer.phone)) }, icon = Icons.Filled.Call)
        }
        job.sla?.milestones?.forEach { m ->
            val risk = SlaRisk.of(m.state)
            val words = SlaText.of(risk, m.minutesLeft)?.let { slaWords(it) } ?: localized(m.state.labelRes())
            RiskLine(risk, words, detail = localized(R.string.sla_milestone_by, milestoneLabel(m.kind.name.lowercase()), clock.timeOrDate(m.dueMs, nowMs)))
        }
        if (state.pendingSync) {
            Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                Icon(Icons.Filled.Refresh, contentDescription = null, modifier = Modifier.size(18.dp))
                Text(localized(R.string.pending_sync), style = MaterialTheme.typography.bodyMedium)
            }
        }
        state.syncError?.let { Text(it, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyMedium) }
    }
}

@Composable
private fun NoteForm(jobId: String, enabled: Boolean, add: (String) -> Unit) {
    var note by rememberSaveable(jobId) { mutableStateOf("") }
    Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        OutlinedTextField(note, { note = it }, Modifier.weight(1f).testTag("note-input"), label = { Text(localized(R.string.note_label)) })
        Button(onClick = { add(note); note = "" }, enabled = enabled && note.isNotBlank(), modifier = Modifier.heightIn(min = 48.dp)) {
            Text(localized(R.string.job_add_note))
        }
    }
}

/** A part line: quantity, part number and description, the serials; removable only by the technician who added it. */
@Composable
private fun PartRow(part: PartLineRecord, enabled: Boolean, remove: () -> Unit) {
    Row(verticalAlignment = Alignment.CenterVertically) {
        Column(Modifier.weight(1f)) {
            Text(localized(R.string.part_line_head, part.qty.toInt(), part.sku), style = MaterialTheme.typography.titleSmall)
            if (part.description.isNotBlank()) Text(part.description, style = MaterialTheme.typography.bodyLarge)
            if (part.serialIn != null || part.serialOut != null) {
                Text(localized(R.string.part_serials, part.serialIn ?: "–", part.serialOut ?: "–"), style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
            }
        }
        if (part.removable) {
            IconButton(onClick = remove, enabled = enabled, modifier = Modifier.size(56.dp)) {
                Icon(Icons.Filled.Delete, contentDescription = localized(R.string.part_remove, part.sku))
            }
        }
    }
}

@Composable
private fun PartForm(jobId: String, enabled: Boolean, scan: (suspend () -> String?)?, vanParts: List<StockLevelRecord>, onEvent: (JobEvent) -> Unit) {
    var sku by rememberSaveable(jobId) { mutableStateOf("") }
    var qty by rememberSaveable(jobId) { mutableStateOf("1") }
    var description by rememberSaveable(jobId) { mutableStateOf("") }
    var serialIn by rememberSaveable(jobId) { mutableStateOf("") }
    var serialOut by rememberSaveable(jobId) { mutableStateOf("") }
    var scanFailed by rememberSaveable(jobId) { mutableStateOf(false) }
    var pickFromVan by rememberSaveable(jobId) { mutableStateOf(false) }
    // A serial scanned in the van picker, said there until a part is picked.
    var scannedSerial by rememberSaveable(jobId) { mutableStateOf<String?>(null) }
    val scope = rememberCoroutineScope()
    // The camera's reading, then [use] of it; a scanner that fails says so (under the form, and
    // in the van picker); the fields can still be typed.
    fun scanThen(read: suspend () -> String?, use: (String) -> Unit) {
        scope.launch {
            scanFailed = false
            try {
                read()?.let(use)
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                scanFailed = true
            }
        }
    }
    // A "Scan" button in a field: the camera's reading replaces what is typed there.
    val scanInto: (@Composable (String, (String) -> Unit) -> Unit)? = scan?.let { read ->
        { what, set ->
            val label = localized(R.string.part_scan_into, what)
            TextButton(
                onClick = { scanThen(read, set) },
                enabled = enabled,
                modifier = Modifier.semantics { contentDescription = label },
            ) { Text(localized(R.string.part_scan)) }
        }
    }
    if (pickFromVan) {
        val names = vanParts.associate { it.sku to partName(it.sku, it.nameZh, it.nameEn) }
        val closePicker = { pickFromVan = false; scannedSerial = null }
        val pick = { picked: StockLevelRecord ->
            closePicker()
            sku = picked.sku
            description = names[picked.sku] ?: picked.sku
        }
        // Scanning straight into the picker: the view model says whether the code is the part
        // number of a part in the van (picked) or the fitted part's serial (filled in; the
        // technician then picks its part).
        val scanVan = scan?.let { read ->
            {
                scanThen(read) { text ->
                    when (val found = JobDetailViewModel.vanScan(text, vanParts)) {
                        is VanScan.Part -> pick(found.level)
                        is VanScan.Serial -> {
                            serialIn = found.serial
                            scannedSerial = found.serial
                        }
                        VanScan.Empty -> Unit
                    }
                }
            }
        }
        VanPartPicker(vanParts, names, scannedSerial, scanFailed, onScan = scanVan, onDismiss = closePicker, onPick = pick)
    }
    Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
        // The part chosen from what the van holds: fills the part number and the description.
        if (vanParts.isNotEmpty()) {
            OutlinedButton(onClick = { pickFromVan = true }, enabled = enabled, modifier = Modifier.heightIn(min = 48.dp)) {
                Text(localized(R.string.part_from_van))
            }
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            val skuLabel = localized(R.string.part_sku)
            OutlinedTextField(
                sku, { sku = it }, Modifier.weight(2f), label = { Text(skuLabel) }, singleLine = true,
                trailingIcon = scanInto?.let { button -> { button(skuLabel) { sku = it } } },
            )
            OutlinedTextField(
                qty, { qty = it }, Modifier.weight(1f), label = { Text(localized(R.string.part_qty)) }, singleLine = true,
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
            )
        }
        OutlinedTextField(description, { description = it }, Modifier.fillMaxWidth(), label = { Text(localized(R.string.part_description)) }, singleLine = true)
        val inLabel = localized(R.string.part_serial_in)
        val outLabel = localized(R.string.part_serial_out)
        OutlinedTextField(
            serialIn, { serialIn = it }, Modifier.fillMaxWidth(), label = { Text(inLabel) }, singleLine = true,
            trailingIcon = scanInto?.let { button -> { button(inLabel) { serialIn = it } } },
        )
        OutlinedTextField(
            serialOut, { serialOut = it }, Modifier.fillMaxWidth(), label = { Text(outLabel) }, singleLine = true,
            trailingIcon = scanInto?.let { button -> { button(outLabel) { serialOut = it } } },
        )
        if (scanFailed) Text(localized(R.string.part_scan_failed), color = MaterialTheme.colorScheme.error)
        Button(
            onClick = {
                onEvent(JobEvent.AddPart(sku, description, qty, serialIn, serialOut))
                sku = ""; qty = "1"; description = ""; serialIn = ""; serialOut = ""
            },
            enabled = enabled && sku.isNotBlank(),
            modifier = Modifier.heightIn(min = 48.dp),
        ) { Text(localized(R.string.part_add)) }
    }
}

/**
 * The van's parts with what is on hand; picking one fills the part form's part number and
 * description. With a camera, [onScan] reads a label: a part number picks its part, a serial
 * fills the serial fitted and is said here ([scannedSerial]) until its part is picked.
 */
@Composable
private fun VanPartPicker(
    parts: List<StockLevelRecord>,
    names: Map<String, String>,
    scannedSerial: String?,
    scanFailed: Boolean,
    onScan: (() -> Unit)?,
    onDismiss: () -> Unit,
    onPick: (StockLevelRecord) -> Unit,
) {
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(localized(R.string.part_from_van_title)) },
        text = {
            LazyColumn(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                if (onScan != null) {
                    item("picker:scan") {
                        OutlinedButton(onClick = onScan, modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp)) {
                            Text(localized(R.string.part_from_van_scan))
                        }
                    }
                }
                if (scannedSerial != null) {
                    item("picker:scanned") { Text(localized(R.string.part_from_van_scanned, scannedSerial), style = MaterialTheme.typography.bodyLarge) }
                }
                if (scanFailed) {
                    item("picker:scan-failed") { Text(localized(R.string.part_scan_failed), color = MaterialTheme.colorScheme.error) }
                }
                // A part's key is its SKU, which has no ':' (the keys above do).
                items(parts, key = { it.sku }) { part ->
                    val name = names[part.sku] ?: part.sku
                    TextButton(onClick = { onPick(part) }, modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp)) {
                        Text(localized(R.string.part_from_van_row, name, part.sku, part.qty, part.unit).trim(), Modifier.fillMaxWidth(), style = MaterialTheme.typography.bodyLarge)
                    }
                }
            }
        },
        confirmButton = {},
        dismissButton = { TextButton(onClick = onDismiss, modifier = Modifier.heightIn(min = 48.dp)) { Text(localized(R.string.cancel)) } },
    )
}

/** A travel or labour time the core read from the status changes: confirm it as it is, or edit it in the form below. */
@Composable
private fun ProposalCard(proposal: ProposedTimeRecord, enabled: Boolean, onConfirm: () -> Unit, onEdit: () -> Unit) {
    val span = timeSpanText(proposal.kind, proposal.startMs, proposal.endMs)
    // Said with the span they act on: "Confirm Travel: 08:00 – 08:35 (35 min)", not one of several "Confirm".
    val editLabel = localized(R.string.time_edit_described, span)
    val confirmLabel = localized(R.string.time_confirm_described, span)
    OutlinedCard(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            Text(localized(R.string.time_proposed), style = MaterialTheme.typography.labelMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
            Text(span, style = MaterialTheme.typography.bodyLarge)
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedButton(onClick = onEdit, enabled = enabled, modifier = Modifier.heightIn(min = 48.dp).semantics { contentDescription = editLabel }) {
                    Text(localized(R.string.time_edit))
                }
                Button(onClick = onConfirm, enabled = enabled, modifier = Modifier.heightIn(min = 48.dp).semantics { contentDescription = confirmLabel }) {
                    Text(localized(R.string.time_confirm))
                }
            }
        }
    }
}

/** Travel or labour between two clock times (24-hour, as typed), today or on an edited proposal's day. */
@Composable
private fun TimeForm(
    kind: TimeKind,
    day: String?,
    from: String,
    to: String,
    enabled: Boolean,
    onKind: (TimeKind) -> Unit,
    onFrom: (String) -> Unit,
    onTo: (String) -> Unit,
    onAdd: () -> Unit,
) {
    Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            for (k in listOf(TimeKind.TRAVEL, TimeKind.LABOUR)) {
                FilterChip(selected = kind == k, onClick = { onKind(k) }, label = { Text(timeKindLabel(k)) }, modifier = Modifier.heightIn(min = 48.dp))
            }
        }
        if (day != null) Text(localized(R.string.time_on_day, day), style = MaterialTheme.typography.bodyMedium)
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedTextField(from, onFrom, Modifier.weight(1f), label = { Text(localized(R.string.time_start)) }, singleLine = true)
            OutlinedTextField(to, onTo, Modifier.weight(1f), label = { Text(localized(R.string.time_end)) }, singleLine = true)
        }
        Button(onClick = onAdd, enabled = enabled && from.isNotBlank() && to.isNotBlank(), modifier = Modifier.heightIn(min = 48.dp)) {
            Text(localized(R.string.time_add))
        }
    }
}

/** Cause (the contract's list, as chips), fault code and the action taken. */
@Composable
private fun DiagnosisForm(jobId: String, enabled: Boolean, save: (FaultCause?, String, String) -> Unit) {
    var cause by rememberSaveable(jobId) { mutableStateOf<FaultCause?>(null) }
    var code by rememberSaveable(jobId) { mutableStateOf("") }
    var action by rememberSaveable(jobId) { mutableStateOf("") }
    Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
        FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            for (c in FaultCause.entries) {
                FilterChip(selected = cause == c, onClick = { cause = c }, label = { Text(localized(causeRes(c.name)!!)) }, modifier = Modifier.heightIn(min = 48.dp))
            }
        }
        OutlinedTextField(code, { code = it }, Modifier.fillMaxWidth(), label = { Text(localized(R.string.diagnosis_fault_code)) }, singleLine = true)
        OutlinedTextField(action, { action = it }, Modifier.fillMaxWidth(), label = { Text(localized(R.string.diagnosis_action)) })
        Button(onClick = { save(cause, code, action) }, enabled = enabled, modifier = Modifier.heightIn(min = 48.dp)) { Text(localized(R.string.diagnosis_save)) }
    }
}

@Composable
private fun LoanerForm(jobId: String, enabled: Boolean, issue: (String, String) -> Unit) {
    var serial by rememberSaveable(jobId) { mutableStateOf("") }
    var model by rememberSaveable(jobId) { mutableStateOf("") }
    Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
        OutlinedTextField(serial, { serial = it }, Modifier.fillMaxWidth(), label = { Text(localized(R.string.loaner_serial)) }, singleLine = true)
        OutlinedTextField(model, { model = it }, Modifier.fillMaxWidth(), label = { Text(localized(R.string.loaner_model)) }, singleLine = true)
        Button(onClick = { issue(serial, model); serial = ""; model = "" }, enabled = enabled, modifier = Modifier.heightIn(min = 48.dp)) {
            Text(localized(R.string.loaner_issue))
        }
    }
}

/** A checklist item: pass / fail, or a reading for items measured in a unit. */
@Composable
private fun ChecklistRow(jobId: String, check: CheckRecord, enabled: Boolean, record: (String, String) -> Unit) {
    var reading by rememberSaveable(jobId, check.item) { mutableStateOf("") }
    Column {
        Text("${check.label}${check.unit?.let { " ($it)" }.orEmpty()}: ${check.result ?: "–"}", style = MaterialTheme.typography.bodyLarge)
        Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            if (check.unit != null) {
                OutlinedTextField(reading, { reading = it }, Modifier.weight(1f), label = { Text(localized(R.string.check_value)) }, singleLine = true)
                OutlinedButton(onClick = { record(check.item, reading); reading = "" }, enabled = enabled && reading.isNotBlank(), modifier = Modifier.heightIn(min = 48.dp)) {
                    Text(localized(R.string.check_record))
                }
            } else {
                OutlinedButton(onClick = { record(check.item, "pass") }, enabled = enabled, modifier = Modifier.heightIn(min = 48.dp)) { Text(localized(R.string.check_pass)) }
                OutlinedButton(onClick = { record(check.item, "fail") }, enabled = enabled, modifier = Modifier.heightIn(min = 48.dp)) { Text(localized(R.string.check_fail)) }
            }
        }
    }
}

/** The photos' thumbnails in a row, and the way to the camera. */
@Composable
private fun PhotoStrip(photos: List<PhotoRecord>, thumbnails: Map<String, ByteArray>, open: () -> Unit) {
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        SectionTitle(localized(R.string.job_photos))
        if (photos.isNotEmpty()) {
            LazyRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                items(photos, key = { it.id }) { photo ->
                    Thumbnail(thumbnails[photo.id], photo.caption ?: localized(R.string.photo_untitled), Modifier.size(96.dp))
                }
            }
        }
        SecondaryAction(localized(R.string.photos_open), open, icon = FieldIcons.Camera)
    }
}

/** A photo's thumbnail (decoded once per picture), or a grey tile while the phone does not hold it. */
@Composable
fun Thumbnail(jpeg: ByteArray?, description: String, modifier: Modifier = Modifier) {
    val image = remember(jpeg) { jpeg?.let(::decodeImage) }
    val shape = RoundedCornerShape(8.dp)
    if (image != null) {
        Image(image, contentDescription = description, modifier = modifier.clip(shape), contentScale = ContentScale.Crop)
    } else {
        Box(modifier.clip(shape).padding(0.dp), contentAlignment = Alignment.Center) {
            androidx.compose.material3.Surface(color = MaterialTheme.colorScheme.surfaceVariant, modifier = Modifier.fillMaxSize()) {}
            Icon(FieldIcons.Camera, contentDescription = description, tint = MaterialTheme.colorScheme.onSurfaceVariant)
        }
    }
}

@Composable
private fun ReportSection(report: ReportStateRecord, status: JobStatus, onEvent: (JobEvent) -> Unit) {
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        SectionTitle(localized(R.string.job_report))
        val version = report.version?.toInt() ?: 0
        val text = when (report.state) {
            ReportState.NONE -> localized(R.string.report_none)
            ReportState.SIGNED -> localized(R.string.report_signed, version)
            ReportState.REFUSED -> localized(R.string.report_refused, version)
            ReportState.CHANGED_SINCE_SIGNED -> localized(R.string.report_changed_since_signed)
        }
        Text(
            text,
            style = MaterialTheme.typography.bodyLarge,
            color = if (report.state == ReportState.CHANGED_SINCE_SIGNED) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
        )
        FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            if (status != JobStatus.CANCELLED) PrimaryAction(localized(R.string.job_sign), { onEvent(JobEvent.Sign) })
            if (report.state != ReportState.NONE) SecondaryAction(localized(R.string.share_pdf), { onEvent(JobEvent.SharePdf) })
        }
    }
}
