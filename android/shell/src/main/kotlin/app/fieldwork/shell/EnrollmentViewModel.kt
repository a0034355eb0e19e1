package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.EnrollmentRecord
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class EnrollmentState(
    val serverUrl: String = "",
    val code: String = "",
    val deviceName: String = "",
    /** The office's own CA (PEM), for an office that does not use a public certificate. */
    val serverCaPem: String? = null,
    val checking: Boolean = true,
    val busy: Boolean = false,
    val enrolled: EnrollmentRecord? = null,
    val message: UserMessage? = null,
) {
    val canSubmit: Boolean get() = !busy && serverUrl.isNotBlank() && code.isNotBlank() && deviceName.isNotBlank()
}

/**
 * The first screen: the technician types the office address and the one-time code dispatch
 * gave them. [afterEnroll] runs once enrolled (the app asks the sync policy for a first sync).
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

    fun onServerCaChanged(pem: String?) = _state.update { it.copy(serverCaPem = pem?.takeIf { p -> p.isNotBlank() }) }

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
