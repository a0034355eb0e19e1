package app.fieldwork.ui

import androidx.annotation.StringRes
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import app.fieldwork.ffi.JobStatus
import app.fieldwork.shell.FieldworkRepository
import app.fieldwork.shell.MessageKey
import app.fieldwork.shell.SyncPolicy
import app.fieldwork.shell.UserMessage

/** What the screens need from the app (the Application implements it). */
interface ShellGraph {
    val repository: FieldworkRepository
    val syncPolicy: SyncPolicy
    val deviceName: String
}

/** What only the Activity can do. */
interface PlatformActions {
    /** The camera's live preview (CameraX's PreviewView on Android), asking for permission if needed. */
    @Composable
    fun CameraPreview(modifier: Modifier)
    suspend fun takePhoto(): ByteArray
    fun sharePdf(jobId: String)
}

@StringRes
fun MessageKey.stringRes(): Int = when (this) {
    MessageKey.INVALID_INPUT -> R.string.error_invalid_input
    MessageKey.NOT_FOUND -> R.string.error_not_found
    MessageKey.NOT_ENROLLED -> R.string.error_not_enrolled
    MessageKey.OFFLINE -> R.string.error_offline
    MessageKey.TLS -> R.string.error_tls
    MessageKey.UNAUTHORIZED -> R.string.error_unauthorized
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
    MessageKey.SYNC_UP_TO_DATE -> R.string.sync_up_to_date
    MessageKey.SYNC_PENDING -> R.string.sync_pending
    MessageKey.SYNC_RUNNING -> R.string.sync_running
    MessageKey.SYNC_WAITING_FOR_NETWORK -> R.string.sync_waiting_for_network
    MessageKey.SYNC_RETRYING -> R.string.sync_retrying
    MessageKey.SYNC_REFUSED -> R.string.sync_refused
}

/** The message and, where it is meant for the user, the core's detail under it. */
@Composable
fun UserMessage.text(): String = listOfNotNull(localized(key.stringRes()), shownDetail).joinToString("\n")

@StringRes
fun JobStatus.actionRes(): Int = when (this) {
    JobStatus.ACCEPTED -> R.string.status_accepted
    JobStatus.EN_ROUTE -> R.string.status_en_route
    JobStatus.ON_SITE -> R.string.status_on_site
    JobStatus.IN_PROGRESS -> R.string.status_in_progress
    JobStatus.ON_HOLD -> R.string.status_on_hold
    else -> R.string.status_completed
}
