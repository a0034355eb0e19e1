package app.fieldwork.shell

import app.cash.turbine.test
import app.fieldwork.ffi.ChangeCause
import app.fieldwork.ffi.JobStatus
import kotlinx.coroutines.test.runTest
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.ZoneId
import kotlin.time.Duration.Companion.seconds

/** Today's jobs, kept current by the core's job observer (no polling), with SLA colours. */
class JobListTest : ShellTest() {
    @Test
    fun theJobListRefreshesFromObserveJobsAfterASync() = runTest(timeout = 90.seconds) {
        val office = office().start()
        office.contractAndAsset("CH-9")
        office.technician("t1")
        office.job("J-1", "t1", asset = "CH-9")
        val phone = phone()
        phone.repository.enroll(office.url, office.enrollCode("t1"), "list test")

        // 20 minutes before the 30-minute response deadline of a job reported at 09:00 (Tuesday,
        // inside the contract's working hours): a third of the budget spent, still pending in the
        // core's rule (at risk from 80 %), so green; the row's state is the core's, as of the
        // screen's clock.
        val now = epochMs("2026-11-24T09:10:00+08:00")
        val vm = owned(TodayViewModel(phone.repository, clock = { now }, zone = ZoneId.of("Asia/Shanghai")))
        vm.state.test(timeout = WAIT) {
            assertEquals(emptyList<JobRow>(), awaitUntil { !it.loading }.rows, "enrolled, not synced yet")

            phone.repository.sync()
            val row = awaitUntil { it.rows.isNotEmpty() }.rows.single()
            assertEquals(listOf("J-1", "Harbour Clinic", JobStatus.ASSIGNED), listOf(row.id, row.customerName, row.status))
            assertEquals("response", row.slaMilestone)
            assertEquals(epochMs("2026-11-24T09:30:00+08:00"), row.slaDueMs)
            assertEquals(RiskColour.GREEN, row.risk)

            // Dispatch adds a job: the next sync shows it, the observer tells the list.
            office.job("J-2", "t1", customer = "Quay Bakery")
            phone.repository.sync()
            val two = awaitUntil { it.rows.size == 2 }.rows
            assertEquals(setOf("J-1", "J-2"), two.map { it.id }.toSet())
            assertEquals(RiskColour.NONE, two.first { it.id == "J-2" }.risk, "no contract, no SLA clock")

            // A local edit refreshes the row too, and it waits for the office.
            phone.repository.setStatus("J-2", JobStatus.ACCEPTED)
            val edited = awaitUntil { rows -> rows.rows.any { it.id == "J-2" && it.status == JobStatus.ACCEPTED } }
            assertTrue(edited.rows.first { it.id == "J-2" }.pendingSync)

            // A sync that only pushes brings nothing back (the core's observer stays silent);
            // the repository's own signal still clears the flag.
            phone.repository.sync()
            awaitUntil { rows -> rows.rows.none { it.pendingSync } }
            cancelAndIgnoreRemainingEvents()
        }
    }

    @Test
    fun jobsChangedCarriesLocalEditsAndSyncsUntilItsCollectorGoes() = runTest(timeout = 90.seconds) {
        val office = office().start()
        office.technician("t1")
        office.job("J-1", "t1")
        val phone = enrolledPhone(office, "t1")

        phone.repository.jobsChanged.test(timeout = WAIT) {
            phone.repository.addNote("J-1", "checked the relay")
            val local = awaitItem()
            assertEquals(ChangeCause.LOCAL_EDIT, local.cause)
            assertEquals(listOf("J-1"), local.jobIds)

            val (status, body) = office.call("PATCH", "/api/v1/jobs/J-1", """{"scheduled_start":"2026-11-25T09:00:00+08:00"}""")
            assertEquals(200, status, body)
            phone.repository.sync()
            val synced = awaitItem()
            assertEquals(ChangeCause.SYNC, synced.cause)
            assertEquals(listOf("J-1"), synced.jobIds)
        }
        // The collector went away and with it the core's subscription: edits go on.
        phone.repository.addNote("J-1", "no one is listening")
        assertEquals(1L, phone.repository.pendingSyncCount())
    }
}
