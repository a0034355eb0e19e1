package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.JobStatus
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import java.time.Instant
import java.time.ZoneId

/** One row of today's jobs. */
data class JobRow(
    val id: String,
    val customerName: String,
    val siteAddress: String,
    val status: JobStatus,
    val priority: String,
    val scheduledStartMs: Long?,
    /** The most urgent open SLA milestone (`response`, `arrival`, `resolution`) and its deadline. */
    val slaMilestone: String?,
    val slaDueMs: Long?,
    val risk: RiskColour,
    /** The risk in words, from the core's minutes left; null when no clock runs. */
    val slaWords: SlaWords?,
    val pendingSync: Boolean,
    /** Why the office refused this job's last changes, if it did. */
    val syncError: String?,
)

data class TodayState(
    val loading: Boolean = true,
    val rows: List<JobRow> = emptyList(),
    val message: UserMessage? = null,
)

/**
 * Today's jobs: every open job (by scheduled start, unscheduled last, as the core orders them)
 * and the jobs closed that were scheduled today. Refreshed by the core's job observer, after a
 * local edit or a sync, without polling.
 */
class TodayViewModel(
    private val repository: FieldworkRepository,
    private val clock: () -> Long = System::currentTimeMillis,
    private val zone: ZoneId = ZoneId.systemDefault(),
    /** How often the SLA words ("overdue 20 min") are judged again (the app: every minute); null: only on changes. */
    tickMs: Long? = null,
) : ViewModel() {
    private val _state = MutableStateFlow(TodayState())
    val state: StateFlow<TodayState> = _state.asStateFlow()

    /** One load at a time, so an older read never lands after a newer one. */
    private val loading = Mutex()

    init {
        viewModelScope.launch { repository.refreshes().collect { load() } }
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
            val now = clock()
            val today = Instant.ofEpochMilli(now).atZone(zone).toLocalDate()
            val rows = repository.jobsAt(now)
                .filter { job ->
                    job.status !in StatusActions.CLOSED ||
                        job.scheduledStartMs?.let { Instant.ofEpochMilli(it).atZone(zone).toLocalDate() == today } == true
                }
                .map { job ->
                    JobRow(
                        id = job.id,
                        customerName = job.customerName,
                        siteAddress = job.siteAddress,
                        status = job.status,
                        priority = job.priority,
                        scheduledStartMs = job.scheduledStartMs,
                        slaMilestone = job.slaMilestone,
                        slaDueMs = job.slaDueMs,
                        risk = SlaRisk.of(job),
                        slaWords = SlaText.of(SlaRisk.of(job), job.slaMinutesLeft),
                        pendingSync = job.pendingSync,
                        syncError = job.syncError,
                    )
                }
            _state.value = TodayState(loading = false, rows = rows)
        } catch (e: ApiException) {
            _state.update { it.copy(loading = false, message = ErrorMessages.of(e)) }
        }
    }
}
