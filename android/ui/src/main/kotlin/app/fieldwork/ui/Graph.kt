package app.fieldwork.ui

import androidx.annotation.StringRes
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.AuthorRole
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.NoteRecord
import app.fieldwork.ffi.SlaState
import app.fieldwork.ffi.TimeEntryRecord
import app.fieldwork.ffi.TimeKind
import app.fieldwork.shell.FieldworkRepository
import app.fieldwork.shell.MessageArg
import app.fieldwork.shell.MessageKey
import app.fieldwork.shell.SlaPhrase
import app.fieldwork.shell.SlaWords
import app.fieldwork.shell.SyncPolicy
import app.fieldwork.shell.UserMessage

/** How often the list and the job screen judge their SLA words again ("overdue 20 min" keeps counting). */
internal const val SLA_TICK_MS = 60_000L // the core counts whole minutes

/** What the screens need from the app (the Application implements it). */
interface ShellGraph {
    val repository: FieldworkRepository
    val syncPolicy: SyncPolicy
    val deviceName: String

    /** Wall-clock milliseconds: SLA words, "last sent 2 min ago", today's date for typed times. */
    val clock: () -> Long get() = System::currentTimeMillis
}

/** What only the Activity can do. */
interface PlatformActions {
    /** The camera's live preview (CameraX's PreviewView on Android), asking for permission if needed. */
    @Composable
    fun CameraPreview(modifier: Modifier)

    /**
     * A photo from the camera, as JPEG bytes. It may throw anything (no permission, the camera
     * not bound yet, a hardware error): the photo screen says the photo was not taken and goes on.
     */
    suspend fun takePhoto(): ByteArray

    fun sharePdf(jobId: String)

    /**
     * Opens the phone's dialler with [phone] filled in (Android: `Intent.ACTION_DIAL`, which
     * needs no permission; the technician presses call).
     */
    fun dial(phone: String)

    /**
     * Scans a QR code with the camera and returns its text (the console's enrollment code:
     * [app.fieldwork.shell.EnrollmentCode] reads it), or null if the technician cancelled. It
     * may throw (no camera, no permission): the enrollment screen says so and the fields can
     * still be typed. [app.fieldwork.shell.CodeScanner] decodes camera frames.
     */
    suspend fun scanQr(): String?
}

