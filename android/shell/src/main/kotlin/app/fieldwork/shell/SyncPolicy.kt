package app.fieldwork.shell

import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.ChangeCause
import app.fieldwork.ffi.SyncReportRecord
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.emptyFlow
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.selects.onTimeout
import kotlinx.coroutines.selects.select
import kotlin.math.min
import kotlin.math.pow
import kotlin.random.Random

enum class SyncPhase {
    /** Nothing to do until the next edit, the periodic sync or the network. */
    IDLE,
    SYNCING,
    /** The phone has no network: edits wait, a sync runs when it comes back. */
    WAITING_FOR_NETWORK,
    /** The last attempt failed; the next one is scheduled with backoff. */
    RETRY_SCHEDULED,
    /**
     * The office asked the phone to wait (`RateLimited`, HTTP 429 or 503 with Retry-After): nothing is wrong and nothing
     * is shown as a problem; the next attempt is scheduled no sooner than its Retry-After.
     */
    WAITING_FOR_OFFICE,
    /** Retrying will not help (TLS, the device is no longer accepted, the app is too old): the user must act. */
    STOPPED,
}

data class SyncState(
    val phase: SyncPhase = SyncPhase.IDLE,
    val online: Boolean = true,
    /** Failed attempts in a row (reset by a success). */
    val failures: Int = 0,
    /** Attempts made since start, successful or not. */
    val attempts: Int = 0,
    /** Delay before the scheduled retry, when [phase] is [SyncPhase.RETRY_SCHEDULED] or [SyncPhase.WAITING_FOR_OFFICE]. */
    val retryInMs: Long? = null,
    /** Wall-clock time of the last successful sync. */
    val lastSuccessAtMs: Long? = null,
    val lastReport: SyncReportRecord? = null,
    /**
     * What to tell the user, or null. An outage (`Offline`) and the office asking to wait
     * (`RateLimited`) are retried quietly and show nothing here; a server error is shown while
     * retrying; TLS and authorisation problems and an app too old for the office
     * (`UpgradeRequired`) stop the policy and are shown until [SyncPolicy.syncNow].
     */
    val problem: UserMessage? = null,
)

/**
 * When to sync. One coroutine ([start]) owns the decision:
 * - at start, when connectivity comes back ([onNetworkChanged]), periodically
 *   ([Config.periodicMs]) and, debounced ([Config.debounceMs]), after a local edit (an edit made
 *   during a sync is sent right after that sync, its debounce counted from the edit);
 * - a failed attempt is retried with exponential backoff ([backoffMs]: doubling from
 *   [Config.initialBackoffMs], jitter of +/-[Config.jitter], capped at [Config.maxBackoffMs]),
 *   reset by a success or by the network coming back;
 * - `Offline` (no route, server down) keeps retrying quietly; `Server` and other failures
 *   retry and show the problem; `Tls`, `Unauthorized`, `NotEnrolled` and `UpgradeRequired`
 *   stop and tell the user: only [syncNow] (the user's "try again", after re-enrolling; an
 *   updated app starts a new policy) starts again, and for `Tls` also a network change (a
 *   captive portal is left behind);
 * - `RateLimited` (the office's 429, or 503 with Retry-After) is quiet ([SyncPhase.WAITING_FOR_OFFICE], no problem
 *   shown) and holds every sync, whatever asks for it (retry, [syncNow], the network coming
 *   back, an edit, the periodic sync), until its `retryAfterSecs` have passed; the retry then
 *   comes after the longer of that and the backoff;
 * - while the phone has no network nothing is attempted.
 *
 * A change the office refused is not a failure of the sync: it is reported per job
 * (`JobSummaryRecord.syncError`, shown by [SyncStatusViewModel]) and the report counts it.
 * [sync] is `FieldworkRepository::sync`; time comes from [nowMs] (virtual in tests).
 */
