package app.fieldwork.shell

import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.SyncReportRecord
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import kotlin.math.min
import kotlin.random.Random

private val REPORT = SyncReportRecord(0uL, 0uL, 1uL, 0uL, 0uL, 0uL)

/** The sync policy in virtual time (kotlinx-coroutines-test), then once against a real stopped server. */
@OptIn(ExperimentalCoroutinesApi::class)
class SyncPolicyTest : ShellTest() {
    private fun TestScope.policy(config: SyncPolicy.Config, sync: suspend () -> SyncReportRecord) =
        SyncPolicy(sync, config, Random(8), nowMs = { testScheduler.currentTime }, wallClockMs = { testScheduler.currentTime })

    @Test
    fun offlineIsRetriedQuietlyWithExponentialBackoffJitteredCappedAndResetBySuccess() = runTest {
        val config = SyncPolicy.Config(initialBackoffMs = 1_000, maxBackoffMs = 16_000, jitter = 0.25, periodicMs = 3_600_000)
        val attempts = mutableListOf<Long>()
        var failing = true
        val policy = policy(config) {
            attempts += testScheduler.currentTime
            if (failing) throw ApiException.Offline("error sending request: connection refused")
            REPORT
        }
        val states = mutableListOf<SyncState>()
        backgroundScope.launch { policy.state.collect { states += it } }
        policy.start(backgroundScope)

        // Eight failures in a row: the gaps double from 1 s, +/-25 %, never above 16 s.
        while (attempts.size < 9) advanceTimeBy(500)
        val gaps = attempts.zipWithNext { a, b -> b - a }
        gaps.forEachIndexed { i, gap ->
            val base = min(1_000L shl i, 16_000L)
            assertTrue(gap >= base * 3 / 4 && gap <= min(base * 5 / 4, 16_000L), "gap $i is $gap ms, base $base ms")
        }
        assertTrue(gaps.takeLast(4).all { it <= 16_000 } && gaps.takeLast(4).any { it > 12_000 }, "capped at 16 s: $gaps")
        val retrying = policy.state.value
        assertEquals(SyncPhase.RETRY_SCHEDULED, retrying.phase)
        assertEquals(9, retrying.failures)
        assertTrue(states.none { it.problem != null }, "an outage is retried quietly")

        // The office is back: the next retry succeeds and resets the backoff...
        failing = false
        advanceTimeBy(16_001)
        assertEquals(10, attempts.size)
        assertEquals(SyncPhase.IDLE, policy.state.value.phase)
        assertEquals(0, policy.state.value.failures)
        assertEquals(REPORT, policy.state.value.lastReport)

        // ...so the next outage starts again at 1 s.
        failing = true
        policy.syncNow()
        runCurrent()
        advanceTimeBy(1_251)
        assertEquals(12, attempts.size)
        assertTrue(attempts[11] - attempts[10] in 750..1_250)
    }

    @Test
    fun tlsStopsAndTellsTheUserUntilTheyRetryOrTheNetworkChanges() = runTest {
        var calls = 0
        val policy = policy(SyncPolicy.Config(periodicMs = 60_000, debounceMs = 1_000)) {
            calls++
            throw ApiException.Tls("invalid peer certificate: UnknownIssuer")
        }
        policy.start(backgroundScope)
        runCurrent()
        assertEquals(1, calls)
        val stopped = policy.state.value
        assertEquals(SyncPhase.STOPPED, stopped.phase)
        assertEquals(MessageKey.TLS, stopped.problem?.key)
        assertEquals("invalid peer certificate: UnknownIssuer", stopped.problem?.shownDetail)

        // No retry, no periodic sync, no sync after an edit: retrying would not help.
        policy.onLocalEdit()
        advanceTimeBy(24 * 3_600_000L)
        assertEquals(1, calls)

        policy.syncNow() // the user's "try again"
        runCurrent()
        assertEquals(2, calls)

        // Another network (out of a captive portal) is worth one more try.
        policy.onNetworkChanged(false)
        policy.onNetworkChanged(true)
        runCurrent()
        assertEquals(3, calls)
        assertEquals(SyncPhase.STOPPED, policy.state.value.phase)
    }

    @Test
    fun unauthorizedStopsEvenAcrossNetworkChanges() = runTest {
        var calls = 0
        val policy = policy(SyncPolicy.Config()) {
            calls++
            throw ApiException.Unauthorized("the device was revoked")
        }
        policy.start(backgroundScope)
        runCurrent()
        policy.onNetworkChanged(false)
        policy.onNetworkChanged(true)
        advanceTimeBy(3_600_000)
        assertEquals(1, calls)
        assertEquals(MessageKey.UNAUTHORIZED, policy.state.value.problem?.key)
    }

