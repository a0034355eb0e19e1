package app.fieldwork.shell

import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.SyncReportRecord
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.delay
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.boolean
import kotlinx.serialization.json.booleanOrNull
import kotlinx.serialization.json.double
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import java.io.File
import kotlin.random.Random

/**
 * The sync scenarios both phones' policies are held to (`tests/sync-scenarios.json`, replayed
 * on iOS by `SyncScenarioTests.swift`), replayed here against [SyncPolicy] in virtual time: the
 * table's events at their instants, each sync taking and ending as the table says, and every
 * sync start and phase compared with what the table expects.
 */
@OptIn(ExperimentalCoroutinesApi::class)
class SyncScenariosTest {
    private val table: JsonObject = Json.parseToJsonElement(
        File(System.getProperty("fieldwork.sync.scenarios") ?: "../../tests/sync-scenarios.json").readText(),
    ).jsonObject

    private fun ms(seconds: Double): Long = Math.round(seconds * 1_000)

    private fun config(start: JsonObject): SyncPolicy.Config {
        val t = table.getValue("timing").jsonObject
        fun s(key: String) = ms(t.getValue(key).jsonPrimitive.double)
        return SyncPolicy.Config(
            debounceMs = s("debounce_s"),
            periodicMs = s("periodic_s"),
            initialBackoffMs = s("initial_backoff_s"),
            maxBackoffMs = s("max_backoff_s"),
            jitter = 0.0, // the table's times are exact: replayed without jitter
            syncOnStart = start.getValue("sync_on_start").jsonPrimitive.boolean,
            initiallyOnline = start.getValue("online").jsonPrimitive.boolean,
        )
    }

    /** The core's answer a sync of the table ends with. */
    private fun ending(sync: JsonObject): ApiException? = when (val result = sync.getValue("result").jsonPrimitive.content) {
        "ok" -> null
        "offline" -> ApiException.Offline("connection refused")
        "server" -> ApiException.Server("500")
        "storage" -> ApiException.Storage("disk full")
        "rate_limited" -> ApiException.RateLimited("429", sync.getValue("retry_after_s").jsonPrimitive.long.toULong())
        "tls" -> ApiException.Tls("unknown issuer")
        "unauthorized" -> ApiException.Unauthorized("revoked")
        "not_enrolled" -> ApiException.NotEnrolled("not enrolled")
        "upgrade_required" -> ApiException.UpgradeRequired("426")
        else -> error("unknown result $result")
    }

    @TestFactory
    fun everyScenarioOfTheTable(): List<DynamicTest> {
        val scenarios = table.getValue("scenarios").jsonArray.map { it.jsonObject }
        check(scenarios.size >= 10) { "the table lost its scenarios" }
        return scenarios.map { s ->
            DynamicTest.dynamicTest(s.getValue("name").jsonPrimitive.content) { runTest { replay(s) } }
        }
    }

    private suspend fun TestScope.replay(s: JsonObject) {
        val name = s.getValue("name").jsonPrimitive.content
        val syncs = s.getValue("syncs").jsonArray.map { it.jsonObject }
        val starts = mutableListOf<Long>()
        val policy = SyncPolicy(
            sync = {
                val n = starts.size
                starts += testScheduler.currentTime
                val sync = syncs.getOrNull(n)
                delay(sync?.get("takes_s")?.jsonPrimitive?.double?.let(::ms) ?: 0)
                sync?.let(::ending)?.let { throw it }
                SyncReportRecord(0uL, 0uL, 1uL, 0uL, 0uL, 0uL)
            },
            config = config(s.getValue("start").jsonObject),
            random = Random(0),
            nowMs = { testScheduler.currentTime },
            wallClockMs = { testScheduler.currentTime },
        )
        policy.start(backgroundScope)

        val events = s.getValue("events").jsonArray.map { it.jsonObject }
        val expect = s.getValue("expect").jsonArray.map { it.jsonObject }
        val checks = expect.filter { "phase" in it }
        val until = ms(s.getValue("until_s").jsonPrimitive.double)
        val instants = (events + checks).map { ms(it.getValue("at_s").jsonPrimitive.double) }.plus(until).toSortedSet()
        val seen = mutableListOf<String>()
        for (at in instants) {
            advanceTimeBy(at - testScheduler.currentTime)
            runCurrent()
            for (e in events.filter { ms(it.getValue("at_s").jsonPrimitive.double) == at }) {
                when (val kind = e.getValue("kind").jsonPrimitive.content) {
                    "edit" -> policy.onLocalEdit()
                    "send_now" -> policy.syncNow()
                    "network_lost" -> policy.onNetworkChanged(false)
                    "network_back" -> policy.onNetworkChanged(true)
                    else -> error("unknown event $kind")
                }
                runCurrent()
            }
            for (c in checks.filter { ms(it.getValue("at_s").jsonPrimitive.double) == at }) {
                val state = policy.state.value
                seen += "${at}ms ${state.phase.name.lowercase()} problem=${state.problem != null}"
                assertEquals(c.getValue("phase").jsonPrimitive.content, state.phase.name.lowercase(), "$name at ${at}ms: $seen")
                c["problem_shown"]?.jsonPrimitive?.booleanOrNull?.let {
                    assertEquals(it, state.problem != null, "$name at ${at}ms: a problem shown? $state")
                }
            }
        }
        val expected = expect.filter { "sync_starts" in it }.map { ms(it.getValue("at_s").jsonPrimitive.double) }
        assertEquals(expected, starts.filter { it <= until }, "$name: when syncs start")
    }
}
