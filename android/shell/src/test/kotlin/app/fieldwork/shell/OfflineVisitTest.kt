package app.fieldwork.shell

import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.AuthorRole
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.TimeKind
import kotlinx.coroutines.test.runTest
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import kotlin.time.Duration.Companion.seconds

/** A visit recorded through the job screen's view model with no network, then synced. */
class OfflineVisitTest : ShellTest() {
    @Test
    fun anOfflineVisitThroughTheJobScreenReachesTheOffice() = runTest(timeout = 120.seconds) {
        val office = office().start()
        office.technician("t1")
        office.job(
            "J-1", "t1",
            extra = ""","checklist":[{"id":"pressure","label":"Refrigerant pressure","unit":"bar"},{"id":"door","label":"Door seal"}]""",
        )
        val phone = enrolledPhone(office, "t1")
        val repository = phone.repository

        repository.setNetworkState(false) // no signal on site
        val vm = owned(JobDetailViewModel(repository, "J-1"))
        val loaded = vm.state.await { it.job != null }
        assertEquals(JobStatus.ASSIGNED, loaded.job?.status)
        assertEquals(listOf(JobStatus.ACCEPTED), loaded.allowedStatuses)
        assertEquals(false, loaded.pendingSync)

        for (status in listOf(JobStatus.ACCEPTED, JobStatus.EN_ROUTE, JobStatus.ON_SITE)) vm.setStatus(status).join()
        assertEquals(listOf(JobStatus.IN_PROGRESS, JobStatus.ON_HOLD), vm.state.value.allowedStatuses)
        vm.addNote("  replaced the fan relay ").join()
        vm.addPart("RELAY-7", "fan relay", 1, serialIn = "R-NEW", serialOut = "R-OLD", stock = "van").join()
        val start = epochMs("2026-11-24T10:00:00+08:00")
        vm.addTime(TimeKind.LABOUR, start, start + 75 * 60_000).join()
        vm.recordDiagnosis(FaultCause.POWER_SUPPLY, "E-PSU", "replaced the relay").join()
        vm.issueLoaner("LN-1", "Fan unit").join()
        vm.recordCheck("pressure", "7.5", "after 10 min").join()
        vm.recordCheck("door", "pass").join()
        assertEquals(null, vm.state.value.message)

        // A refused value is the screen's message, from the core's code; nothing was written.
        vm.recordCheck("door", "maybe").join()
        val refused = vm.state.value.message
        assertEquals(MessageKey.REFUSED_NOT_A_CHECK_RESULT, refused?.key)
        assertNotNull(refused?.detail, "the core's words, for the log")

        val s = vm.state.value
        val job = s.job!!
        assertEquals(JobStatus.ON_SITE, job.status)
        assertEquals(listOf("replaced the fan relay"), job.notes.map { it.text })
        val part = job.parts.single()
        assertEquals(listOf("RELAY-7", "R-NEW", "R-OLD", "van"), listOf(part.sku, part.serialIn, part.serialOut, part.stock))
        assertEquals(listOf(TimeKind.LABOUR), job.time.map { it.kind })
        assertEquals(start, job.time.single().startMs)
        val diagnosis = job.diagnosis!!
        assertEquals(listOf(FaultCause.POWER_SUPPLY, "E-PSU", "replaced the relay"), listOf(diagnosis.cause, diagnosis.faultCode, diagnosis.action))
        assertEquals(listOf("LN-1"), job.loaners.filter { it.returnedAtMs == null }.map { it.serial })
        assertEquals(listOf(AuthorRole.ME), job.notes.map { it.authorRole })
        assertEquals(mapOf("pressure" to "7.5", "door" to "pass"), job.checklist.associate { it.item to it.result })
        assertTrue(s.pendingSync)

        // Sync fails at once while offline, with the error the policy retries quietly.
        val offline = runCatching { repository.sync() }.exceptionOrNull()
        assertTrue(offline is ApiException.Offline, "$offline")

        // Loaner back, then the network returns.
        vm.returnLoaner("LN-1").join()
        assertTrue(vm.state.value.job!!.loaners.all { it.returnedAtMs != null })
        repository.setNetworkState(true)
        assertEquals(1uL, repository.sync().uploaded)
        vm.state.await { !it.pendingSync }

        val (status, server) = office.call("GET", "/api/v1/jobs/J-1")
        assertEquals(200, status)
        assertEquals(phone.app.jobJson("J-1"), server, "the office renders the same job")
        val serverNotes = Json.parseToJsonElement(server).jsonObject["notes"]!!.jsonArray.map { it.jsonObject["text"]!!.jsonPrimitive.content }
        assertEquals(job.notes.map { it.text }, serverNotes)
    }
}
