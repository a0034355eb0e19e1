package app.fieldwork.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.gestures.awaitEachGesture
import androidx.compose.foundation.gestures.awaitFirstDown
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.BoxWithConstraints
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.CheckCircle
import androidx.compose.material.icons.filled.Person
import androidx.compose.material3.FilterChip
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedCard
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberUpdatedState
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.StrokeCap
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import app.fieldwork.ffi.OutlineOutcomeRecord
import app.fieldwork.ffi.OutlineSectionRecord
import app.fieldwork.ffi.ReportLanguage
import app.fieldwork.ffi.ReportOutlineRecord
import app.fieldwork.shell.Signature
import app.fieldwork.shell.SigningState
import app.fieldwork.shell.SigningStep
import app.fieldwork.shell.SigningViewModel
import java.util.Locale

/** The pad's canvas in the units the strokes are sealed in: 2:1, as wide as a phone held sideways allows. */
private const val PAD_WIDTH = 800
private const val PAD_HEIGHT = 400

/** What happens on the signing screens. */
sealed interface SigningEvent {
    data class Language(val language: ReportLanguage) : SigningEvent
    data object StartSigning : SigningEvent
    data object StartRefusal : SigningEvent
    data class SignerName(val value: String) : SigningEvent
    data class SignerRole(val value: String) : SigningEvent
    data class RefusalReason(val value: String) : SigningEvent
    data object ClearPad : SigningEvent
    data object Sign : SigningEvent
    data object Refuse : SigningEvent
    data object HandBack : SigningEvent
    data object Finish : SigningEvent
}

/** Pointer events on the pad, in canvas units; pressure 0..1000, event time in uptime ms. */
interface PadInput {
    fun down(x: Float, y: Float, tMs: Long, pressure: Int)
    fun move(x: Float, y: Float, tMs: Long, pressure: Int)
    fun up()
}

/** The report's language the phone's locale suggests; the customer may choose the other one. */
fun reportLanguageOf(locale: Locale): ReportLanguage = if (locale.language == "zh") ReportLanguage.ZH_CN else ReportLanguage.EN

@Composable
fun SigningRoute(graph: ShellGraph, jobId: String, onExit: () -> Unit) {
    val language = reportLanguageOf(currentLocale())
    val vm = viewModel { SigningViewModel(graph.repository, jobId, PAD_WIDTH, PAD_HEIGHT, language) }
    val state by vm.state.collectAsStateWithLifecycle()
    val back = { if (!vm.back()) onExit() }
    // Back steps through the flow (pad -> review) before it leaves it.
    PlatformBackHandler(enabled = true, onBack = back)
    val pad = remember(vm) {
        object : PadInput {
            override fun down(x: Float, y: Float, tMs: Long, pressure: Int) = vm.pointerDown(x, y, tMs, pressure)
            override fun move(x: Float, y: Float, tMs: Long, pressure: Int) = vm.pointerMove(x, y, tMs, pressure)
            override fun up() = vm.pointerUp()
        }
    }
    SigningScreen(state, pad, onBack = back) { event ->
        when (event) {
            is SigningEvent.Language -> vm.onLanguageChanged(event.language)
            SigningEvent.StartSigning -> vm.startSigning()
            SigningEvent.StartRefusal -> vm.startRefusal()
            is SigningEvent.SignerName -> vm.onSignerNameChanged(event.value)
            is SigningEvent.SignerRole -> vm.onSignerRoleChanged(event.value)
            is SigningEvent.RefusalReason -> vm.onRefusalReasonChanged(event.value)
            SigningEvent.ClearPad -> vm.clearSignature()
            SigningEvent.Sign -> vm.sign()
            SigningEvent.Refuse -> vm.refuse()
            SigningEvent.HandBack -> vm.handBack()
            SigningEvent.Finish -> onExit()
        }
    }
}

/**
 * The customer's signing flow, full screen, one step at a time ([SigningStep]): the review of
 * exactly what is sealed (the PDF's words, in the report language chosen here, with the sentence
 * the customer attests), then the pad (not inside any scrolling container: a stroke is never a
 * scroll) or the refusal behind its own action, then the confirmation and the hand-back.
 */
