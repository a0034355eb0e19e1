@file:OptIn(ExperimentalLayoutApi::class)

package app.fieldwork.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.clickable
import androidx.compose.foundation.gestures.awaitEachGesture
import androidx.compose.foundation.gestures.awaitFirstDown
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import app.fieldwork.ffi.CheckRecord
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.ReportLanguage
import app.fieldwork.ffi.ReportState
import app.fieldwork.ffi.TimeKind
import app.fieldwork.shell.EnrollmentViewModel
import app.fieldwork.shell.SlaRisk
import app.fieldwork.shell.SlaText
import app.fieldwork.shell.JobDetailViewModel
import app.fieldwork.shell.PhotoQueueViewModel
import app.fieldwork.shell.RiskColour
import app.fieldwork.shell.SlaPhrase
import app.fieldwork.shell.SlaWords
import app.fieldwork.shell.Signature
import app.fieldwork.shell.SigningViewModel
import app.fieldwork.shell.SyncStatusViewModel
import app.fieldwork.shell.TodayViewModel
import app.fieldwork.shell.UserMessage
import kotlinx.coroutines.launch
import java.text.DateFormat
import java.util.Date
import java.util.Locale

/** The whole app: enrollment first, then today's jobs -> a job -> its photos or the signature. */
@Composable
fun FieldworkRoot(graph: ShellGraph, actions: PlatformActions) {
    MaterialTheme {
        val enrollment = viewModel { EnrollmentViewModel(graph.repository, graph.deviceName, afterEnroll = graph.syncPolicy::syncNow) }
        val enrolled by enrollment.state.collectAsStateWithLifecycle()
        var route by rememberSaveable { mutableStateOf("today") }
        val back = { route = if (route.startsWith("job/")) "today" else "job/" + route.substringAfter('/') }
        PlatformBackHandler(enabled = route != "today", onBack = back)
        Scaffold(
            topBar = {
                Column {
                    SyncBar(graph)
                    if (enrolled.enrolled != null && route != "today") TextButton(onClick = back) { Text("‹ " + localized(R.string.back)) }
                }
            },
        ) { padding ->
            Box(Modifier.padding(padding).fillMaxSize()) {
                when {
                    enrolled.checking -> Unit
                    enrolled.enrolled == null -> EnrollmentScreen(enrollment)
                    route == "today" -> TodayScreen(graph) { route = "job/$it" }
                    route.startsWith("job/") -> JobScreen(graph, route.substringAfter('/'), onPhotos = { route = "photos/$it" }, onSign = { route = "sign/$it" }, onShare = actions::sharePdf)
                    route.startsWith("photos/") -> PhotosScreen(graph, actions, route.substringAfter('/'))
                    route.startsWith("sign/") -> SigningScreen(graph, route.substringAfter('/'))
                }
            }
        }
    }
}

@Composable
private fun Message(message: UserMessage?) {
    if (message != null) Text(message.text(), color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(8.dp))
}

@Composable
private fun SyncBar(graph: ShellGraph) {
    val vm = viewModel { SyncStatusViewModel(graph.repository, graph.syncPolicy) }
    val bar by vm.state.collectAsStateWithLifecycle()
    Surface(color = if (bar.problem != null || bar.refused.isNotEmpty()) MaterialTheme.colorScheme.errorContainer else MaterialTheme.colorScheme.surfaceVariant) {
        Column(Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 8.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                Text(localized(bar.headline.stringRes()), Modifier.weight(1f))
                if (bar.canRetry) TextButton(onClick = vm::syncNow) { Text(localized(R.string.retry)) }
            }
            bar.problem?.shownDetail?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
            bar.refused.forEach { Text("${it.jobId} · ${it.customerName}: ${it.reason}", style = MaterialTheme.typography.bodySmall) }
        }
    }
}

@Composable
private fun EnrollmentScreen(vm: EnrollmentViewModel) {
    val s by vm.state.collectAsStateWithLifecycle()
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(localized(R.string.enroll_title), style = MaterialTheme.typography.headlineSmall)
        OutlinedTextField(s.serverUrl, vm::onServerUrlChanged, label = { Text(localized(R.string.enroll_server)) }, singleLine = true, modifier = Modifier.fillMaxWidth())
        OutlinedTextField(s.code, vm::onCodeChanged, label = { Text(localized(R.string.enroll_code)) }, singleLine = true, modifier = Modifier.fillMaxWidth())
        OutlinedTextField(s.deviceName, vm::onDeviceNameChanged, label = { Text(localized(R.string.enroll_device_name)) }, singleLine = true, modifier = Modifier.fillMaxWidth())
        Message(s.message)
        Button(onClick = { vm.enroll() }, enabled = s.canSubmit) { Text(localized(R.string.enroll_submit)) }
    }
}