    @Test
    fun upgradeRequiredStopsAndShowsItsMessageUntilTheAppIsUpdated() = runTest {
        var calls = 0
        val policy = policy(SyncPolicy.Config(periodicMs = 60_000, debounceMs = 1_000)) {
            calls++
            throw ApiException.UpgradeRequired("this app speaks sync version 0; the office needs 1 to 1")
        }
        val states = mutableListOf<SyncState>()
        backgroundScope.launch { policy.state.collect { states += it } }
        policy.start(backgroundScope)
        runCurrent()
        assertEquals(1, calls)
        assertEquals(SyncPhase.STOPPED, policy.state.value.phase)
        assertEquals(MessageKey.UPGRADE_REQUIRED, policy.state.value.problem?.key)

        // No retry, no periodic sync, no sync after an edit or on another network: only an
        // updated app (a new policy) or the user's "try again" asks the office again.
        policy.onLocalEdit()
        policy.onNetworkChanged(false)
        policy.onNetworkChanged(true)
        advanceTimeBy(24 * 3_600_000L)
        assertEquals(1, calls)
        assertEquals(SyncPhase.STOPPED, policy.state.value.phase)
        assertEquals(MessageKey.UPGRADE_REQUIRED, policy.state.value.problem?.key)
        assertTrue(states.drop(1).all { it.phase == SyncPhase.SYNCING || it.problem?.key == MessageKey.UPGRADE_REQUIRED }, "shown from the first failure on: $states")

        policy.syncNow()
        runCurrent()
        assertEquals(2, calls)
        assertEquals(MessageKey.UPGRADE_REQUIRED, policy.state.value.problem?.key)
    }

    @Test
    fun rateLimitedWaitsAtLeastRetryAfterQuietlyWhateverAsksForASync() = runTest {
        val config = SyncPolicy.Config(initialBackoffMs = 1_000, maxBackoffMs = 16_000, jitter = 0.0, debounceMs = 1_000, periodicMs = 60_000)
        val attempts = mutableListOf<Long>()
        var retryAfter: ULong? = 120uL
        val policy = policy(config) {
            attempts += testScheduler.currentTime
            retryAfter?.let { throw ApiException.RateLimited("the office server asked this device to wait $it s", it) }
            REPORT
        }
        val states = mutableListOf<SyncState>()
        backgroundScope.launch { policy.state.collect { states += it } }
        policy.start(backgroundScope)
        runCurrent()
        assertEquals(listOf(0L), attempts)
        val waiting = policy.state.value
        assertEquals(SyncPhase.WAITING_FOR_OFFICE, waiting.phase)
        assertEquals(120_000L, waiting.retryInMs, "the office's wait, not the 1 s backoff")
        assertNull(waiting.problem, "not an alarm")

        // Neither an edit, the user's "try again", the network coming back nor the periodic
        // sync asks the office before its Retry-After.
        policy.onLocalEdit()
        advanceTimeBy(10_000)
        policy.syncNow()
        runCurrent()
        policy.onNetworkChanged(false)
        policy.onNetworkChanged(true)
        runCurrent()
        assertEquals(SyncPhase.WAITING_FOR_OFFICE, policy.state.value.phase)
        assertEquals(110_000L, policy.state.value.retryInMs)
        advanceTimeBy(109_999)
        assertEquals(listOf(0L), attempts)

        // Then once more. The office now asks for 1 s each time, but waits in a row still back
        // off ("try again" and the network reset the count: 1 s, then 2 s).
        retryAfter = 1uL
        advanceTimeBy(2)
        assertEquals(listOf(0L, 120_000L), attempts)
        assertEquals(1_000L, policy.state.value.retryInMs)
        advanceTimeBy(1_000)
        assertEquals(listOf(0L, 120_000L, 121_000L), attempts)
        assertEquals(2_000L, policy.state.value.retryInMs)
        retryAfter = null
        advanceTimeBy(2_000)
        assertEquals(listOf(0L, 120_000L, 121_000L, 123_000L), attempts)
        assertEquals(SyncPhase.IDLE, policy.state.value.phase)
        assertTrue(states.none { it.problem != null }, "waiting for the office is quiet: $states")
    }

    @Test
    fun serverErrorsAreRetriedAndShown() = runTest {
        var calls = 0
        val policy = policy(SyncPolicy.Config(initialBackoffMs = 2_000, jitter = 0.0)) {
            calls++
            if (calls == 1) throw ApiException.Server("server error 500: storage busy")
            REPORT
        }
        policy.start(backgroundScope)
        runCurrent()
        assertEquals(SyncPhase.RETRY_SCHEDULED, policy.state.value.phase)
        assertEquals(2_000L, policy.state.value.retryInMs)
        assertEquals(MessageKey.SERVER, policy.state.value.problem?.key)
        advanceTimeBy(2_001)
        assertEquals(2, calls)
        assertNull(policy.state.value.problem)
    }