@Composable
fun SigningScreen(state: SigningState, pad: PadInput, onBack: () -> Unit, onEvent: (SigningEvent) -> Unit) {
    val title = when (state.step) {
        SigningStep.REVIEW -> localized(R.string.sign_review_title)
        SigningStep.SIGN -> localized(R.string.sign_pad_title)
        SigningStep.REFUSE -> localized(R.string.refuse_title)
        SigningStep.DONE, SigningStep.HAND_BACK -> localized(R.string.sign_done_title)
    }
    FieldScreen(
        title = title,
        onBack = onBack,
        bottomBar = {
            ActionBar(above = { MessageBanner(state.message) }) {
                when (state.step) {
                    SigningStep.REVIEW -> {
                        SecondaryAction(localized(R.string.refuse_start), { onEvent(SigningEvent.StartRefusal) }, Modifier.weight(1f), enabled = state.preview != null)
                        PrimaryAction(localized(R.string.sign_review_continue), { onEvent(SigningEvent.StartSigning) }, Modifier.weight(1f), enabled = state.preview != null)
                    }
                    SigningStep.SIGN -> {
                        SecondaryAction(localized(R.string.sign_clear), { onEvent(SigningEvent.ClearPad) }, Modifier.weight(1f), enabled = !state.signature.isEmpty)
                        PrimaryAction(localized(R.string.sign_submit), { onEvent(SigningEvent.Sign) }, Modifier.weight(1f), enabled = state.canSign)
                    }
                    SigningStep.REFUSE -> PrimaryAction(localized(R.string.refuse_submit), { onEvent(SigningEvent.Refuse) }, Modifier.weight(1f), enabled = state.canRefuse)
                    SigningStep.DONE -> PrimaryAction(localized(R.string.sign_hand_back), { onEvent(SigningEvent.HandBack) }, Modifier.weight(1f))
                    SigningStep.HAND_BACK -> PrimaryAction(localized(R.string.sign_back_to_job), { onEvent(SigningEvent.Finish) }, Modifier.weight(1f))
                }
            }
        },
    ) { padding ->
        val modifier = Modifier.fillMaxSize().padding(padding)
        when (state.step) {
            SigningStep.REVIEW -> Review(state, modifier, onEvent)
            SigningStep.SIGN -> Pad(state, pad, modifier, onEvent)
            SigningStep.REFUSE -> Refusal(state, modifier, onEvent)
            SigningStep.DONE -> Confirmation(state, modifier)
            SigningStep.HAND_BACK -> HandBack(modifier)
        }
    }
}

@Composable
private fun Review(state: SigningState, modifier: Modifier, onEvent: (SigningEvent) -> Unit) {
    LazyColumn(
        modifier.testTag("signing-review"),
        contentPadding = PaddingValues(FieldDimens.Margin),
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        item("language") {
            Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Text(localized(R.string.sign_language), style = MaterialTheme.typography.labelMedium)
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    // Each language named in itself, so the customer finds theirs.
                    for ((language, name) in listOf(ReportLanguage.EN to "English", ReportLanguage.ZH_CN to "中文")) {
                        FilterChip(
                            selected = state.language == language,
                            onClick = { onEvent(SigningEvent.Language(language)) },
                            label = { Text(name) },
                            modifier = Modifier.heightIn(min = 48.dp),
                        )
                    }
                }
            }
        }
        val preview = state.preview ?: return@LazyColumn
        item("title") {
            Column {
                Text(preview.title, style = MaterialTheme.typography.headlineSmall)
                Text(preview.job, style = MaterialTheme.typography.titleMedium)
                Text(preview.status, style = MaterialTheme.typography.bodyLarge, color = MaterialTheme.colorScheme.onSurfaceVariant)
            }
        }
        items(preview.overview) { Field(it.label, it.value) }
        items(preview.sections) { Section(it) }
        if (preview.photos.isNotEmpty()) {
            item("photos-title") { SectionTitle(preview.photosTitle) }
            items(preview.photos, key = { "photo-" + it.id }) { photo ->
                Row(horizontalArrangement = Arrangement.spacedBy(12.dp), verticalAlignment = Alignment.CenterVertically) {
                    Thumbnail(state.thumbnails[photo.id], photo.words, Modifier.size(96.dp))
                    Text(photo.words, style = MaterialTheme.typography.bodyLarge)
                }
            }
        }
        item("outcome") { Outcome(preview) }
    }
}