private fun RiskColour.color(): Color = when (this) {
    RiskColour.NONE -> Color.Transparent
    RiskColour.GREEN -> Color(0xFF2E7D32)
    RiskColour.AMBER -> Color(0xFFF9A825)
    RiskColour.RED -> Color(0xFFC62828)
}

/** "Overdue 20 min" and the like: the risk in words, beside its colour. */
@Composable
private fun slaWords(words: SlaWords): String = localized(
    when (words.phrase) {
        SlaPhrase.OVERDUE_MINUTES -> R.string.sla_overdue_minutes
        SlaPhrase.OVERDUE_HOURS -> R.string.sla_overdue_hours
        SlaPhrase.AT_RISK_MINUTES -> R.string.sla_at_risk_minutes
        SlaPhrase.AT_RISK_HOURS -> R.string.sla_at_risk_hours
        SlaPhrase.LEFT_MINUTES -> R.string.sla_left_minutes
        SlaPhrase.LEFT_HOURS -> R.string.sla_left_hours
    },
    words.amount,
)

private fun time(ms: Long): String = DateFormat.getTimeInstance(DateFormat.SHORT, Locale.getDefault()).format(Date(ms))

@Composable
private fun TodayScreen(graph: ShellGraph, onOpen: (String) -> Unit) {
    val vm = viewModel { TodayViewModel(graph.repository) }
    val s by vm.state.collectAsStateWithLifecycle()
    Column {
        Message(s.message)
        if (!s.loading && s.rows.isEmpty()) Text(localized(R.string.today_empty), Modifier.padding(16.dp))
        LazyColumn {
            items(s.rows, key = { it.id }) { row ->
                ListItem(
                    headlineContent = { Text("${row.customerName} · ${row.id}") },
                    supportingContent = {
                        Column {
                            Text(row.siteAddress)
                            if (row.slaMilestone != null && row.slaDueMs != null) Text(localized(R.string.sla_due, milestoneLabel(row.slaMilestone!!), time(row.slaDueMs!!)))
                            row.slaWords?.let { Text(slaWords(it), color = row.risk.color()) }
                            if (row.pendingSync) Text(localized(R.string.pending_sync), style = MaterialTheme.typography.bodySmall)
                            row.syncError?.let { Text(it, color = MaterialTheme.colorScheme.error) }
                        }
                    },
                    leadingContent = { Box(Modifier.size(14.dp).background(row.risk.color(), CircleShape)) },
                    trailingContent = { Text(localized(row.status.labelRes())) },
                    modifier = Modifier.clickable { onOpen(row.id) },
                )
            }
        }
    }
}

