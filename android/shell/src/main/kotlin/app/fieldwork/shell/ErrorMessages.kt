package app.fieldwork.shell

import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.ImageReason
import app.fieldwork.ffi.InputReason
import app.fieldwork.ffi.JobStatus

/**
 * Every text the shell asks the UI to show, by key. The UI maps a key to the string resource of
 * the same name (`ui/src/main/res/values/strings.xml`, `values-zh-rCN/strings.xml`); a test
 * checks that both files have every key. [showDetail] says whether the core's `detail` is meant
 * for the user (a refused value, a certificate problem) or only for the log.
 */
enum class MessageKey(val resourceName: String, val showDetail: Boolean = false) {
    INVALID_INPUT("error_invalid_input"),
    NOT_FOUND("error_not_found"),
    NOT_ENROLLED("error_not_enrolled"),
    OFFLINE("error_offline"),
    TLS("error_tls", showDetail = true),
    UNAUTHORIZED("error_unauthorized"),
    /** The office no longer speaks this app's sync protocol: update the app (sync stops). */
    UPGRADE_REQUIRED("error_upgrade_required"),
    /** The office asked the phone to wait: quiet, like an outage; the detail is for the log. */
    RATE_LIMITED("error_rate_limited"),
    SERVER("error_server", showDetail = true),
    BAD_SIGNATURE("error_bad_signature"),
    BAD_IMAGE("error_bad_image"),
    CANNOT_SIGN("error_cannot_sign"),
    RENDER("error_render", showDetail = true),
    STORAGE("error_storage", showDetail = true),
    INTERNAL("error_internal", showDetail = true),
    UNEXPECTED("error_unexpected", showDetail = true),

    ENROLL_FIELDS_MISSING("enroll_fields_missing"),
    /** `Unauthorized` while enrolling: the code, not the device, was refused. */
    ENROLL_CODE_REJECTED("enroll_code_rejected"),
    SIGNATURE_TOO_LONG("signature_too_long"),
    SIGNER_NAME_MISSING("signer_name_missing"),
    REFUSAL_REASON_MISSING("refusal_reason_missing"),
    /** A clock time on the job screen's time form that is not HH:MM. */
    TIME_NOT_A_CLOCK_TIME("time_not_a_clock_time"),
    /** The diagnosis form without a cause or a fault code. */
    DIAGNOSIS_INCOMPLETE("diagnosis_incomplete"),
    /** The loaner form without a serial or a model. */
    LOANER_FIELDS_MISSING("loaner_fields_missing"),
    /** The part form's quantity is not a whole number. */
    PART_QTY_NOT_A_NUMBER("part_qty_not_a_number"),
    /** A quantity on the van stock screen (count in, count, send back) that is not a whole number of zero or more. */
    STOCK_QTY_NOT_A_NUMBER("stock_qty_not_a_number"),
    /** "Send back" of a part the catalogue tracks by serial, with no serial typed. */
    STOCK_SERIAL_MISSING("stock_serial_missing"),
    /** "Send back" naming more serials than parts, or (a part tracked by serial) not one per part: the quantity and the count. */
    STOCK_SERIALS_COUNT("stock_serials_count"),
    /** "Send back" naming one serial twice: the serial. */
    STOCK_SERIAL_TWICE("stock_serial_twice"),
    /** The camera threw (no permission, not ready, a hardware error): the detail is for the log. */
    CAPTURE_FAILED("capture_failed"),
    /** A scanned code is not an enrollment code (JSON or `fieldwork://enroll?...`). */
    ENROLL_QR_INVALID("enroll_qr_invalid"),
    /** The scanner failed or is not available: type the address and code instead. */
    SCAN_FAILED("scan_failed"),
    /** The job changed while the customer was on the pad: they review it again first. */
    REPORT_CHANGED_REVIEW("report_changed_review"),