/** A label and its value, as the report's overview prints it. */
@Composable
private fun Field(label: String, value: String) {
    Column(Modifier.semantics(mergeDescendants = true) {}) {
        Text(label, style = MaterialTheme.typography.labelMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
        Text(value, style = MaterialTheme.typography.bodyLarge)
    }
}

/**
 * A section of the report: a paragraph, or a table. A phone is too narrow for the PDF's
 * columns, so each row becomes its cells under their column titles; from 600 dp the columns
 * are laid out at the PDF's proportions.
 */
@Composable
private fun Section(section: OutlineSectionRecord) {
    Column(verticalArrangement = Arrangement.spacedBy(6.dp)) {
        SectionTitle(section.title)
        section.paragraph?.let { Text(it, style = MaterialTheme.typography.bodyLarge) }
        if (section.rows.isNotEmpty()) {
            BoxWithConstraints {
                val wide = maxWidth >= 600.dp
                Column(verticalArrangement = Arrangement.spacedBy(6.dp)) {
                    if (wide) {
                        Row { section.columns.forEach { Text(it.title, Modifier.weight(it.share), style = MaterialTheme.typography.labelMedium, textAlign = if (it.alignEnd) TextAlign.End else TextAlign.Start) } }
                    }
                    section.rows.forEach { row ->
                        val weight = if (row.total) FontWeight.Bold else FontWeight.Normal
                        if (wide) {
                            Row {
                                row.cells.forEachIndexed { i, cell ->
                                    val column = section.columns.getOrNull(i)
                                    Text(cell, Modifier.weight(column?.share ?: 1f), fontWeight = weight, style = MaterialTheme.typography.bodyLarge, textAlign = if (column?.alignEnd == true) TextAlign.End else TextAlign.Start)
                                }
                            }
                        } else {
                            Column(Modifier.fillMaxWidth().semantics(mergeDescendants = true) {}) {
                                row.cells.forEachIndexed { i, cell ->
                                    if (cell.isNotBlank()) {
                                        val title = section.columns.getOrNull(i)?.title
                                        Text(if (title.isNullOrBlank()) cell else "$title: $cell", fontWeight = weight, style = MaterialTheme.typography.bodyLarge)
                                    }
                                }
                            }
                            HorizontalDivider(color = MaterialTheme.colorScheme.outlineVariant)
                        }
                    }
                    section.note?.let { Text(it, style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant) }
                }
            }
        }
    }
}

/** How the report ends: before signing, the notice and the sentence the customer attests. */
@Composable
private fun Outcome(preview: ReportOutlineRecord) {
    OutlinedCard(Modifier.fillMaxWidth().padding(top = 8.dp)) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            when (val outcome = preview.outcome) {
                is OutlineOutcomeRecord.Preview -> {
                    Text(outcome.title, style = MaterialTheme.typography.titleMedium)
                    Text(outcome.notice, style = MaterialTheme.typography.bodyLarge)
                    Text(outcome.attestation, style = MaterialTheme.typography.bodyLarge, fontWeight = FontWeight.Bold, modifier = Modifier.testTag("attestation"))
                }
                is OutlineOutcomeRecord.Signed -> {
                    Text(outcome.title, style = MaterialTheme.typography.titleMedium)
                    outcome.fields.forEach { Field(it.label, it.value) }
                    Text(outcome.attestation, style = MaterialTheme.typography.bodyLarge)
                }
                is OutlineOutcomeRecord.Refused -> {
                    Text(outcome.title, style = MaterialTheme.typography.titleMedium)
                    outcome.fields.forEach { Field(it.label, it.value) }
                }
            }
        }
    }
}

