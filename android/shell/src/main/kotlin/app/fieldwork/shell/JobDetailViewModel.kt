package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.JobDetailRecord
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.NewPartRecord
import app.fieldwork.ffi.ProposedTimeRecord
import app.fieldwork.ffi.StockLevelRecord
import app.fieldwork.ffi.TimeKind
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import java.time.Instant
import java.time.LocalDate
import java.time.LocalTime
import java.time.ZoneId

data class JobDetailState(
    val jobId: String,
    val loading: Boolean = true,
    val job: JobDetailRecord? = null,
    /** The status buttons to offer now. */
    val allowedStatuses: List<JobStatus> = emptyList(),
    /** Local changes the office has not acknowledged yet. */
    val pendingSync: Boolean = false,
    /** Why the office refused this job's last changes, if it did. */
    val syncError: String? = null,
    /** An edit is being written (a few milliseconds; the buttons stay disabled meanwhile). */
    val saving: Boolean = false,
    val message: UserMessage? = null,
    /** Travel and labour the core reads from the status timeline, for the technician to confirm or edit. */
    val proposedTimes: List<ProposedTimeRecord> = emptyList(),
    /** Small JPEGs (long edge 320 px) of the photos this phone holds, by photo id. */
    val thumbnails: Map<String, ByteArray> = emptyMap(),
    /** What the technician's van holds, for the part form's picker (empty without a van). */
    val vanParts: List<StockLevelRecord> = emptyList(),
)

/** What a code scanned into the part form's "From the van" picker is ([JobDetailViewModel.vanScan], over [JobDetailState.vanParts]). */
sealed interface VanScan {
    /** The part number of a part the van holds: the picker picks it. */
    data class Part(val level: StockLevelRecord) : VanScan

    /** Anything else: the serial of the part being fitted. */
    data class Serial(val serial: String) : VanScan

    /** Nothing was read (white space only). */
    data object Empty : VanScan
}

/**
 * One job on site: status, notes, parts with serials, time, diagnosis, loaners and the
 * checklist. Every action is written to the core at once (durable offline) and the screen
 * reloads from the core's job observer; nothing is kept here that the core does not have.
 */