@Composable
private fun JobScreen(graph: ShellGraph, jobId: String, onPhotos: (String) -> Unit, onSign: (String) -> Unit, onShare: (String) -> Unit) {
    val vm = viewModel(key = "job-$jobId") { JobDetailViewModel(graph.repository, jobId) }
    val s by vm.state.collectAsStateWithLifecycle()
    val job = s.job
    if (job == null) {
        Message(s.message)
        return
    }
    var note by rememberSaveable(jobId) { mutableStateOf("") }
    var sku by rememberSaveable(jobId) { mutableStateOf("") }
    var serialIn by rememberSaveable(jobId) { mutableStateOf("") }
    var serialOut by rememberSaveable(jobId) { mutableStateOf("") }
    // The list scrolls; a refused edit's message stays in sight below it, next to the forms.
    Column(Modifier.fillMaxSize()) {
        LazyColumn(Modifier.weight(1f).padding(horizontal = 16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            item {
                Text("${job.customer.name} · ${job.id}", style = MaterialTheme.typography.titleLarge)
                if (job.customer.phone.isNotBlank()) Text(localized(R.string.job_customer_phone, job.customer.phone))
                Text(job.site.address)
                Text(listOf(job.asset.model, job.asset.serial).filter { it.isNotBlank() }.joinToString(" · "))
                Text(job.problem)
                Text(localized(job.status.labelRes()), style = MaterialTheme.typography.labelLarge)
                job.sla?.let { sla ->
                    sla.milestones.forEach { m ->
                        val risk = SlaRisk.of(m.state)
                        val words = SlaText.of(risk, m.minutesLeft)?.let { slaWords(it) } ?: localized(m.state.labelRes())
                        Text(localized(R.string.sla_milestone_line, milestoneLabel(m.kind.name.lowercase()), time(m.dueMs), words), color = risk.color())
                    }
                }
                if (s.pendingSync) Text(localized(R.string.pending_sync), style = MaterialTheme.typography.bodySmall)
                s.syncError?.let { Text(it, color = MaterialTheme.colorScheme.error) }
                FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    s.allowedStatuses.forEach { status -> Button(onClick = { vm.setStatus(status) }, enabled = !s.saving) { Text(localized(status.actionRes())) } }
                }
            }
            item { Text(localized(R.string.job_notes), style = MaterialTheme.typography.titleMedium) }
            items(job.notes, key = { it.id }) { Text("${authorLabel(it)}: ${it.text}") }
            item {
                Row(verticalAlignment = Alignment.CenterVertically) {
                    OutlinedTextField(note, { note = it }, Modifier.weight(1f).testTag("note-input"))
                    TextButton(onClick = { vm.addNote(note); note = "" }, enabled = note.isNotBlank()) { Text(localized(R.string.job_add_note)) }
                }
            }
            item { Text(localized(R.string.job_parts), style = MaterialTheme.typography.titleMedium) }
            items(job.parts, key = { it.id }) { Text(localized(R.string.part_line, it.qty.toInt(), it.sku, it.description, it.serialIn ?: "–", it.serialOut ?: "–")) }
            item {
                Row(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
                    OutlinedTextField(sku, { sku = it }, Modifier.weight(1f), label = { Text(localized(R.string.part_sku)) }, singleLine = true)
                    OutlinedTextField(serialIn, { serialIn = it }, Modifier.weight(1f), label = { Text(localized(R.string.part_serial_in)) }, singleLine = true)
                    OutlinedTextField(serialOut, { serialOut = it }, Modifier.weight(1f), label = { Text(localized(R.string.part_serial_out)) }, singleLine = true)
                }
                TextButton(onClick = { vm.addPart(sku, sku, 1, serialIn, serialOut); sku = ""; serialIn = ""; serialOut = "" }, enabled = sku.isNotBlank()) { Text(localized(R.string.part_add)) }
            }
            item { Text(localized(R.string.job_time), style = MaterialTheme.typography.titleMedium) }
            items(job.time, key = { it.id }) { Text(timeEntryText(it)) }
            item { TimeForm(jobId, enabled = !s.saving) { kind, from, to -> vm.addTimeToday(kind, from, to) } }
            item {
                Text(localized(R.string.job_diagnosis), style = MaterialTheme.typography.titleMedium)
                job.diagnosis?.let { d -> Text(listOfNotNull(localized(causeRes(d.cause.name)!!), d.faultCode, d.action).joinToString(" · ")) }
                DiagnosisForm(jobId, enabled = !s.saving, vm::saveDiagnosis)
            }
            item { Text(localized(R.string.job_loaners), style = MaterialTheme.typography.titleMedium) }
            items(job.loaners.filter { it.returnedAtMs == null }, key = { it.serial }) { loan ->
                Row(verticalAlignment = Alignment.CenterVertically) {
                    Text("${loan.serial} ${loan.model.orEmpty()}", Modifier.weight(1f))
                    TextButton(onClick = { vm.returnLoaner(loan.serial) }, enabled = !s.saving) { Text(localized(R.string.loaner_return)) }
                }
            }
            item { LoanerForm(jobId, enabled = !s.saving, vm::issueLoanerFromForm) }
            if (job.checklist.isNotEmpty()) {
                item { Text(localized(R.string.job_checklist), style = MaterialTheme.typography.titleMedium) }
                items(job.checklist, key = { it.item }) { check -> ChecklistRow(jobId, check, enabled = !s.saving, vm::recordCheck) }
            }
            item {
                FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    OutlinedButton(onClick = { onPhotos(jobId) }) { Text(localized(R.string.job_photos)) }
                    Button(onClick = { onSign(jobId) }) { Text(localized(R.string.job_sign)) }
                    if (job.report.state != ReportState.NONE) OutlinedButton(onClick = { onShare(jobId) }) { Text(localized(R.string.share_pdf)) }
                }
                if (job.report.state == ReportState.CHANGED_SINCE_SIGNED) Text(localized(R.string.report_changed_since_signed), color = MaterialTheme.colorScheme.error)
            }
        }
        Message(s.message)
    }
}

