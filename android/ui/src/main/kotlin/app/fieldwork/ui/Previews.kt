package app.fieldwork.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Box
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.tooling.preview.Preview
import androidx.compose.ui.tooling.preview.PreviewFontScale
import androidx.compose.ui.tooling.preview.PreviewLightDark
import app.fieldwork.ffi.AssetRecord
import app.fieldwork.ffi.AuthorRole
import app.fieldwork.ffi.CustomerRecord
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.DiagnosisRecord
import app.fieldwork.ffi.JobDetailRecord
import app.fieldwork.ffi.JobKindRecord
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.MilestoneKind
import app.fieldwork.ffi.MilestoneRecord
import app.fieldwork.ffi.NoteRecord
import app.fieldwork.ffi.OutlineColumnRecord
import app.fieldwork.ffi.OutlineFieldRecord
import app.fieldwork.ffi.OutlineOutcomeRecord
import app.fieldwork.ffi.OutlineRowRecord
import app.fieldwork.ffi.OutlineSectionRecord
import app.fieldwork.ffi.PartLineRecord
import app.fieldwork.ffi.PriorityRecord
import app.fieldwork.ffi.ProposedTimeRecord
import app.fieldwork.ffi.RegionRecord
import app.fieldwork.ffi.ReportLanguage
import app.fieldwork.ffi.ReportOutlineRecord
import app.fieldwork.ffi.ReportState
import app.fieldwork.ffi.ReportStateRecord
import app.fieldwork.ffi.SiteRecord
import app.fieldwork.ffi.SlaRecord
import app.fieldwork.ffi.SlaState
import app.fieldwork.ffi.TimeKind
import app.fieldwork.shell.EnrollmentState
import app.fieldwork.shell.JobDetailState
import app.fieldwork.shell.JobRow
import app.fieldwork.shell.PhotoItem
import app.fieldwork.shell.PhotoQueueState
import app.fieldwork.shell.RiskColour
import app.fieldwork.shell.Signature
import app.fieldwork.shell.SigningState
import app.fieldwork.shell.SigningStep
import app.fieldwork.shell.SlaPhrase
import app.fieldwork.shell.SlaWords
import app.fieldwork.shell.SyncBarState
import app.fieldwork.shell.SyncTone
import app.fieldwork.shell.TodayState
import app.fieldwork.shell.MessageKey

// Previews of the stateless screens with hand-made states (Android Studio shows them; the
// desktop build compiles them too, so they cannot drift from the screens' signatures). What
// the screens show of the real core is checked by the golden screenshots, not here.

/** 10:30 on a Tuesday in Shanghai. */
private const val NOW = 1_795_487_400_000L
private const val MINUTE = 60_000L

private object Sample {
    val rows = listOf(
        JobRow("J-3044", "Quay Bakery", "3 Mill Lane", JobStatus.ASSIGNED, "high", null, "response", NOW - 90 * MINUTE, RiskColour.RED, SlaWords(SlaPhrase.OVERDUE_MINUTES, 90), pendingSync = false, syncError = null),
        JobRow("J-3042", "Harbour Clinic", "88 Quay Road", JobStatus.IN_PROGRESS, "high", null, "resolution", NOW + 22 * 60 * MINUTE, RiskColour.GREEN, SlaWords(SlaPhrase.LEFT_HOURS, 22), pendingSync = true, syncError = null),
        JobRow("J-3043", "上海门诊部", "浦东新区张江路 88 号", JobStatus.ASSIGNED, "normal", null, "response", NOW + 25 * MINUTE, RiskColour.AMBER, SlaWords(SlaPhrase.AT_RISK_MINUTES, 25), pendingSync = false, syncError = null),
    )

    val job = JobDetailRecord(
        id = "J-3042", status = JobStatus.IN_PROGRESS, kind = JobKindRecord.REPAIR, priority = PriorityRecord.HIGH,
        customer = CustomerRecord("Harbour Clinic", "021-5550100"),
        site = SiteRecord("88 Quay Road", RegionRecord.CITY, "Asia/Shanghai"),
        asset = AssetRecord("CH-9", "Chiller 300RT"),
        problem = "Compressor trips on start", reportedAtMs = NOW - 20 * MINUTE, scheduledStartMs = null, scheduledEndMs = null, cancelReason = null,
        offeredStatuses = listOf(JobStatus.COMPLETED, JobStatus.ON_HOLD),
        sla = SlaRecord(
            state = SlaState.PENDING, minutesLeft = 22 * 60L, paused = false, loanerDueMs = NOW + 48 * 60 * MINUTE, loanerRequired = false,
            milestones = listOf(
                MilestoneRecord(MilestoneKind.RESPONSE, NOW + 10 * MINUTE, SlaState.MET, NOW - 18 * MINUTE, null),
                MilestoneRecord(MilestoneKind.RESOLUTION, NOW + 22 * 60 * MINUTE, SlaState.PENDING, null, 22 * 60L),
            ),
        ),
        notes = listOf(NoteRecord("n1", "t1", AuthorRole.ME, NOW - 4 * MINUTE, "Relay contacts pitted; fan bearing fine.")),
        parts = listOf(PartLineRecord("p1", "RLY-24", "Start relay 24 V", 2u, "R-88412", "R-10277", null, "t1", NOW - 3 * MINUTE, removable = true)),
        time = emptyList(),
        diagnosis = DiagnosisRecord(FaultCause.POWER_SUPPLY, "E-PSU", "Replaced the start relay"),
        replacementRecommended = false, loaners = emptyList(), checklist = emptyList(), charges = null, photos = emptyList(),
        report = ReportStateRecord(ReportState.NONE, null), atMs = NOW,
    )