    SYNC_UP_TO_DATE("sync_up_to_date"),
    SYNC_PENDING("sync_pending"),
    SYNC_RUNNING("sync_running"),
    SYNC_WAITING_FOR_NETWORK("sync_waiting_for_network"),
    SYNC_RETRYING("sync_retrying"),
    /** The office asked the phone to wait (rate limit): nothing is wrong, sync resumes by itself. */
    SYNC_WAITING_FOR_OFFICE("sync_waiting_for_office"),
    SYNC_REFUSED("sync_refused", showDetail = true),

    // Why the core refused a value (`InputReason`, `ImageReason`), with its parameters.
    REFUSED_EMPTY("refused_empty"),
    REFUSED_TOO_LONG("refused_too_long"),
    REFUSED_LABEL("refused_label"),
    REFUSED_OUT_OF_RANGE("refused_out_of_range"),
    REFUSED_TIME_OUT_OF_RANGE("refused_time_out_of_range"),
    REFUSED_ENDS_BEFORE_START("refused_ends_before_start"),
    REFUSED_SPAN_TOO_LONG("refused_span_too_long"),
    REFUSED_UNKNOWN_STOCK("refused_unknown_stock"),
    REFUSED_LOANER_MODEL_MISSING("refused_loaner_model_missing"),
    REFUSED_LOANER_ALREADY_OUT("refused_loaner_already_out"),
    REFUSED_LOANER_NOT_OUT("refused_loaner_not_out"),
    REFUSED_NOT_A_CHECK_RESULT("refused_not_a_check_result"),
    REFUSED_NO_SUCH_CHECK_ITEM("refused_no_such_check_item"),
    REFUSED_STATUS_NOT_ALLOWED("refused_status_not_allowed"),
    REFUSED_NOT_A_TECHNICIAN_STATUS("refused_not_a_technician_status"),
    REFUSED_NOT_LINE_AUTHOR("refused_not_line_author"),
    REFUSED_NOT_PHOTO_AUTHOR("refused_not_photo_author"),
    REFUSED_NO_VAN("refused_no_van"),
    REFUSED_JOB_CANCELLED("refused_job_cancelled"),
    REFUSED_ALREADY_ENROLLED("refused_already_enrolled"),
    IMAGE_TOO_LARGE("image_too_large"),
    IMAGE_NOT_AN_IMAGE("image_not_an_image"),
    IMAGE_TOO_MANY_PIXELS("image_too_many_pixels"),
    IMAGE_DAMAGED("image_damaged"),
    IMAGE_CANNOT_SAVE("image_cannot_save"),

    // The fields a refusal names, in words (an argument of the REFUSED_ messages).
    FIELD_THIS_VALUE("field_this_value"),
    FIELD_NOTE_TEXT("field_note_text"),
    FIELD_NOTE("field_note"),
    FIELD_QTY("field_qty"),
    FIELD_SKU("field_sku"),
    FIELD_DESCRIPTION("field_description"),
    FIELD_SERIAL_IN("field_serial_in"),
    FIELD_SERIAL_OUT("field_serial_out"),
    FIELD_FAULT_CODE("field_fault_code"),
    FIELD_ACTION("field_action"),
    FIELD_LOANER_SERIAL("field_loaner_serial"),
    FIELD_LOANER_MODEL("field_loaner_model"),
    FIELD_REASON("field_reason"),
    FIELD_CAPTION("field_caption"),
    FIELD_START("field_start"),
    FIELD_END("field_end"),
    FIELD_AT("field_at"),
    FIELD_UNIT_COST("field_unit_cost"),
    FIELD_UNIT_PRICE("field_unit_price"),
}

/** A value put into a message: text as it is, a number, a field or a status in words. */
sealed interface MessageArg {
    data class Text(val value: String) : MessageArg
    data class Number(val value: Long) : MessageArg
    data class Field(val key: MessageKey) : MessageArg
    data class Status(val status: JobStatus) : MessageArg
}

/**
 * A message for the user: what happened ([key]) with its [args], and, where
 * [MessageKey.showDetail], the core's detail (for a value the core refused, the [args] say why
 * in the phone's language and the English detail stays in the log).
 */
data class UserMessage(val key: MessageKey, val detail: String? = null, val args: List<MessageArg> = emptyList()) {
    /** The detail to show under the message, or null when it is only for the log. */
    val shownDetail: String? get() = detail?.takeIf { key.showDetail }
}