/** Travel or labour between two clock times today. The typed times are the only state kept here. */
@Composable
private fun TimeForm(jobId: String, enabled: Boolean, add: (TimeKind, String, String) -> Unit) {
    var kind by rememberSaveable(jobId) { mutableStateOf(TimeKind.LABOUR) }
    var from by rememberSaveable(jobId) { mutableStateOf("") }
    var to by rememberSaveable(jobId) { mutableStateOf("") }
    Column {
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            for (k in listOf(TimeKind.TRAVEL, TimeKind.LABOUR)) {
                FilterChip(selected = kind == k, onClick = { kind = k }, label = { Text(timeKindLabel(k.name.lowercase())) })
            }
        }
        Row(horizontalArrangement = Arrangement.spacedBy(4.dp), verticalAlignment = Alignment.CenterVertically) {
            OutlinedTextField(from, { from = it }, Modifier.weight(1f), label = { Text(localized(R.string.time_start)) }, singleLine = true)
            OutlinedTextField(to, { to = it }, Modifier.weight(1f), label = { Text(localized(R.string.time_end)) }, singleLine = true)
        }
        TextButton(onClick = { add(kind, from, to); from = ""; to = "" }, enabled = enabled && from.isNotBlank() && to.isNotBlank()) {
            Text(localized(R.string.time_add))
        }
    }
}

/** Cause (the contract's list, as chips), fault code and the action taken. */
@Composable
private fun DiagnosisForm(jobId: String, enabled: Boolean, save: (FaultCause?, String, String?) -> Unit) {
    var cause by rememberSaveable(jobId) { mutableStateOf<FaultCause?>(null) }
    var code by rememberSaveable(jobId) { mutableStateOf("") }
    var action by rememberSaveable(jobId) { mutableStateOf("") }
    Column {
        FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
            for (c in FaultCause.entries) {
                FilterChip(selected = cause == c, onClick = { cause = c }, label = { Text(localized(causeRes(c.name)!!)) })
            }
        }
        OutlinedTextField(code, { code = it }, Modifier.fillMaxWidth(), label = { Text(localized(R.string.diagnosis_fault_code)) }, singleLine = true)
        OutlinedTextField(action, { action = it }, Modifier.fillMaxWidth(), label = { Text(localized(R.string.diagnosis_action)) })
        TextButton(onClick = { save(cause, code, action) }, enabled = enabled) { Text(localized(R.string.diagnosis_save)) }
    }
}

@Composable
private fun LoanerForm(jobId: String, enabled: Boolean, issue: (String, String) -> Unit) {
    var serial by rememberSaveable(jobId) { mutableStateOf("") }
    var model by rememberSaveable(jobId) { mutableStateOf("") }
    Row(horizontalArrangement = Arrangement.spacedBy(4.dp), verticalAlignment = Alignment.CenterVertically) {
        OutlinedTextField(serial, { serial = it }, Modifier.weight(1f), label = { Text(localized(R.string.loaner_serial)) }, singleLine = true)
        OutlinedTextField(model, { model = it }, Modifier.weight(1f), label = { Text(localized(R.string.loaner_model)) }, singleLine = true)
    }
    TextButton(onClick = { issue(serial, model); serial = ""; model = "" }, enabled = enabled) { Text(localized(R.string.loaner_issue)) }
}

/** A checklist item: pass / fail, or a reading for items measured in a unit. */
@Composable
private fun ChecklistRow(jobId: String, check: CheckRecord, enabled: Boolean, record: (String, String, String?) -> Unit) {
    var reading by rememberSaveable(jobId, check.item) { mutableStateOf("") }
    Column {
        Text("${check.label}${check.unit?.let { " ($it)" }.orEmpty()}: ${check.result ?: "–"}")
        Row(verticalAlignment = Alignment.CenterVertically) {
            if (check.unit != null) {
                OutlinedTextField(reading, { reading = it }, Modifier.weight(1f), label = { Text(localized(R.string.check_value)) }, singleLine = true)
                TextButton(onClick = { record(check.item, reading, null); reading = "" }, enabled = enabled && reading.isNotBlank()) {
                    Text(localized(R.string.check_record))
                }
            } else {
                TextButton(onClick = { record(check.item, "pass", null) }, enabled = enabled) { Text(localized(R.string.check_pass)) }
                TextButton(onClick = { record(check.item, "fail", null) }, enabled = enabled) { Text(localized(R.string.check_fail)) }
            }
        }
    }
}

