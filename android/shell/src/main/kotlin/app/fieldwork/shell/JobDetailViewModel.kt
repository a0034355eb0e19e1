package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.NewPartRecord
import app.fieldwork.ffi.TimeKind
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class JobDetailState(
    val jobId: String,
    val loading: Boolean = true,
    val job: JobDetail? = null,
    /** The status buttons to offer now. */
    val allowedStatuses: List<JobStatus> = emptyList(),
    /** Local changes the office has not acknowledged yet. */
    val pendingSync: Boolean = false,
    /** Why the office refused this job's last changes, if it did. */
    val syncError: String? = null,
    /** An edit is being written (a few milliseconds; the buttons stay disabled meanwhile). */
    val saving: Boolean = false,
    val message: UserMessage? = null,
)

/**
 * One job on site: status, notes, parts with serials, time, diagnosis, loaners and the
 * checklist. Every action is written to the core at once (durable offline) and the screen
 * reloads from the core's job observer; nothing is kept here that the core does not have.
 */
class JobDetailViewModel(
    private val repository: FieldworkRepository,
    val jobId: String,
) : ViewModel() {
    private val _state = MutableStateFlow(JobDetailState(jobId))
    val state: StateFlow<JobDetailState> = _state.asStateFlow()

    init {
        viewModelScope.launch { repository.refreshesOf(jobId).collect { load() } }
    }

    private suspend fun load() {
        try {
            val job = repository.job(jobId)
            val summary = repository.jobSummary(jobId)
            _state.update {
                it.copy(
                    loading = false,
                    job = job,
                    allowedStatuses = StatusActions.allowedFrom(job.jobStatus),
                    pendingSync = summary?.pendingSync ?: false,
                    syncError = summary?.syncError,
                )
            }
        } catch (e: ApiException) {
            _state.update { it.copy(loading = false, message = ErrorMessages.of(e)) }
        }
    }

    /** Writes one edit now; a refused edit becomes the screen's message. */
    private fun edit(write: suspend () -> Unit): Job = viewModelScope.launch {
        _state.update { it.copy(saving = true, message = null) }
        try {
            write()
            load()
            _state.update { it.copy(saving = false) }
        } catch (e: ApiException) {
            _state.update { it.copy(saving = false, message = ErrorMessages.of(e)) }
        }
    }

    fun setStatus(status: JobStatus): Job = edit { repository.setStatus(jobId, status) }

    fun addNote(text: String): Job = edit { repository.addNote(jobId, text.trim()) }

    fun addPart(
        sku: String,
        description: String,
        qty: Int,
        serialIn: String? = null,
        serialOut: String? = null,
        stock: String? = null,
    ): Job = edit {
        val part = NewPartRecord(
            sku = sku.trim(),
            description = description.trim(),
            qty = qty.coerceAtLeast(0).toUInt(),
            serialIn = serialIn?.trim()?.takeIf { it.isNotEmpty() },
            serialOut = serialOut?.trim()?.takeIf { it.isNotEmpty() },
            stock = stock,
        )
        repository.addPart(jobId, part)
    }

    fun removePart(lineId: String): Job = edit { repository.removePart(jobId, lineId) }

    fun addTime(kind: TimeKind, startMs: Long, endMs: Long): Job = edit { repository.addTime(jobId, kind, startMs, endMs) }

    fun recordDiagnosis(cause: FaultCause, faultCode: String, action: String?): Job =
        edit { repository.recordDiagnosis(jobId, cause, faultCode.trim(), action?.trim()?.takeIf { it.isNotEmpty() }) }

    fun issueLoaner(serial: String, model: String): Job = edit { repository.issueLoaner(jobId, serial.trim(), model.trim()) }

    fun returnLoaner(serial: String): Job = edit { repository.returnLoaner(jobId, serial) }

    /** `pass`, `fail` or a measured number. */
    fun recordCheck(item: String, result: String, note: String? = null): Job =
        edit { repository.recordCheck(jobId, item, result.trim(), note?.trim()?.takeIf { it.isNotEmpty() }) }

    fun dismissMessage() = _state.update { it.copy(message = null) }
}