/** The one place that turns the core's errors into what the user is told. */
object ErrorMessages {
    fun keyOf(e: ApiException): MessageKey = when (e) {
        is ApiException.InvalidInput -> MessageKey.INVALID_INPUT
        is ApiException.NotFound -> MessageKey.NOT_FOUND
        is ApiException.NotEnrolled -> MessageKey.NOT_ENROLLED
        is ApiException.Offline -> MessageKey.OFFLINE
        is ApiException.Tls -> MessageKey.TLS
        is ApiException.Unauthorized -> MessageKey.UNAUTHORIZED
        is ApiException.UpgradeRequired -> MessageKey.UPGRADE_REQUIRED
        is ApiException.RateLimited -> MessageKey.RATE_LIMITED
        is ApiException.Server -> MessageKey.SERVER
        is ApiException.BadSignature -> MessageKey.BAD_SIGNATURE
        is ApiException.BadImage -> MessageKey.BAD_IMAGE
        is ApiException.CannotSign -> MessageKey.CANNOT_SIGN
        is ApiException.Render -> MessageKey.RENDER
        is ApiException.Storage -> MessageKey.STORAGE
        is ApiException.Internal -> MessageKey.INTERNAL
    }

    /** The core's own words (the generated `message` prefixes them with `detail=`). */
    fun detailOf(e: ApiException): String = when (e) {
        is ApiException.InvalidInput -> e.detail
        is ApiException.NotFound -> e.detail
        is ApiException.NotEnrolled -> e.detail
        is ApiException.Offline -> e.detail
        is ApiException.Tls -> e.detail
        is ApiException.Unauthorized -> e.detail
        is ApiException.UpgradeRequired -> e.detail
        is ApiException.RateLimited -> e.detail
        is ApiException.Server -> e.detail
        is ApiException.BadSignature -> e.detail
        is ApiException.BadImage -> e.detail
        is ApiException.CannotSign -> e.detail
        is ApiException.Render -> e.detail
        is ApiException.Storage -> e.detail
        is ApiException.Internal -> e.detail
    }

    /** A field the core names (`note text`, `qty`...) as a message key; "this value" if unknown. */
    fun fieldKey(field: String): MessageKey = when (field) {
        "note text" -> MessageKey.FIELD_NOTE_TEXT
        "note" -> MessageKey.FIELD_NOTE
        "qty" -> MessageKey.FIELD_QTY
        "sku" -> MessageKey.FIELD_SKU
        "description" -> MessageKey.FIELD_DESCRIPTION
        "serial_in" -> MessageKey.FIELD_SERIAL_IN
        "serial_out" -> MessageKey.FIELD_SERIAL_OUT
        "fault code" -> MessageKey.FIELD_FAULT_CODE
        "action" -> MessageKey.FIELD_ACTION
        "loaner serial" -> MessageKey.FIELD_LOANER_SERIAL
        "loaner model" -> MessageKey.FIELD_LOANER_MODEL
        "reason" -> MessageKey.FIELD_REASON
        "caption" -> MessageKey.FIELD_CAPTION
        "start" -> MessageKey.FIELD_START
        "end" -> MessageKey.FIELD_END
        "at" -> MessageKey.FIELD_AT
        "unit_cost" -> MessageKey.FIELD_UNIT_COST
        "unit_price" -> MessageKey.FIELD_UNIT_PRICE
        else -> MessageKey.FIELD_THIS_VALUE
    }

