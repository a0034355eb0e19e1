package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.EnrollmentRecord
import kotlinx.coroutines.Job
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlin.coroutines.coroutineContext

data class EnrollmentState(
    val serverUrl: String = "",
    val code: String = "",
    val deviceName: String = "",
    /** The office's own CA (PEM) as pasted, for an office that does not use a public certificate. */
    val serverCa: String = "",
    val checking: Boolean = true,
    val busy: Boolean = false,
    val enrolled: EnrollmentRecord? = null,
    val message: UserMessage? = null,
) {
    val canSubmit: Boolean get() = !busy && serverUrl.isNotBlank() && code.isNotBlank() && deviceName.isNotBlank()

    /** The CA to trust, or null to trust the phone's public CAs. */
    val serverCaPem: String? get() = serverCa.trim().takeIf { it.isNotEmpty() }
}

/**
 * The first screen: the technician scans the console's QR code or types the office address and
 * the one-time code dispatch gave them (and, for an office with its own CA, pastes its PEM).
 * [afterEnroll] runs once enrolled (the app asks the sync policy for a first sync).
 */
class EnrollmentViewModel(
    private val repository: FieldworkRepository,
    defaultDeviceName: String,
    defaultServerUrl: String = "",
    private val afterEnroll: () -> Unit = {},
) : ViewModel() {
    private val _state = MutableStateFlow(EnrollmentState(serverUrl = defaultServerUrl, deviceName = defaultDeviceName))
    val state: StateFlow<EnrollmentState> = _state.asStateFlow()

    init {
        viewModelScope.launch {
            val enrolled = try {
                repository.enrollment()
            } catch (e: ApiException) {
                _state.update { it.copy(message = ErrorMessages.of(e)) }
                null
            }
            _state.update { it.copy(checking = false, enrolled = enrolled) }
        }
    }

    fun onServerUrlChanged(value: String) = _state.update { it.copy(serverUrl = value, message = null) }

    fun onCodeChanged(value: String) = _state.update { it.copy(code = value, message = null) }

    fun onDeviceNameChanged(value: String) = _state.update { it.copy(deviceName = value, message = null) }

    fun onServerCaChanged(pem: String) = _state.update { it.copy(serverCa = pem, message = null) }

    /**
     * A scanned QR code (the console's enrollment page): fills the office address and the code;
     * anything else is said and changes nothing.
     */
    fun onScanned(text: String) {
        val payload = EnrollmentCode.parse(text)
        if (payload == null) {
            _state.update { it.copy(message = UserMessage(MessageKey.ENROLL_QR_INVALID)) }
        } else {
            _state.update { it.copy(serverUrl = payload.office, code = payload.code, message = null) }
        }
    }

    /** The scanner failed (no camera, no permission): the fields can still be typed. */
    fun onScanFailed() = _state.update { it.copy(message = UserMessage(MessageKey.SCAN_FAILED)) }

    /**
     * Scans with [scanner] (the app's camera scanner: the code's text, or null if cancelled)
     * and fills the form from what it read. Whatever the scanner throws is said, not a crash.
     */
    fun scan(scanner: suspend () -> String?): Job = viewModelScope.launch {
        val text = try {
            scanner()
        } catch (e: Throwable) {
            coroutineContext.ensureActive() // the screen went away: stop quietly
            onScanFailed()
            return@launch
        }
        if (text != null) onScanned(text)
    }

    fun enroll(): Job = viewModelScope.launch {
        val form = _state.value
        if (form.busy) return@launch
        if (!form.canSubmit) {
            _state.update { it.copy(message = UserMessage(MessageKey.ENROLL_FIELDS_MISSING)) }
            return@launch
        }
        _state.update { it.copy(busy = true, message = null) }
        try {
            val enrolled = repository.enroll(
                serverUrl = form.serverUrl.trim().trimEnd('/'),
                code = form.code.trim(),
                deviceName = form.deviceName.trim(),
                serverCaPem = form.serverCaPem,
            )
            _state.update { it.copy(busy = false, enrolled = enrolled, code = "") }
            afterEnroll()
        } catch (e: ApiException) {
            val message = if (e is ApiException.Unauthorized) UserMessage(MessageKey.ENROLL_CODE_REJECTED) else ErrorMessages.of(e)
            _state.update { it.copy(busy = false, message = message) }
        }
    }
}