@Composable
private fun PhotosScreen(graph: ShellGraph, actions: PlatformActions, jobId: String) {
    val vm = viewModel(key = "photos-$jobId") { PhotoQueueViewModel(graph.repository, jobId) }
    val s by vm.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    // The preview is at most 360 dp tall, so the shutter stays on screen on a tablet or in landscape.
    Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        actions.CameraPreview(Modifier.heightIn(max = 360.dp).aspectRatio(3f / 4f, matchHeightConstraintsFirst = true))
        Button(onClick = { scope.launch { vm.addPhoto(actions.takePhoto()) } }, enabled = !s.adding) { Text(localized(R.string.job_photos)) }
        if (s.pendingUploads > 0) Text(localized(R.string.photos_pending, s.pendingUploads))
        Message(s.message)
        s.photos.forEach { Text("${it.caption ?: it.id.take(12)} · ${it.width}×${it.height}${if (it.uploaded) " ✓" else ""}") }
    }
}

@Composable
private fun SigningScreen(graph: ShellGraph, jobId: String) {
    val language = if (Locale.getDefault().language == "zh") ReportLanguage.ZH_CN else ReportLanguage.EN
    val vm = viewModel(key = "sign-$jobId") { SigningViewModel(graph.repository, jobId, 600, 200, language).also { it.preview() } }
    val s by vm.state.collectAsStateWithLifecycle()
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        s.preview?.let { p ->
            Text("${p.content.customer.name} · ${p.job}", style = MaterialTheme.typography.titleMedium)
            p.content.parts.forEach { Text("${it.qty} × ${it.sku} ${it.description}") }
            p.content.workDone.forEach { Text(it.text) }
        }
        SignaturePad(s.signature, vm)
        OutlinedTextField(s.signerName, vm::onSignerNameChanged, label = { Text(localized(R.string.sign_name)) }, singleLine = true, modifier = Modifier.fillMaxWidth())
        OutlinedTextField(s.signerRole, vm::onSignerRoleChanged, label = { Text(localized(R.string.sign_role)) }, singleLine = true, modifier = Modifier.fillMaxWidth())
        Message(s.message)
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedButton(onClick = vm::clearSignature) { Text(localized(R.string.sign_clear)) }
            Button(onClick = { vm.sign() }, enabled = s.canSign) { Text(localized(R.string.sign_submit)) }
        }
        OutlinedTextField(s.refusalReason, vm::onRefusalReasonChanged, label = { Text(localized(R.string.refuse_reason)) }, modifier = Modifier.fillMaxWidth())
        OutlinedButton(onClick = { vm.refuse() }, enabled = s.canRefuse) { Text(localized(R.string.refuse_submit)) }
        s.sealed?.let { Text("v${it.version} ${it.status} · ${it.sha256.take(12)}") }
    }
}

/** Pointer events in canvas units (the pad's W x H), pressure 0..1000, event time in uptime ms. */
@Composable
private fun SignaturePad(signature: Signature, vm: SigningViewModel) {
    val ink = MaterialTheme.colorScheme.onSurface
    Canvas(
        Modifier.fillMaxWidth().aspectRatio(signature.width.toFloat() / signature.height).border(1.dp, MaterialTheme.colorScheme.outline)
            .testTag("signature-pad")
            .pointerInput(vm) {
                awaitEachGesture {
                    val scale = signature.width / size.width.toFloat()
                    val down = awaitFirstDown()
                    vm.pointerDown(down.position.x * scale, down.position.y * scale, down.uptimeMillis, (down.pressure * 1000).toInt())
                    down.consume()
                    while (true) {
                        val event = awaitPointerEvent()
                        val change = event.changes.firstOrNull { it.id == down.id } ?: break
                        if (!change.pressed) break
                        vm.pointerMove(change.position.x * scale, change.position.y * scale, change.uptimeMillis, (change.pressure * 1000).toInt())
                        change.consume()
                    }
                    vm.pointerUp()
                }
            },
    ) {
        val k = size.width / signature.width
        for (stroke in signature.strokes) {
            val path = Path()
            stroke.forEachIndexed { i, p -> if (i == 0) path.moveTo(p.x * k, p.y * k) else path.lineTo(p.x * k, p.y * k) }
            drawPath(path, ink, style = Stroke(width = 3.dp.toPx()))
        }
    }
}