    /** The message of a refused value, in the phone's language, from the core's reason. */
    fun of(reason: InputReason, detail: String): UserMessage {
        fun field(name: String) = MessageArg.Field(fieldKey(name))
        fun n(value: Number) = MessageArg.Number(value.toLong())
        val (key, args) = when (reason) {
            is InputReason.Empty -> MessageKey.REFUSED_EMPTY to listOf(field(reason.field))
            is InputReason.TooLong -> MessageKey.REFUSED_TOO_LONG to listOf(field(reason.field), n(reason.max.toLong()))
            is InputReason.Label -> MessageKey.REFUSED_LABEL to listOf(field(reason.field), n(reason.max.toLong()))
            is InputReason.OutOfRange -> MessageKey.REFUSED_OUT_OF_RANGE to listOf(field(reason.field), n(reason.min), n(reason.max))
            is InputReason.TimeOutOfRange -> MessageKey.REFUSED_TIME_OUT_OF_RANGE to listOf(field(reason.field), n(reason.first), n(reason.last))
            is InputReason.EndsBeforeStart -> MessageKey.REFUSED_ENDS_BEFORE_START to emptyList()
            is InputReason.SpanTooLong -> MessageKey.REFUSED_SPAN_TOO_LONG to listOf(n(reason.maxHours))
            is InputReason.UnknownStock -> MessageKey.REFUSED_UNKNOWN_STOCK to emptyList()
            is InputReason.LoanerModelMissing -> MessageKey.REFUSED_LOANER_MODEL_MISSING to emptyList()
            is InputReason.LoanerAlreadyOut -> MessageKey.REFUSED_LOANER_ALREADY_OUT to listOf(MessageArg.Text(reason.serial))
            is InputReason.LoanerNotOut -> MessageKey.REFUSED_LOANER_NOT_OUT to listOf(MessageArg.Text(reason.serial))
            is InputReason.NotACheckResult -> MessageKey.REFUSED_NOT_A_CHECK_RESULT to emptyList()
            is InputReason.NoSuchCheckItem -> MessageKey.REFUSED_NO_SUCH_CHECK_ITEM to listOf(MessageArg.Text(reason.item))
            is InputReason.StatusNotAllowed ->
                MessageKey.REFUSED_STATUS_NOT_ALLOWED to listOf(MessageArg.Status(reason.from), MessageArg.Status(reason.to))
            is InputReason.NotATechnicianStatus -> MessageKey.REFUSED_NOT_A_TECHNICIAN_STATUS to emptyList()
            is InputReason.NotLineAuthor -> MessageKey.REFUSED_NOT_LINE_AUTHOR to emptyList()
            is InputReason.NotPhotoAuthor -> MessageKey.REFUSED_NOT_PHOTO_AUTHOR to emptyList()
            is InputReason.NoVan -> MessageKey.REFUSED_NO_VAN to emptyList()
            is InputReason.JobCancelled -> MessageKey.REFUSED_JOB_CANCELLED to emptyList()
            is InputReason.AlreadyEnrolled -> MessageKey.REFUSED_ALREADY_ENROLLED to listOf(MessageArg.Text(reason.server))
            is InputReason.Other -> MessageKey.INVALID_INPUT to emptyList()
        }
        return UserMessage(key, detail, args)
    }

    /** The message of a refused photo, from the core's reason. */
    fun of(reason: ImageReason, detail: String): UserMessage {
        val (key, args) = when (reason) {
            is ImageReason.TooLarge -> MessageKey.IMAGE_TOO_LARGE to listOf(MessageArg.Number(reason.maxMib.toLong()))
            is ImageReason.NotAnImage -> MessageKey.IMAGE_NOT_AN_IMAGE to emptyList()
            is ImageReason.TooManyPixels ->
                MessageKey.IMAGE_TOO_MANY_PIXELS to listOf(MessageArg.Number(reason.width.toLong()), MessageArg.Number(reason.height.toLong()))
            is ImageReason.Damaged -> MessageKey.IMAGE_DAMAGED to emptyList()
            is ImageReason.CannotSave -> MessageKey.IMAGE_CANNOT_SAVE to emptyList()
        }
        return UserMessage(key, detail, args)
    }

    /** The message for any failure of a call into the core. */
    fun of(e: Throwable): UserMessage = when (e) {
        is ApiException.InvalidInput -> of(e.reason, e.detail)
        is ApiException.BadImage -> of(e.reason, e.detail)
        is ApiException -> UserMessage(keyOf(e), detailOf(e))
        else -> UserMessage(MessageKey.UNEXPECTED, e.message ?: e.javaClass.simpleName)
    }
}
