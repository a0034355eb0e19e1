package app.fieldwork.shell

import app.fieldwork.ffi.ApiException

/**
 * Every text the shell asks the UI to show, by key. The UI maps a key to the string resource of
 * the same name (`ui/src/main/res/values/strings.xml`, `values-zh-rCN/strings.xml`); a test
 * checks that both files have every key. [showDetail] says whether the core's `detail` is meant
 * for the user (a refused value, a certificate problem) or only for the log.
 */
enum class MessageKey(val resourceName: String, val showDetail: Boolean = false) {
    INVALID_INPUT("error_invalid_input", showDetail = true),
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
    BAD_SIGNATURE("error_bad_signature", showDetail = true),
    BAD_IMAGE("error_bad_image", showDetail = true),
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

    SYNC_UP_TO_DATE("sync_up_to_date"),
    SYNC_PENDING("sync_pending"),
    SYNC_RUNNING("sync_running"),
    SYNC_WAITING_FOR_NETWORK("sync_waiting_for_network"),
    SYNC_RETRYING("sync_retrying"),
    /** The office asked the phone to wait (rate limit): nothing is wrong, sync resumes by itself. */
    SYNC_WAITING_FOR_OFFICE("sync_waiting_for_office"),
    SYNC_REFUSED("sync_refused", showDetail = true),
}

/** A message for the user: what happened ([key]) and, where [MessageKey.showDetail], why. */
data class UserMessage(val key: MessageKey, val detail: String? = null) {
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

    /** The message for any failure of a call into the core. */
    fun of(e: Throwable): UserMessage = when (e) {
        is ApiException -> UserMessage(keyOf(e), detailOf(e))
        else -> UserMessage(MessageKey.UNEXPECTED, e.message ?: e.javaClass.simpleName)
    }
}