/**
 * The pad step. Upright: the attestation, the name and role side by side, the pad in all the
 * height left. Sideways (wider than tall): the pad on the left at full height, the fields beside
 * it. The fields may scroll; the pad never does.
 */
@Composable
private fun Pad(state: SigningState, pad: PadInput, modifier: Modifier, onEvent: (SigningEvent) -> Unit) {
    val attestation = (state.preview?.outcome as? OutlineOutcomeRecord.Preview)?.attestation
    BoxWithConstraints(modifier.padding(FieldDimens.Margin)) {
        if (maxWidth > maxHeight) {
            Row(horizontalArrangement = Arrangement.spacedBy(16.dp)) {
                SignaturePadArea(state.signature, pad, Modifier.weight(1.6f).fillMaxSize())
                Column(Modifier.weight(1f).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    attestation?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
                    NameField(state, onEvent, Modifier.fillMaxWidth())
                    RoleField(state, onEvent, Modifier.fillMaxWidth())
                }
            }
        } else {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                attestation?.let { Text(it, style = MaterialTheme.typography.bodyMedium, maxLines = 3) }
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    NameField(state, onEvent, Modifier.weight(1f))
                    RoleField(state, onEvent, Modifier.weight(1f))
                }
                SignaturePadArea(state.signature, pad, Modifier.weight(1f).fillMaxWidth())
            }
        }
    }
}

@Composable
private fun NameField(state: SigningState, onEvent: (SigningEvent) -> Unit, modifier: Modifier) = OutlinedTextField(
    state.signerName, { onEvent(SigningEvent.SignerName(it)) }, modifier,
    label = { Text(localized(R.string.sign_name)) }, singleLine = true,
)

@Composable
private fun RoleField(state: SigningState, onEvent: (SigningEvent) -> Unit, modifier: Modifier) = OutlinedTextField(
    state.signerRole, { onEvent(SigningEvent.SignerRole(it)) }, modifier,
    label = { Text(localized(R.string.sign_role)) }, singleLine = true,
)

/** The pad at the canvas's 2:1, as large as [modifier]'s space allows, with the hint under its line. */
@Composable
private fun SignaturePadArea(signature: Signature, pad: PadInput, modifier: Modifier) {
    Box(modifier, contentAlignment = Alignment.Center) {
        Box(Modifier.aspectRatio(signature.width.toFloat() / signature.height)) {
            SignaturePad(signature, pad, Modifier.fillMaxSize())
            Text(
                localized(R.string.sign_pad_hint),
                Modifier.align(Alignment.BottomCenter).padding(bottom = 4.dp),
                style = MaterialTheme.typography.bodyMedium,
                color = MaterialTheme.colorScheme.onSurfaceVariant,
            )
        }
    }
}

