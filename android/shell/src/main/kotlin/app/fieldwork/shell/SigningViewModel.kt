package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.ReportState
import app.fieldwork.ffi.ReportLanguage
import app.fieldwork.ffi.ReportVersionRecord
import app.fieldwork.ffi.SealRecord
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class SigningState(
    val jobId: String,
    val language: ReportLanguage,
    val signature: Signature,
    /** What the customer is about to sign, parsed from [previewJson]. */
    val preview: ReportDocument? = null,
    /** The canonical JSON without a signature, exactly as the core built it. */
    val previewJson: String? = null,
    val signerName: String = "",
    val signerRole: String = "",
    val refusalReason: String = "",
    /** The latest report state of the job: `none`, `signed`, `refused`, `changed_since_signed`. */
    val reportStatus: ReportState = ReportState.NONE,
    val versions: List<ReportVersionRecord> = emptyList(),
    /** The version just sealed on this screen. */
    val sealed: SealRecord? = null,
    val busy: Boolean = false,
    val message: UserMessage? = null,
) {
    val canSign: Boolean get() = !busy && !signature.isEmpty && signerName.isNotBlank()
    val canRefuse: Boolean get() = !busy && refusalReason.isNotBlank()
}

/**
 * The customer signs the completion report on the phone, offline. The UI reports pointer
 * events in canvas units; [preview] shows what will be sealed; [sign] seals the signature on a
 * new report version (`signReport`, which also records `completed`), [refuse] seals the
 * customer's refusal instead. A refused signature (`BadSignature`) clears the pad so the
 * customer signs again.
 */
class SigningViewModel(
    private val repository: FieldworkRepository,
    val jobId: String,
    canvasWidth: Int,
    canvasHeight: Int,
    language: ReportLanguage,
) : ViewModel() {
    private val _state = MutableStateFlow(SigningState(jobId, language, Signature(canvasWidth, canvasHeight)))
    val state: StateFlow<SigningState> = _state.asStateFlow()

    init {
        viewModelScope.launch { repository.refreshesOf(jobId).collect { loadReports() } }
    }

    private suspend fun loadReports() {
        try {
            val job = repository.job(jobId)
            val versions = repository.reportVersions(jobId)
            _state.update { it.copy(reportStatus = job.report.state, versions = versions) }
        } catch (e: ApiException) {
            _state.update { it.copy(message = ErrorMessages.of(e)) }
        }
    }

    // Pointer events, in canvas units.

    fun pointerDown(x: Float, y: Float, tMs: Long, pressure: Int) = updateSignature { it.down(x, y, tMs, pressure) }

    fun pointerMove(x: Float, y: Float, tMs: Long, pressure: Int) = updateSignature { it.move(x, y, tMs, pressure) }

    fun pointerUp() = updateSignature { it.up() }

    fun clearSignature() = updateSignature { it.cleared() }

    private fun updateSignature(change: (Signature) -> Signature) = _state.update { s ->
        val signature = change(s.signature)
        s.copy(
            signature = signature,
            message = if (signature.full) UserMessage(MessageKey.SIGNATURE_TOO_LONG) else s.message?.takeUnless { it.key == MessageKey.SIGNATURE_TOO_LONG },
        )
    }

    // Text fields.

    fun onSignerNameChanged(value: String) = _state.update { it.copy(signerName = value) }

    fun onSignerRoleChanged(value: String) = _state.update { it.copy(signerRole = value) }

    fun onRefusalReasonChanged(value: String) = _state.update { it.copy(refusalReason = value) }

    fun onLanguageChanged(language: ReportLanguage) = _state.update { it.copy(language = language) }

    /** Builds what the customer is about to sign, from the job as it is now. */
    fun preview(): Job = viewModelScope.launch {
        try {
            val json = repository.reportPreview(jobId, _state.value.language)
            _state.update { it.copy(previewJson = json, preview = parseReport(json)) }
        } catch (e: ApiException) {
            _state.update { it.copy(message = ErrorMessages.of(e)) }
        }
    }

    fun sign(): Job = viewModelScope.launch {
        val s = _state.value
        if (s.busy) return@launch
        if (s.signerName.isBlank()) {
            _state.update { it.copy(message = UserMessage(MessageKey.SIGNER_NAME_MISSING)) }
            return@launch
        }
        seal(clearOnBadSignature = true) {
            repository.signReport(
                jobId = jobId,
                signerName = s.signerName.trim(),
                signerRole = s.signerRole.trim().takeIf { it.isNotEmpty() },
                strokesJson = s.signature.toJson(),
                language = s.language,
            )
        }
    }

    /** The customer refuses to sign: the reason (and their name, if given) is sealed instead. */
    fun refuse(name: String? = null): Job = viewModelScope.launch {
        val s = _state.value
        if (s.busy) return@launch
        if (s.refusalReason.isBlank()) {
            _state.update { it.copy(message = UserMessage(MessageKey.REFUSAL_REASON_MISSING)) }
            return@launch
        }
        seal(clearOnBadSignature = false) {
            repository.refuseReport(jobId, s.refusalReason.trim(), name?.trim()?.takeIf { it.isNotEmpty() }, s.language)
        }
    }

    private suspend fun seal(clearOnBadSignature: Boolean, write: suspend () -> SealRecord) {
        _state.update { it.copy(busy = true, message = null) }
        try {
            val sealed = write()
            loadReports()
            _state.update { it.copy(busy = false, sealed = sealed, signature = it.signature.cleared()) }
        } catch (e: ApiException) {
            _state.update {
                it.copy(
                    busy = false,
                    message = ErrorMessages.of(e),
                    signature = if (clearOnBadSignature && e is ApiException.BadSignature) it.signature.cleared() else it.signature,
                )
            }
        }
    }
}