@StringRes
fun MessageKey.stringRes(): Int = when (this) {
    MessageKey.INVALID_INPUT -> R.string.error_invalid_input
    MessageKey.NOT_FOUND -> R.string.error_not_found
    MessageKey.NOT_ENROLLED -> R.string.error_not_enrolled
    MessageKey.OFFLINE -> R.string.error_offline
    MessageKey.TLS -> R.string.error_tls
    MessageKey.UNAUTHORIZED -> R.string.error_unauthorized
    MessageKey.UPGRADE_REQUIRED -> R.string.error_upgrade_required
    MessageKey.RATE_LIMITED -> R.string.error_rate_limited
    MessageKey.SERVER -> R.string.error_server
    MessageKey.BAD_SIGNATURE -> R.string.error_bad_signature
    MessageKey.BAD_IMAGE -> R.string.error_bad_image
    MessageKey.CANNOT_SIGN -> R.string.error_cannot_sign
    MessageKey.RENDER -> R.string.error_render
    MessageKey.STORAGE -> R.string.error_storage
    MessageKey.INTERNAL -> R.string.error_internal
    MessageKey.UNEXPECTED -> R.string.error_unexpected
    MessageKey.ENROLL_FIELDS_MISSING -> R.string.enroll_fields_missing
    MessageKey.ENROLL_CODE_REJECTED -> R.string.enroll_code_rejected
    MessageKey.SIGNATURE_TOO_LONG -> R.string.signature_too_long
    MessageKey.SIGNER_NAME_MISSING -> R.string.signer_name_missing
    MessageKey.REFUSAL_REASON_MISSING -> R.string.refusal_reason_missing
    MessageKey.TIME_NOT_A_CLOCK_TIME -> R.string.time_not_a_clock_time
    MessageKey.DIAGNOSIS_INCOMPLETE -> R.string.diagnosis_incomplete
    MessageKey.LOANER_FIELDS_MISSING -> R.string.loaner_fields_missing
    MessageKey.PART_QTY_NOT_A_NUMBER -> R.string.part_qty_not_a_number
    MessageKey.STOCK_QTY_NOT_A_NUMBER -> R.string.stock_qty_not_a_number
    MessageKey.STOCK_SERIAL_MISSING -> R.string.stock_serial_missing
    MessageKey.STOCK_SERIALS_COUNT -> R.string.stock_serials_count
    MessageKey.STOCK_SERIAL_TWICE -> R.string.stock_serial_twice
    MessageKey.CAPTURE_FAILED -> R.string.capture_failed
    MessageKey.ENROLL_QR_INVALID -> R.string.enroll_qr_invalid
    MessageKey.SCAN_FAILED -> R.string.scan_failed
    MessageKey.REPORT_CHANGED_REVIEW -> R.string.report_changed_review
    MessageKey.SYNC_UP_TO_DATE -> R.string.sync_up_to_date
    MessageKey.SYNC_PENDING -> R.string.sync_pending
    MessageKey.SYNC_RUNNING -> R.string.sync_running
    MessageKey.SYNC_WAITING_FOR_NETWORK -> R.string.sync_waiting_for_network
    MessageKey.SYNC_RETRYING -> R.string.sync_retrying
    MessageKey.SYNC_WAITING_FOR_OFFICE -> R.string.sync_waiting_for_office
    MessageKey.SYNC_REFUSED -> R.string.sync_refused
    MessageKey.REFUSED_EMPTY -> R.string.refused_empty
    MessageKey.REFUSED_TOO_LONG -> R.string.refused_too_long
    MessageKey.REFUSED_LABEL -> R.string.refused_label
    MessageKey.REFUSED_OUT_OF_RANGE -> R.string.refused_out_of_range
    MessageKey.REFUSED_TIME_OUT_OF_RANGE -> R.string.refused_time_out_of_range
    MessageKey.REFUSED_ENDS_BEFORE_START -> R.string.refused_ends_before_start
    MessageKey.REFUSED_SPAN_TOO_LONG -> R.string.refused_span_too_long
    MessageKey.REFUSED_UNKNOWN_STOCK -> R.string.refused_unknown_stock
    MessageKey.REFUSED_LOANER_MODEL_MISSING -> R.string.refused_loaner_model_missing
    MessageKey.REFUSED_LOANER_ALREADY_OUT -> R.string.refused_loaner_already_out
    MessageKey.REFUSED_LOANER_NOT_OUT -> R.string.refused_loaner_not_out
    MessageKey.REFUSED_NOT_A_CHECK_RESULT -> R.string.refused_not_a_check_result
    MessageKey.REFUSED_NO_SUCH_CHECK_ITEM -> R.string.refused_no_such_check_item
    MessageKey.REFUSED_STATUS_NOT_ALLOWED -> R.string.refused_status_not_allowed
    MessageKey.REFUSED_NOT_A_TECHNICIAN_STATUS -> R.string.refused_not_a_technician_status
    MessageKey.REFUSED_NOT_LINE_AUTHOR -> R.string.refused_not_line_author
    MessageKey.REFUSED_NOT_PHOTO_AUTHOR -> R.string.refused_not_photo_author
    MessageKey.REFUSED_NO_VAN -> R.string.refused_no_van
    MessageKey.REFUSED_JOB_CANCELLED -> R.string.refused_job_cancelled
    MessageKey.REFUSED_ALREADY_ENROLLED -> R.string.refused_already_enrolled
    MessageKey.IMAGE_TOO_LARGE -> R.string.image_too_large
    MessageKey.IMAGE_NOT_AN_IMAGE -> R.string.image_not_an_image
    MessageKey.IMAGE_TOO_MANY_PIXELS -> R.string.image_too_many_pixels
    MessageKey.IMAGE_DAMAGED -> R.string.image_damaged
    MessageKey.IMAGE_CANNOT_SAVE -> R.string.image_cannot_save
    MessageKey.FIELD_THIS_VALUE -> R.string.field_this_value
    MessageKey.FIELD_NOTE_TEXT -> R.string.field_note_text
    MessageKey.FIELD_NOTE -> R.string.field_note
    MessageKey.FIELD_QTY -> R.string.field_qty
    MessageKey.FIELD_SKU -> R.string.field_sku
    MessageKey.FIELD_DESCRIPTION -> R.string.field_description
    MessageKey.FIELD_SERIAL_IN -> R.string.field_serial_in
    MessageKey.FIELD_SERIAL_OUT -> R.string.field_serial_out
    MessageKey.FIELD_FAULT_CODE -> R.string.field_fault_code
    MessageKey.FIELD_ACTION -> R.string.field_action
    MessageKey.FIELD_LOANER_SERIAL -> R.string.field_loaner_serial
    MessageKey.FIELD_LOANER_MODEL -> R.string.field_loaner_model
    MessageKey.FIELD_REASON -> R.string.field_reason
    MessageKey.FIELD_CAPTION -> R.string.field_caption
    MessageKey.FIELD_START -> R.string.field_start
    MessageKey.FIELD_END -> R.string.field_end
    MessageKey.FIELD_AT -> R.string.field_at
    MessageKey.FIELD_UNIT_COST -> R.string.field_unit_cost
    MessageKey.FIELD_UNIT_PRICE -> R.string.field_unit_price
}

