package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldwork.ffi.ApiException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.combine
import kotlinx.coroutines.flow.stateIn
import kotlinx.coroutines.launch

/** A change of one job that the office refused, and why (shown until a later sync clears it). */
data class RefusedChange(val jobId: String, val customerName: String, val reason: String)

/** The sync status bar at the top of every screen. */
data class SyncBarState(
    /** The bar's text. */
    val headline: MessageKey = MessageKey.SYNC_UP_TO_DATE,
    val phase: SyncPhase = SyncPhase.IDLE,
    /** Jobs with changes the office has not acknowledged yet. */
    val pendingJobs: Int = 0,
    val lastSuccessAtMs: Long? = null,
    /** A problem the user must see (TLS, re-enrol, server error); null for a quiet outage. */
    val problem: UserMessage? = null,
    val refused: List<RefusedChange> = emptyList(),
    /** Show a "try again" button (not while the office asked to wait: it would not sync sooner). */
    val canRetry: Boolean = false,
)

/** Combines the [SyncPolicy]'s state with what the core says is pending or refused. */
class SyncStatusViewModel(
    private val repository: FieldworkRepository,
    private val policy: SyncPolicy,
) : ViewModel() {
    private data class Local(val pendingJobs: Int = 0, val refused: List<RefusedChange> = emptyList())

    private val local = MutableStateFlow(Local())

    val state: StateFlow<SyncBarState> = combine(policy.state, local) { sync, local -> bar(sync, local) }
        .stateIn(viewModelScope, SharingStarted.Eagerly, SyncBarState())

    init {
        viewModelScope.launch { repository.refreshes().collect { loadLocal() } }
    }

    fun syncNow() = policy.syncNow()

    private suspend fun loadLocal() {
        try {
            val jobs = repository.jobs()
            local.value = Local(
                pendingJobs = jobs.count { it.pendingSync },
                refused = jobs.mapNotNull { job -> job.syncError?.let { RefusedChange(job.id, job.customerName, it) } },
            )
        } catch (_: ApiException) {
            // The store is unreadable: the screens show that; the bar keeps its last state.
        }
    }

    companion object {
        private fun bar(sync: SyncState, local: Local): SyncBarState {
            val headline = when {
                sync.phase == SyncPhase.SYNCING -> MessageKey.SYNC_RUNNING
                sync.problem != null -> sync.problem.key
                sync.phase == SyncPhase.WAITING_FOR_NETWORK -> MessageKey.SYNC_WAITING_FOR_NETWORK
                sync.phase == SyncPhase.WAITING_FOR_OFFICE -> MessageKey.SYNC_WAITING_FOR_OFFICE
                sync.phase == SyncPhase.RETRY_SCHEDULED -> MessageKey.SYNC_RETRYING
                local.refused.isNotEmpty() -> MessageKey.SYNC_REFUSED
                local.pendingJobs > 0 -> MessageKey.SYNC_PENDING
                else -> MessageKey.SYNC_UP_TO_DATE
            }
            return SyncBarState(
                headline = headline,
                phase = sync.phase,
                pendingJobs = local.pendingJobs,
                lastSuccessAtMs = sync.lastSuccessAtMs,
                problem = sync.problem,
                refused = local.refused,
                canRetry = sync.phase == SyncPhase.STOPPED || sync.phase == SyncPhase.RETRY_SCHEDULED,
            )
        }
    }
}