/** Pointer events in canvas units (the pad's W x H), pressure 0..1000, event time in uptime ms. */
@Composable
private fun SignaturePad(signature: Signature, pad: PadInput, modifier: Modifier) {
    val colors = LocalFieldColors.current
    val line = MaterialTheme.colorScheme.outline
    val description = localized(R.string.sign_pad_description)
    // The gesture outlives recompositions (each point recomposes the pad): it reads the latest input and canvas.
    val input by rememberUpdatedState(pad)
    val canvasWidth by rememberUpdatedState(signature.width)
    Canvas(
        modifier
            .background(colors.padBackground)
            .border(2.dp, MaterialTheme.colorScheme.outline)
            .testTag("signature-pad")
            .semantics { contentDescription = description }
            .pointerInput(Unit) {
                awaitEachGesture {
                    val scale = canvasWidth / size.width.toFloat()
                    val down = awaitFirstDown()
                    input.down(down.position.x * scale, down.position.y * scale, down.uptimeMillis, (down.pressure * 1000).toInt())
                    down.consume()
                    while (true) {
                        val event = awaitPointerEvent()
                        val change = event.changes.firstOrNull { it.id == down.id } ?: break
                        if (!change.pressed) break
                        input.move(change.position.x * scale, change.position.y * scale, change.uptimeMillis, (change.pressure * 1000).toInt())
                        change.consume()
                    }
                    input.up()
                }
            },
    ) {
        // The signing line, two thirds down (the hint sits under it), with its cross.
        val y = size.height * 0.68f
        val left = size.width * 0.06f
        drawLine(line, Offset(left, y), Offset(size.width * 0.94f, y), strokeWidth = 2.dp.toPx())
        val cross = 8.dp.toPx()
        val cx = left + cross
        val cy = y - cross * 1.6f
        drawLine(line, Offset(cx - cross / 2, cy - cross / 2), Offset(cx + cross / 2, cy + cross / 2), strokeWidth = 2.dp.toPx(), cap = StrokeCap.Round)
        drawLine(line, Offset(cx - cross / 2, cy + cross / 2), Offset(cx + cross / 2, cy - cross / 2), strokeWidth = 2.dp.toPx(), cap = StrokeCap.Round)
        val k = size.width / signature.width
        for (stroke in signature.strokes) {
            val path = Path()
            stroke.forEachIndexed { i, p -> if (i == 0) path.moveTo(p.x * k, p.y * k) else path.lineTo(p.x * k, p.y * k) }
            drawPath(path, colors.ink, style = Stroke(width = 3.dp.toPx(), cap = StrokeCap.Round))
        }
    }
}

@Composable
private fun Refusal(state: SigningState, modifier: Modifier, onEvent: (SigningEvent) -> Unit) {
    Column(modifier.verticalScroll(rememberScrollState()).padding(FieldDimens.Margin), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(localized(R.string.refuse_intro), style = MaterialTheme.typography.bodyLarge)
        OutlinedTextField(
            state.refusalReason, { onEvent(SigningEvent.RefusalReason(it)) }, Modifier.fillMaxWidth(),
            label = { Text(localized(R.string.refuse_reason)) }, minLines = 3,
        )
        NameField(state, onEvent, Modifier.fillMaxWidth())
    }
}

/** Sealed: what was recorded, for the customer to see before handing the phone back. */
@Composable
private fun Confirmation(state: SigningState, modifier: Modifier) {
    val sealed = state.sealed
    val refused = sealed?.status == "refused"
    Column(
        modifier.verticalScroll(rememberScrollState()).padding(24.dp),
        horizontalAlignment = Alignment.CenterHorizontally,
        verticalArrangement = Arrangement.spacedBy(16.dp),
    ) {
        Icon(Icons.Filled.CheckCircle, contentDescription = null, tint = MaterialTheme.colorScheme.primary, modifier = Modifier.size(72.dp))
        Text(
            localized(if (refused) R.string.refuse_done else R.string.sign_done),
            style = MaterialTheme.typography.headlineSmall, textAlign = TextAlign.Center,
        )
        if (sealed != null) {
            val who = state.signerName.trim()
            Text(
                if (refused || who.isEmpty()) localized(R.string.sign_done_version, sealed.version.toInt()) else localized(R.string.sign_done_by, sealed.version.toInt(), who),
                style = MaterialTheme.typography.bodyLarge, textAlign = TextAlign.Center,
            )
        }
        Text(localized(R.string.sign_done_saved), style = MaterialTheme.typography.bodyLarge, textAlign = TextAlign.Center)
    }
}

@Composable
private fun HandBack(modifier: Modifier) {
    Column(
        modifier.verticalScroll(rememberScrollState()).padding(24.dp),
        horizontalAlignment = Alignment.CenterHorizontally,
        verticalArrangement = Arrangement.spacedBy(16.dp, Alignment.CenterVertically),
    ) {
        Icon(Icons.Filled.Person, contentDescription = null, tint = MaterialTheme.colorScheme.primary, modifier = Modifier.size(72.dp))
        Text(localized(R.string.sign_hand_back_text), style = MaterialTheme.typography.headlineSmall, textAlign = TextAlign.Center)
    }
}