class SyncPolicy(
    private val sync: suspend () -> SyncReportRecord,
    private val config: Config = Config(),
    private val random: Random = Random.Default,
    private val nowMs: () -> Long = { System.nanoTime() / 1_000_000 },
    private val wallClockMs: () -> Long = System::currentTimeMillis,
) {
    data class Config(
        val debounceMs: Long = 3_000,
        val periodicMs: Long = 15 * 60_000,
        val initialBackoffMs: Long = 5_000,
        val maxBackoffMs: Long = 10 * 60_000,
        /** Each delay is multiplied by a random factor in [1 - jitter, 1 + jitter], then capped. */
        val jitter: Double = 0.2,
        val syncOnStart: Boolean = true,
        /** Whether the phone has a network when the policy starts. */
        val initiallyOnline: Boolean = true,
    ) {
        init {
            require(initialBackoffMs > 0 && maxBackoffMs >= initialBackoffMs) { "backoff must be positive and capped above its start" }
            require(jitter in 0.0..1.0) { "jitter is a fraction" }
        }
    }

    private sealed interface Trigger {
        data class Network(val online: Boolean) : Trigger
        /** A local edit at [atMs] (the policy's clock): its debounce runs from the edit, not from when it is read. */
        data class LocalEdit(val atMs: Long) : Trigger
        data object Now : Trigger
        data object Deadline : Trigger
    }

    private val triggers = Channel<Trigger>(Channel.UNLIMITED)
    private val _state = MutableStateFlow(
        SyncState(
            online = config.initiallyOnline,
            phase = if (config.initiallyOnline) SyncPhase.IDLE else SyncPhase.WAITING_FOR_NETWORK,
        ),
    )
    val state: StateFlow<SyncState> = _state.asStateFlow()

    /** The phone's connectivity changed (ConnectivityManager): regained means sync now. */
    fun onNetworkChanged(online: Boolean) {
        triggers.trySend(Trigger.Network(online))
    }

    /** Something was written locally: sync after [Config.debounceMs] of quiet. */
    fun onLocalEdit() {
        triggers.trySend(Trigger.LocalEdit(nowMs()))
    }

    /** The user asked (pull to refresh, "try again", re-enrolled): sync now, whatever stopped it. */
    fun syncNow() {
        triggers.trySend(Trigger.Now)
    }

    /**
     * The delay before retry number [failures] (1 for the first retry): doubling from
     * [Config.initialBackoffMs], times a random factor in [1 - jitter, 1 + jitter], never above
     * [Config.maxBackoffMs].
     */
    fun backoffMs(failures: Int): Long {
        require(failures >= 1)
        val exponential = config.initialBackoffMs * 2.0.pow(min(failures - 1, 40))
        val base = min(exponential, config.maxBackoffMs.toDouble())
        val factor = 1.0 + config.jitter * (2.0 * random.nextDouble() - 1.0)
        return min((base * factor).toLong(), config.maxBackoffMs).coerceAtLeast(1)
    }

    /**
     * Runs the policy in [scope] until it is cancelled. [localEdits] emits after each local edit
     * (see [localEditsOf]).
     */
    fun start(scope: CoroutineScope, localEdits: Flow<Unit> = emptyFlow()): Job = scope.launch {
        launch { localEdits.collect { onLocalEdit() } }
        run()
    }

    @OptIn(ExperimentalCoroutinesApi::class)
    private suspend fun run() {
        var online = config.initiallyOnline
        var failures = 0
        var stoppedBy: ApiException? = null
        // No attempt before this time (the office's Retry-After), whatever the trigger.
        var holdUntil: Long? = null
        var debounceAt: Long? = null
        var retryAt: Long? = null
        var periodicAt = nowMs() + config.periodicMs
        var due = config.syncOnStart
        // When the last successful sync ran: an edit made meanwhile missed it. An edit made
        // before the last sync started was sent by it (a sync sends everything not yet sent).
        var lastSync: LongRange? = null
        var lastStart = Long.MIN_VALUE

        while (true) {
            val held = holdUntil?.takeIf { it > nowMs() }
            if (due && online && stoppedBy == null && held != null) {
                // Asked for during the office's pause: the attempt waits for its end.
                due = false
                debounceAt = null
                retryAt = held
                _state.update { it.copy(phase = SyncPhase.WAITING_FOR_OFFICE, retryInMs = held - nowMs(), problem = null) }
            } else if (due && online && stoppedBy == null) {
                due = false
                debounceAt = null
                retryAt = null
                holdUntil = null
                _state.update { it.copy(phase = SyncPhase.SYNCING, attempts = it.attempts + 1, retryInMs = null) }
                val startedAt = nowMs()
                lastStart = startedAt
                try {
                    val report = sync()
                    lastSync = startedAt until nowMs() // an edit at its very end came after it
                    failures = 0
                    periodicAt = nowMs() + config.periodicMs
                    _state.update {
                        it.copy(
                            phase = SyncPhase.IDLE,
                            failures = 0,
                            lastSuccessAtMs = wallClockMs(),
                            lastReport = report,
                            problem = null,
                        )
                    }
                } catch (e: CancellationException) {
                    throw e
                } catch (e: ApiException) {
                    when (e) {
                        is ApiException.Tls, is ApiException.Unauthorized, is ApiException.NotEnrolled,
                        is ApiException.UpgradeRequired -> {
                            stoppedBy = e
                            _state.update { it.copy(phase = SyncPhase.STOPPED, problem = ErrorMessages.of(e)) }
                        }
                        is ApiException.RateLimited -> {
                            // Not an alarm: the work is safe on the phone. The office's wait is
                            // a floor; repeated 429s still back off.
                            failures++
                            val now = nowMs()
                            val floorMs = retryAfterMs(e.retryAfterSecs)
                            val wait = maxOf(floorMs, backoffMs(failures))
                            holdUntil = now + floorMs
                            retryAt = now + wait
                            _state.update {
                                it.copy(phase = SyncPhase.WAITING_FOR_OFFICE, failures = failures, retryInMs = wait, problem = null)
                            }
                        }
                        else -> {
                            failures++
                            val wait = backoffMs(failures)
                            retryAt = nowMs() + wait
                            val shown = if (e is ApiException.Offline) null else ErrorMessages.of(e)
                            _state.update {
                                it.copy(phase = SyncPhase.RETRY_SCHEDULED, failures = failures, retryInMs = wait, problem = shown)
                            }
                        }
                    }
                }
            }
            due = false

            val deadline = when {
                !online || stoppedBy != null -> null
                retryAt != null -> min(retryAt, debounceAt ?: Long.MAX_VALUE)
                else -> min(periodicAt, debounceAt ?: Long.MAX_VALUE)
            }
            val trigger = select<Trigger> {
                triggers.onReceive { it }
                if (deadline != null) onTimeout((deadline - nowMs()).coerceAtLeast(0)) { Trigger.Deadline }
            }
            when (trigger) {
                Trigger.Deadline -> due = true
                is Trigger.LocalEdit -> {
                    // While backing off, the scheduled retry carries the edit: edits must not
                    // defeat the backoff. Offline or stopped, it waits for the network or the user.
                    // An edit made while a (successful) sync ran missed it: one more sync right
                    // away, for all such edits (the iOS policy's "dirty while running"; the
                    // scenario table holds both to it). Otherwise quiet time counts from the edit.
                    if (trigger.atMs < lastStart) {
                        // Already carried by the sync that started after it (or its retry).
                    } else if (online && stoppedBy == null && retryAt == null) {
                        if (lastSync?.contains(trigger.atMs) == true) {
                            due = true
                            debounceAt = null
                        } else {
                            debounceAt = trigger.atMs + config.debounceMs
                        }
                    }
                }
                Trigger.Now -> {
                    stoppedBy = null
                    failures = 0
                    retryAt = null
                    due = true
                    if (!online) _state.update { it.copy(phase = SyncPhase.WAITING_FOR_NETWORK, problem = null) }
                }
                is Trigger.Network -> {
                    online = trigger.online
                    if (online) {
                        if (stoppedBy is ApiException.Tls) stoppedBy = null
                        failures = 0
                        retryAt = null
                        due = stoppedBy == null
                        _state.update { it.copy(online = true, failures = 0, retryInMs = null) }
                    } else {
                        retryAt = null
                        debounceAt = null
                        _state.update {
                            it.copy(
                                online = false,
                                phase = if (it.phase == SyncPhase.STOPPED) SyncPhase.STOPPED else SyncPhase.WAITING_FOR_NETWORK,
                                retryInMs = null,
                            )
                        }
                    }
                }
            }
        }
    }

    companion object {
        /** The office's Retry-After in milliseconds, at most a day (as the core bounds it). */
        fun retryAfterMs(retryAfterSecs: ULong): Long = retryAfterSecs.coerceAtMost(86_400uL).toLong() * 1_000

        /** The local edits among the core's job changes. */
        fun localEditsOf(repository: FieldworkRepository): Flow<Unit> =
            repository.jobsChanged.filter { it.cause == ChangeCause.LOCAL_EDIT }.map { }
    }
}