/** The message and, where it is meant for the user, the core's detail under it. */
@Composable
fun UserMessage.text(): String {
    val values = args.map { arg ->
        when (arg) {
            is MessageArg.Text -> arg.value
            is MessageArg.Number -> arg.value
            is MessageArg.Field -> localized(arg.key.stringRes())
            is MessageArg.Status -> localized(arg.status.labelRes())
        }
    }
    return listOfNotNull(localized(key.stringRes(), *values.toTypedArray()), shownDetail).joinToString("\n")
}

@StringRes
fun JobStatus.actionRes(): Int = when (this) {
    JobStatus.ACCEPTED -> R.string.status_accepted
    JobStatus.EN_ROUTE -> R.string.status_en_route
    JobStatus.ON_SITE -> R.string.status_on_site
    JobStatus.IN_PROGRESS -> R.string.status_in_progress
    JobStatus.ON_HOLD -> R.string.status_on_hold
    else -> R.string.status_completed
}

/** A job's state in words (the list's and the job screen's label, not an action). */
@StringRes
fun JobStatus.labelRes(): Int = when (this) {
    JobStatus.NEW -> R.string.state_new
    JobStatus.ASSIGNED -> R.string.state_assigned
    JobStatus.ACCEPTED -> R.string.state_accepted
    JobStatus.EN_ROUTE -> R.string.state_en_route
    JobStatus.ON_SITE -> R.string.state_on_site
    JobStatus.IN_PROGRESS -> R.string.state_in_progress
    JobStatus.ON_HOLD -> R.string.state_on_hold
    JobStatus.COMPLETED -> R.string.state_completed
    JobStatus.CANCELLED -> R.string.state_cancelled
}

/** An SLA milestone's state in words, for a milestone with no minutes to count (met, not needed). */
@StringRes
fun SlaState.labelRes(): Int = when (this) {
    SlaState.PENDING -> R.string.sla_state_pending
    SlaState.AT_RISK -> R.string.sla_state_at_risk
    SlaState.BREACHED -> R.string.sla_state_breached
    SlaState.MET -> R.string.sla_state_met
    SlaState.NOT_NEEDED -> R.string.sla_state_not_needed
}

/** Who wrote a note: the office, you, or a colleague by name (else their id; the core says which). */
@Composable
fun authorLabel(note: NoteRecord): String = when (note.authorRole) {
    AuthorRole.DISPATCH -> localized(R.string.note_by_dispatch)
    AuthorRole.ME -> localized(R.string.note_by_me)
    AuthorRole.COLLEAGUE -> note.authorName ?: note.author
}

/** A fault cause as the job JSON spells it (`power_supply`) in the report's words; null if unknown. */
@StringRes
fun causeRes(cause: String): Int? = when (FaultCause.entries.firstOrNull { it.name.equals(cause, ignoreCase = true) }) {
    FaultCause.QUALITY_DEFECT -> R.string.cause_quality_defect
    FaultCause.HUMAN_DAMAGE -> R.string.cause_human_damage
    FaultCause.MISUSE -> R.string.cause_misuse
    FaultCause.IMPROPER_STORAGE -> R.string.cause_improper_storage
    FaultCause.IMPROPER_TRANSPORT -> R.string.cause_improper_transport
    FaultCause.FORCE_MAJEURE -> R.string.cause_force_majeure
    FaultCause.POWER_SUPPLY -> R.string.cause_power_supply
    FaultCause.UNAUTHORISED_MODIFICATION -> R.string.cause_unauthorised_modification
    FaultCause.NO_WARRANTY_CARD -> R.string.cause_no_warranty_card
    FaultCause.SERIAL_MISMATCH -> R.string.cause_serial_mismatch
    null -> null
}

/** Travel or labour, in words. */
@Composable
fun timeKindLabel(kind: TimeKind): String = when (kind) {
    TimeKind.TRAVEL -> localized(R.string.time_travel)
    TimeKind.LABOUR -> localized(R.string.time_labour)
}

/** A span of time as the technician reads it: kind, start and end on the phone's clock, minutes. */
@Composable
fun timeSpanText(kind: TimeKind, startMs: Long, endMs: Long): String {
    val clock = LocalClockFormat.current
    return localized(R.string.time_range, timeKindLabel(kind), clock.time(startMs), clock.time(endMs), (endMs - startMs) / 60_000)
}

/** A recorded time entry, as [timeSpanText]. */
@Composable
fun timeEntryText(entry: TimeEntryRecord): String = timeSpanText(entry.kind, entry.startMs, entry.endMs)

/** An SLA milestone (`response`, `arrival`, `resolution`) in words; the name itself if unknown. */
@Composable
fun milestoneLabel(milestone: String): String = when (milestone) {
    "response" -> localized(R.string.sla_response)
    "arrival" -> localized(R.string.sla_arrival)
    "resolution" -> localized(R.string.sla_resolution)
    else -> milestone
}

/** "Overdue 20 min" and the like: the risk in words, beside its colour. */
@Composable
fun slaWords(words: SlaWords): String = localized(
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
