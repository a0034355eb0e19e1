package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.ReportLanguage
import app.fieldwork.ffi.ReportOutlineRecord
import app.fieldwork.ffi.ReportState
import app.fieldwork.ffi.ReportVersionRecord
import app.fieldwork.ffi.SealRecord
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/** The signing flow's steps, in the order the customer meets them. */
enum class SigningStep {
    /** What will be sealed, in the report's language, with the attestation sentence. */
    REVIEW,

    /** The pad: the customer signs above the line and gives their name. */
    SIGN,

    /** The customer refuses to sign and says why (reached from the review, by its own action). */
    REFUSE,

    /** Sealed: what was recorded, for the customer to see. */
    DONE,

    /** The customer hands the phone back to the technician. */
    HAND_BACK,
}

data class SigningState(
    val jobId: String,
    val language: ReportLanguage,
    val signature: Signature,
    val step: SigningStep = SigningStep.REVIEW,
    /** What the customer is about to sign, in the PDF's words, built from the job as it is now. */
    val preview: ReportOutlineRecord? = null,
    /** Small JPEGs of the preview's photos this phone holds, by photo id. */
    val thumbnails: Map<String, ByteArray> = emptyMap(),
    val signerName: String = "",
    val signerRole: String = "",
    val refusalReason: String = "",
    /** The latest report state of the job. */
    val reportStatus: ReportState = ReportState.NONE,
    val versions: List<ReportVersionRecord> = emptyList(),
    /** The version just sealed on this screen. */
    val sealed: SealRecord? = null,
    val busy: Boolean = false,
    val message: UserMessage? = null,
) {
    val canSign: Boolean get() = !busy && preview != null && !signature.isEmpty && signerName.isNotBlank()
    val canRefuse: Boolean get() = !busy && preview != null && refusalReason.isNotBlank()
}

/**
 * The customer signs the completion report on the phone, offline, in steps ([SigningStep]):
 * the review of what is sealed ([preview], rebuilt from the current job whenever the review
 * opens and whenever the job changes), then the pad or the refusal, then the confirmation and
 * the hand-back. The UI reports pointer events in canvas units; [sign] seals the signature on a
 * new report version (`signReport`, which also records `completed`), [refuse] seals the
 * customer's refusal instead. A refused signature (`BadSignature`) clears the pad so the
 * customer signs again. If the job changes while the customer is on the pad, the flow goes back
 * to the review: nobody signs a report they have not seen.
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

    /** One preview build at a time, so an older one never replaces a newer one. */
    private val building = Mutex()

    init {
        viewModelScope.launch {
            repository.refreshesOf(jobId).collect {
                loadReports()
                if (_state.value.step in REVIEWED_STEPS) rebuildPreview()
            }
        }
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

    // The steps.

    /** Opens the review (again): the preview is rebuilt from the job as it is now. */
    fun openReview(): Job {
        _state.update { it.copy(step = SigningStep.REVIEW) }
        return preview()
    }

    /** From the review to the pad. */
    fun startSigning() = _state.update { if (it.preview != null) it.copy(step = SigningStep.SIGN, message = null) else it }

    /** From the review to the refusal. */
    fun startRefusal() = _state.update { if (it.preview != null) it.copy(step = SigningStep.REFUSE, message = null) else it }

    /** From the confirmation to the screen that asks the customer to hand the phone back. */
    fun handBack() = _state.update { it.copy(step = SigningStep.HAND_BACK) }

    /**
     * The system back within the flow: from the pad or the refusal to the review. False when
     * back leaves the flow (from the review, or once sealed).
     */
    fun back(): Boolean {
        if (_state.value.step != SigningStep.SIGN && _state.value.step != SigningStep.REFUSE) return false
        openReview()
        return true
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

    /** The report's language, chosen on the review: the preview is rebuilt in it. */
    fun onLanguageChanged(language: ReportLanguage): Job {
        _state.update { it.copy(language = language) }
        return preview()
    }

    /** Builds what the customer is about to sign, from the job as it is now. */
    fun preview(): Job = viewModelScope.launch { rebuildPreview() }

    private suspend fun rebuildPreview() = building.withLock {
        try {
            val language = _state.value.language
            val preview = repository.signingPreview(jobId, language)
            val known = _state.value.thumbnails
            val thumbnails = preview.photos.mapNotNull { photo ->
                (known[photo.id] ?: repository.photoThumbnail(photo.id))?.let { photo.id to it }
            }.toMap()
            _state.update { s ->
                val seen = s.preview
                // On the pad or the refusal the customer saw the old words: back to the review.
                val changed = seen != null && s.step in SEALING_STEPS && !sameContent(seen, preview)
                if (s.language != language) {
                    s // the language changed meanwhile: the build for the new one follows
                } else if (changed) {
                    s.copy(
                        preview = preview,
                        thumbnails = thumbnails,
                        step = SigningStep.REVIEW,
                        signature = s.signature.cleared(),
                        message = UserMessage(MessageKey.REPORT_CHANGED_REVIEW),
                    )
                } else {
                    s.copy(preview = preview, thumbnails = thumbnails)
                }
            }
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
        val refuser = (name ?: s.signerName).trim().takeIf { it.isNotEmpty() }
        seal(clearOnBadSignature = false) { repository.refuseReport(jobId, s.refusalReason.trim(), refuser, s.language) }
    }

    private suspend fun seal(clearOnBadSignature: Boolean, write: suspend () -> SealRecord) {
        _state.update { it.copy(busy = true, message = null) }
        try {
            val sealed = write()
            loadReports()
            _state.update { it.copy(busy = false, sealed = sealed, signature = it.signature.cleared(), step = SigningStep.DONE) }
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

    private companion object {
        /** Steps that show (or act on) the preview: it is kept current while they are open. */
        val REVIEWED_STEPS = setOf(SigningStep.REVIEW, SigningStep.SIGN, SigningStep.REFUSE)

        /** Steps where the customer acts on what they reviewed. */
        val SEALING_STEPS = setOf(SigningStep.SIGN, SigningStep.REFUSE)

        /**
         * Whether two previews say the same about the work. The overview's completion time is
         * the time of the build, so only the sections and the photos are compared.
         */
        fun sameContent(a: ReportOutlineRecord, b: ReportOutlineRecord) = a.sections == b.sections && a.photos == b.photos
    }
}