    @Test
    fun syncsWhenTheNetworkReturnsAfterEditsDebouncedAndPeriodically() = runTest {
        val config = SyncPolicy.Config(debounceMs = 5_000, periodicMs = 60_000, initiallyOnline = false)
        val calls = mutableListOf<Long>()
        val policy = policy(config) {
            calls += testScheduler.currentTime
            REPORT
        }
        policy.start(backgroundScope)
        runCurrent()
        assertEquals(SyncPhase.WAITING_FOR_NETWORK, policy.state.value.phase)

        // Offline: edits wait, nothing periodic either.
        policy.onLocalEdit()
        advanceTimeBy(600_000)
        assertEquals(emptyList<Long>(), calls)

        // Connectivity regained: at once.
        policy.onNetworkChanged(true)
        runCurrent()
        assertEquals(listOf(600_000L), calls)

        // Two edits 3 s apart: one sync, 5 s after the last.
        policy.onLocalEdit()
        advanceTimeBy(3_000)
        policy.onLocalEdit()
        advanceTimeBy(4_999)
        assertEquals(1, calls.size)
        advanceTimeBy(2)
        assertEquals(listOf(600_000L, 608_000L), calls)

        // Then every minute.
        advanceTimeBy(60_001)
        assertEquals(listOf(600_000L, 608_000L, 668_000L), calls)

        // Connectivity lost: nothing until it returns.
        policy.onNetworkChanged(false)
        advanceTimeBy(600_000)
        assertEquals(3, calls.size)
        assertEquals(SyncPhase.WAITING_FOR_NETWORK, policy.state.value.phase)
    }

    @Test
    fun anEditMadeWhileASyncRunsIsSentRightAfterIt() = runTest {
        // A slow sync (10 s on a poor network); the debounce is 3 s.
        val config = SyncPolicy.Config(debounceMs = 3_000, periodicMs = 3_600_000)
        val started = mutableListOf<Long>()
        val policy = policy(config) {
            started += testScheduler.currentTime
            kotlinx.coroutines.delay(10_000)
            REPORT
        }
        policy.start(backgroundScope)
        runCurrent()
        assertEquals(listOf(0L), started)

        // 2 s in, the technician adds a note: the running sync may have pushed already.
        advanceTimeBy(2_000)
        policy.onLocalEdit()

        // The edit missed the running sync: the next one starts as soon as it ends at 10 s.
        advanceTimeBy(8_001)
        assertEquals(listOf(0L, 10_000L), started)

        // Near the end of a sync too (the scenario table holds iOS to the same): 19 s, the
        // second sync ends at 20 s, and the third starts then, not 3 s after the edit.
        advanceTimeBy(8_999)
        policy.onLocalEdit()
        advanceTimeBy(1_001)
        assertEquals(listOf(0L, 10_000L, 20_000L), started)
        // An edit after that sync waits for its quiet time.
        advanceTimeBy(10_000) // 30.001 s: the third sync ended at 30 s
        policy.onLocalEdit()
        advanceTimeBy(2_999)
        assertEquals(3, started.size)
        advanceTimeBy(2)
        assertEquals(listOf(0L, 10_000L, 20_000L, 33_001L), started)
    }

    @Test
    fun backoffStaysWithinItsJitterAndCap() {
        val policy = SyncPolicy({ REPORT }, SyncPolicy.Config(initialBackoffMs = 5_000, maxBackoffMs = 600_000, jitter = 0.2), Random(1))
        for (failures in 1..20) {
            val base = min(5_000.0 * (1L shl min(failures - 1, 30)), 600_000.0)
            repeat(50) {
                val delay = policy.backoffMs(failures)
                assertTrue(delay >= (base * 0.8).toLong() && delay <= min((base * 1.2).toLong(), 600_000), "$failures: $delay")
            }
        }
    }

    @Test
    fun aRealSyncAgainstAStoppedServerRetriesQuietlyAndSucceedsWhenItIsBack() = runBlocking {
        val office = office().start()
        office.technician("t1")
        office.job("J-1", "t1")
        val phone = enrolledPhone(office, "t1")
        val repository = phone.repository

        office.stop()
        repository.addNote("J-1", "written with the office down")
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        val policy = SyncPolicy(repository::sync, SyncPolicy.Config(initialBackoffMs = 100, maxBackoffMs = 400))
        policy.start(scope, SyncPolicy.localEditsOf(repository))
        try {
            val retrying = policy.state.await { it.failures >= 2 }
            assertEquals(SyncPhase.RETRY_SCHEDULED, retrying.phase)
            assertNull(retrying.problem, "the real Offline error is quiet")
            assertEquals(1L, repository.pendingSyncCount())

            office.start()
            val done = policy.state.await { it.phase == SyncPhase.IDLE && it.lastReport != null }
            assertEquals(1uL, done.lastReport?.uploaded)
            assertEquals(0L, repository.pendingSyncCount())
            val (_, json) = office.call("GET", "/api/v1/jobs/J-1")
            assertTrue(json.contains("written with the office down"))
        } finally {
            scope.cancel()
        }
    }
}