class JobDetailViewModel(
    private val repository: FieldworkRepository,
    val jobId: String,
    private val clock: () -> Long = System::currentTimeMillis,
    private val zone: ZoneId = ZoneId.systemDefault(),
    /** How often the SLA is judged again (the app: every minute); null: only on changes. */
    tickMs: Long? = null,
) : ViewModel() {
    private val _state = MutableStateFlow(JobDetailState(jobId))
    val state: StateFlow<JobDetailState> = _state.asStateFlow()

    /**
     * One load at a time: a load started by the observer and one started by an edit would
     * otherwise overlap, and the older read could land last and show the job before the edit.
     */
    private val loading = Mutex()

    init {
        viewModelScope.launch { repository.refreshesOf(jobId).collect { load() } }
        if (tickMs != null) {
            viewModelScope.launch {
                while (true) {
                    delay(tickMs)
                    load()
                }
            }
        }
    }

    private suspend fun load() = loading.withLock {
        try {
            val job = repository.jobAt(jobId, clock())
            val proposed = repository.proposedTimes(jobId)
            // A photo's thumbnail never changes: fetch only the ones not shown yet.
            val known = _state.value.thumbnails
            val thumbnails = job.photos.filter { it.onDevice }.mapNotNull { photo ->
                (known[photo.id] ?: repository.photoThumbnail(photo.id))?.let { photo.id to it }
            }.toMap()
            // The van's parts for the picker; no van yet (or a failed read) is simply no picker.
            val vanParts = try {
                repository.vanStock().levels
            } catch (e: ApiException) {
                emptyList()
            }
            _state.update {
                it.copy(
                    loading = false,
                    job = job,
                    allowedStatuses = job.offeredStatuses,
                    pendingSync = job.pendingSync,
                    syncError = job.syncError,
                    proposedTimes = proposed,
                    thumbnails = thumbnails,
                    vanParts = vanParts,
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

    /** The part form: quantity as typed (a whole number; the core judges its range). */
    fun addPartFromForm(sku: String, description: String, qty: String, serialIn: String, serialOut: String): Job {
        val count = qty.trim().toIntOrNull() ?: return refuse(MessageKey.PART_QTY_NOT_A_NUMBER)
        return addPart(sku, description, count, serialIn, serialOut)
    }

    /** Only a line this technician added can be removed ([app.fieldwork.ffi.PartLineRecord.removable]). */
    fun removePart(lineId: String): Job = edit { repository.removePart(jobId, lineId) }

    /** Records a proposed travel or labour time as it is. */
    fun confirmProposedTime(proposal: ProposedTimeRecord): Job = addTime(proposal.kind, proposal.startMs, proposal.endMs)

    fun addTime(kind: TimeKind, startMs: Long, endMs: Long): Job = edit { repository.addTime(jobId, kind, startMs, endMs) }

    fun recordDiagnosis(cause: FaultCause, faultCode: String, action: String?): Job =
        edit { repository.recordDiagnosis(jobId, cause, faultCode.trim(), action?.trim()?.takeIf { it.isNotEmpty() }) }

    fun issueLoaner(serial: String, model: String): Job = edit { repository.issueLoaner(jobId, serial.trim(), model.trim()) }

    fun returnLoaner(serial: String): Job = edit { repository.returnLoaner(jobId, serial) }

    /**
     * Travel or labour between two clock times the technician typed ("8:30", "09:45") on
     * today's date in the phone's zone. An end before the start is the core's to refuse.
     */
    fun addTimeToday(kind: TimeKind, start: String, end: String): Job = addTimeOn(kind, today(), start, end)

    /** [addTimeToday] on another [day] (a proposed time from yesterday, edited). */
    fun addTimeOn(kind: TimeKind, day: LocalDate, start: String, end: String): Job {
        val from = ClockTime.parse(start)
        val to = ClockTime.parse(end)
        if (from == null || to == null) return refuse(MessageKey.TIME_NOT_A_CLOCK_TIME)
        val ms = { t: LocalTime -> day.atTime(t).atZone(zone).toInstant().toEpochMilli() }
        return addTime(kind, ms(from), ms(to))
    }

    private fun today(): LocalDate = Instant.ofEpochMilli(clock()).atZone(zone).toLocalDate()

    /** The diagnosis form: a cause and a fault code are required, the action taken is not. */
    fun saveDiagnosis(cause: FaultCause?, faultCode: String, action: String?): Job {
        if (cause == null || faultCode.isBlank()) return refuse(MessageKey.DIAGNOSIS_INCOMPLETE)
        return recordDiagnosis(cause, faultCode, action)
    }

    /** The loaner form: serial and model are both required. */
    fun issueLoanerFromForm(serial: String, model: String): Job {
        if (serial.isBlank() || model.isBlank()) return refuse(MessageKey.LOANER_FIELDS_MISSING)
        return issueLoaner(serial, model)
    }

    /** A form's own check failed: nothing is written, the screen says why. */
    private fun refuse(key: MessageKey): Job = viewModelScope.launch { _state.update { it.copy(message = UserMessage(key)) } }

    /** `pass`, `fail` or a measured number. */
    fun recordCheck(item: String, result: String, note: String? = null): Job =
        edit { repository.recordCheck(jobId, item, result.trim(), note?.trim()?.takeIf { it.isNotEmpty() }) }

    fun dismissMessage() = _state.update { it.copy(message = null) }

    companion object {
        /**
         * What a code scanned into the "From the van" picker is: the part number of one of
         * [vanParts] (the same letters, in either case) picks that part; any other code is the
         * serial of the part being fitted. White space and control characters around the code
         * (a scanner's line end, a GS1 code's group separator) are not part of it.
         */
        fun vanScan(scanned: String, vanParts: List<StockLevelRecord>): VanScan {
            val code = scanned.trim { it.isWhitespace() || it.isISOControl() }
            if (code.isEmpty()) return VanScan.Empty
            val part = vanParts.firstOrNull { it.sku == code } ?: vanParts.firstOrNull { it.sku.equals(code, ignoreCase = true) }
            return if (part != null) VanScan.Part(part) else VanScan.Serial(code)
        }
    }
}

/** Clock times as a technician types them: `H:MM` or `HH:MM`, 24-hour. */
object ClockTime {
    private val pattern = Regex("""^([01]?\d|2[0-3]):([0-5]\d)$""")

    fun parse(text: String): LocalTime? =
        pattern.matchEntire(text.trim())?.destructured?.let { (h, m) -> LocalTime.of(h.toInt(), m.toInt()) }
}