    val outline = ReportOutlineRecord(
        title = "Completion report", job = "Job J-3042", status = "Version 1 · Preview, not signed",
        overview = listOf(OutlineFieldRecord("Customer", "Harbour Clinic\n021-5550100"), OutlineFieldRecord("Technician", "t1")),
        sections = listOf(
            OutlineSectionRecord("Problem", "Compressor trips on start", emptyList(), emptyList(), null),
            OutlineSectionRecord(
                "Parts", null,
                listOf(OutlineColumnRecord("SKU", 0.3f, false), OutlineColumnRecord("Description", 0.5f, false), OutlineColumnRecord("Qty", 0.2f, true)),
                listOf(OutlineRowRecord(listOf("RLY-24", "Start relay 24 V", "2"), false)),
                null,
            ),
        ),
        photosTitle = "Photos", photos = emptyList(),
        outcome = OutlineOutcomeRecord.Preview("Signature", "Preview, not signed", "The customer confirms that the work above was carried out."),
    )
}

@Composable
private fun Themed(appearance: Appearance = Appearance.SYSTEM, content: @Composable () -> Unit) = FieldworkTheme(appearance, content)

@PreviewLightDark
@Composable
private fun EnrollmentPreview() = Themed {
    EnrollmentScreen(EnrollmentState(serverUrl = "https://office.example.com", code = "K7F2-9QX3", deviceName = "Pixel 9", checking = false)) {}
}

@PreviewLightDark
@PreviewFontScale
@Composable
private fun TodayPreview() = Themed { TodayScreen(TodayState(loading = false, rows = Sample.rows), NOW, highContrast = false, onHighContrastChange = {}, onOpen = {}) }

@Preview(name = "Sync bar: offline")
@Composable
private fun SyncBarOfflinePreview() = Themed(Appearance.LIGHT) {
    SyncBar(SyncBarState(headline = MessageKey.SYNC_WAITING_FOR_NETWORK, tone = SyncTone.OFFLINE, pendingJobs = 2, lastSuccessAtMs = NOW - 12 * MINUTE, nowMs = NOW), onSendNow = {})
}

@PreviewLightDark
@PreviewFontScale
@Composable
private fun JobPreview() = Themed {
    JobScreen(
        JobDetailState(
            jobId = "J-3042", loading = false, job = Sample.job, allowedStatuses = Sample.job.offeredStatuses,
            proposedTimes = listOf(ProposedTimeRecord(TimeKind.TRAVEL, NOW - 17 * MINUTE, NOW - 6 * MINUTE)),
        ),
        NOW, onBack = {}, onEvent = {},
    )
}

@Preview(name = "Job: high contrast")
@Composable
private fun JobHighContrastPreview() = Themed(Appearance.HIGH_CONTRAST) {
    JobScreen(JobDetailState(jobId = "J-3042", loading = false, job = Sample.job, allowedStatuses = Sample.job.offeredStatuses), NOW, onBack = {}, onEvent = {})
}

@PreviewLightDark
@Composable
private fun PhotosPreview() = Themed {
    PhotosScreen(
        PhotoQueueState("J-3042", loading = false, photos = listOf(PhotoItem("a1", "Nameplate", 640, 480, NOW, uploaded = false, onDevice = true, removable = true))),
        cameraPreview = { Box(it.background(Color(0xFF37474F))) },
        onCaptionChange = {}, onTakePhoto = {}, onRemove = {}, onBack = {},
    )
}

private val noPad = object : PadInput {
    override fun down(x: Float, y: Float, tMs: Long, pressure: Int) = Unit
    override fun move(x: Float, y: Float, tMs: Long, pressure: Int) = Unit
    override fun up() = Unit
}

@PreviewLightDark
@Composable
private fun ReviewPreview() = Themed {
    SigningScreen(SigningState("J-3042", ReportLanguage.EN, Signature(800, 400), preview = Sample.outline), noPad, onBack = {}, onEvent = {})
}

@Preview(name = "Pad, upright")
@Preview(name = "Pad, sideways", widthDp = 640, heightDp = 360)
@Composable
private fun PadPreview() = Themed(Appearance.LIGHT) {
    val signature = Signature(800, 400).down(100f, 250f, 0, 500).move(300f, 120f, 16, 500).move(500f, 260f, 32, 500).up()
    SigningScreen(SigningState("J-3042", ReportLanguage.EN, signature, step = SigningStep.SIGN, preview = Sample.outline, signerName = "Chen Wei"), noPad, onBack = {}, onEvent = {})
}
