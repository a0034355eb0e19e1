package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldwork.ffi.ApiException
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.combine
import kotlinx.coroutines.flow.stateIn
import kotlinx.coroutines.launch

/** A change of one job that the office refused, and why (shown until a later sync clears it). */
data class RefusedChange(val jobId: String, val customerName: String, val reason: String)

/** How the bar looks: each has its own colour and icon (offline is never shown by colour alone). */
enum class SyncTone {
    /** Everything is at the office. */
    UP_TO_DATE,

    /** A sync is running, or work waits for the next one. */
    PENDING,

    /** The phone has no network: the work is safe on the phone. */
    OFFLINE,

    /** The user must see it: a stopped sync, a server error, a change the office refused. */
    PROBLEM,
}

/** The sync status bar at the top of every screen. */
data class SyncBarState(
    /** The bar's text. */
    val headline: MessageKey = MessageKey.SYNC_UP_TO_DATE,
    val tone: SyncTone = SyncTone.UP_TO_DATE,
    val phase: SyncPhase = SyncPhase.IDLE,
    /** Jobs with changes the office has not acknowledged yet (the core's count). */
    val pendingJobs: Int = 0,
    /** Wall-clock time of the last successful send, null if none since the app started. */
    val lastSuccessAtMs: Long? = null,
    /** The clock [lastSuccessAtMs] is read against ("2 min ago"); it ticks while the bar is shown. */
    val nowMs: Long = 0,
    /** A problem the user must see (TLS, re-enrol, server error); null for a quiet outage. */
    val problem: UserMessage? = null,
    val refused: List<RefusedChange> = emptyList(),
    /** The policy stopped or is backing off: "Send now" also means "try again". */
    val canRetry: Boolean = false,
) {
    /** "Send now" is offered unless a sync is running (tapping it would not sync sooner). */
    val canSendNow: Boolean get() = phase != SyncPhase.SYNCING
}

/** Combines the [SyncPolicy]'s state with what the core says is pending or refused. */
class SyncStatusViewModel(
    private val repository: FieldworkRepository,
    private val policy: SyncPolicy,
    private val clock: () -> Long = System::currentTimeMillis,
    /** How often "2 min ago" is brought up to date (the app: every 30 s); null: only on changes. */
    tickMs: Long? = null,
) : ViewModel() {
    private data class Local(val pendingJobs: Int = 0, val refused: List<RefusedChange> = emptyList())

    private val local = MutableStateFlow(Local())
    private val now = MutableStateFlow(clock())

    val state: StateFlow<SyncBarState> = combine(policy.state, local, now) { sync, local, now -> bar(sync, local, now) }
        .stateIn(viewModelScope, SharingStarted.Eagerly, SyncBarState(nowMs = clock()))

    init {
        viewModelScope.launch { repository.refreshes().collect { loadLocal() } }
        // A finished sync moves "last sent" too: read the clock again when the policy changes.
        viewModelScope.launch { policy.state.collect { now.value = clock() } }
        if (tickMs != null) {
            viewModelScope.launch {
                while (true) {
                    delay(tickMs)
                    now.value = clock()
                }
            }
        }
    }

    /** The bar's "Send now" (and "try again" after a stop): sync at once. */
    fun syncNow() = policy.syncNow()

    private suspend fun loadLocal() {
        try {
            val pending = repository.pendingSyncCount()
            val jobs = repository.jobs()
            local.value = Local(
                pendingJobs = pending.toInt(),
                refused = jobs.mapNotNull { job -> job.syncError?.let { RefusedChange(job.id, job.customerName, it) } },
            )
        } catch (_: ApiException) {
            // The store is unreadable: the screens show that; the bar keeps its last state.
        }
    }

    companion object {
        private fun bar(sync: SyncState, local: Local, now: Long): SyncBarState {
            val offline = !sync.online || sync.phase == SyncPhase.WAITING_FOR_NETWORK
            val headline = when {
                sync.phase == SyncPhase.SYNCING -> MessageKey.SYNC_RUNNING
                sync.problem != null -> sync.problem.key
                offline -> MessageKey.SYNC_WAITING_FOR_NETWORK
                sync.phase == SyncPhase.WAITING_FOR_OFFICE -> MessageKey.SYNC_WAITING_FOR_OFFICE
                sync.phase == SyncPhase.RETRY_SCHEDULED -> MessageKey.SYNC_RETRYING
                local.refused.isNotEmpty() -> MessageKey.SYNC_REFUSED
                local.pendingJobs > 0 -> MessageKey.SYNC_PENDING
                else -> MessageKey.SYNC_UP_TO_DATE
            }
            val tone = when {
                sync.problem != null || local.refused.isNotEmpty() -> SyncTone.PROBLEM
                offline -> SyncTone.OFFLINE
                sync.phase == SyncPhase.IDLE && local.pendingJobs == 0 -> SyncTone.UP_TO_DATE
                else -> SyncTone.PENDING
            }
            return SyncBarState(
                headline = headline,
                tone = tone,
                phase = sync.phase,
                pendingJobs = local.pendingJobs,
                lastSuccessAtMs = sync.lastSuccessAtMs,
                nowMs = now,
                problem = sync.problem,
                refused = local.refused,
                canRetry = sync.phase == SyncPhase.STOPPED || sync.phase == SyncPhase.RETRY_SCHEDULED,
            )
        }
    }
}
