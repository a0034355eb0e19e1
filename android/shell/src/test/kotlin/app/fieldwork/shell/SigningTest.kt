package app.fieldwork.shell

import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.OutlineOutcomeRecord
import app.fieldwork.ffi.ReportState
import app.fieldwork.ffi.ReportLanguage
import kotlinx.coroutines.test.runTest
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import kotlin.time.Duration.Companion.seconds

/** Photos, the customer's signature from pointer events, a change after signing, a refusal. */
class SigningTest : ShellTest() {
    /** Two strokes as a finger would draw them: 60 Hz samples, event times in uptime ms. */
    private fun SigningViewModel.draw(t0: Long) {
        pointerDown(10f, 80f, t0, 500)
        for (i in 1..10) pointerMove(10f + i * 10, 80f - i * 6, t0 + i * 16, 500 + i * 10)
        pointerUp()
        pointerDown(150f, 50f, t0 + 400, 300)
        for (i in 1..14) pointerMove(150f + i * 10, 50f + (i % 3), t0 + 400 + i * 16, 700)
        pointerUp()
    }

    @Test
    fun theCustomerSignsThenAChangeNeedsANewSignatureAndARefusalIsSealed() = runTest(timeout = 120.seconds) {
        val office = office().start()
        office.technician("t2", "Li Na")
        office.job("J-S", "t2", customer = "上海门诊部")
        val phone = enrolledPhone(office, "t2")
        val repository = phone.repository
        repository.setNetworkState(false)

        // Photos first: the camera's bytes go straight into the core.
        val photos = owned(PhotoQueueViewModel(repository, "J-S"))
        photos.addPhoto("not a photo\n".toByteArray(), "notes.txt").join()
        assertEquals(MessageKey.IMAGE_NOT_AN_IMAGE, photos.state.value.message?.key)
        photos.addPhoto(png(64, 48), " condenser fan ").join()
        val photo = photos.state.value.photos.single()
        assertEquals(listOf("condenser fan", 64, 48, false), listOf(photo.caption, photo.width, photo.height, photo.uploaded))
        assertEquals(1, photos.state.value.pendingUploads)

        val detail = owned(JobDetailViewModel(repository, "J-S"))
        detail.state.await { it.job != null }
        detail.setStatus(JobStatus.ACCEPTED).join()
        detail.addPart("FAN-40", "condenser fan", 1, serialIn = "F-NEW", serialOut = "F-OLD").join()

        val signing = owned(SigningViewModel(repository, "J-S", canvasWidth = 300, canvasHeight = 100, language = ReportLanguage.EN))
        signing.state.await { it.versions.isEmpty() && it.reportStatus == ReportState.NONE }
        signing.preview().join()
        val preview = signing.state.value.preview!!
        assertEquals("Job J-S", preview.job)
        assertTrue(preview.outcome is OutlineOutcomeRecord.Preview, "not signed yet: ${preview.outcome}")
        val parts = preview.sections.single { it.title == "Parts" }
        assertTrue(parts.rows.any { "FAN-40" in it.cells }, "the part is in the preview: ${parts.rows}")
        assertEquals(listOf(photo.id), preview.photos.map { it.id })
        assertEquals(setOf(photo.id), signing.state.value.thumbnails.keys, "the photo's thumbnail for the review")
        assertEquals(SigningStep.REVIEW, signing.state.value.step)

        // The review in Chinese is rebuilt in Chinese.
        signing.onLanguageChanged(ReportLanguage.ZH_CN).join()
        assertTrue(signing.state.value.preview!!.sections.any { it.title == "备件" }, "${signing.state.value.preview!!.sections.map { it.title }}")
        signing.onLanguageChanged(ReportLanguage.EN).join()
        signing.startSigning()
        assertEquals(SigningStep.SIGN, signing.state.value.step)

        // A dot is not a signature: the core refuses it and the pad is cleared for a new one.
        signing.onSignerNameChanged("Li Na")
        signing.pointerDown(40f, 40f, 1_000, 500)
        signing.pointerUp()
        signing.sign().join()
        assertEquals(MessageKey.BAD_SIGNATURE, signing.state.value.message?.key)
        assertTrue(signing.state.value.signature.isEmpty)
        assertEquals(emptyList<Any>(), repository.reportVersions("J-S"))

        signing.draw(t0 = 86_400_000)
        signing.onSignerRoleChanged("Facilities")
        val strokes = signing.state.value.signature.toJson()
        assertTrue(signing.state.value.canSign)
        signing.sign().join()
        val signed = signing.state.value
        assertNull(signed.message)
        assertEquals(listOf(1u, "signed"), listOf(signed.sealed?.version, signed.sealed?.status))
        assertEquals(ReportState.SIGNED, signed.reportStatus)
        assertTrue(signed.versions.single().current)
        assertTrue(signed.signature.isEmpty, "the pad is cleared once sealed")

        // The sealed report holds exactly the strokes the pad built.
        val report = Json.parseToJsonElement(repository.reportJson("J-S")).jsonObject
        val signature = report["signature"]!!.jsonObject
        assertEquals(Json.parseToJsonElement(strokes), signature["strokes"])
        assertEquals(26, signature["strokes"]!!.jsonObject["strokes"]!!.jsonArray.sumOf { it.jsonArray.size })
        assertEquals("Li Na", signature["name"]!!.jsonPrimitive.content)
        assertEquals(SigningStep.DONE, signed.step, "sealed: the confirmation")

        // Signing completed the job: no more status buttons.
        val completed = detail.state.await { it.job?.status == JobStatus.COMPLETED }
        assertEquals(emptyList<JobStatus>(), completed.allowedStatuses)

        // A note after signing: the report no longer matches the job.
        detail.addNote("customer asked for a call back").join()
        val changed = signing.state.await { it.reportStatus == ReportState.CHANGED_SINCE_SIGNED }
        assertFalse(changed.versions.single().current)

        // The customer now refuses to sign: the refusal is sealed as version 2.
        signing.refuse().join()
        assertEquals(MessageKey.REFUSAL_REASON_MISSING, signing.state.value.message?.key)
        signing.onRefusalReasonChanged("disputes the labour hours")
        signing.refuse(name = "Mr. Zhou").join()
        val refused = signing.state.await { it.reportStatus == ReportState.REFUSED }
        assertEquals(listOf(2u, "refused"), listOf(refused.sealed?.version, refused.sealed?.status))
        assertEquals(listOf("signed", "refused"), refused.versions.map { it.status })
        assertEquals("disputes the labour hours", refused.versions.last().refusalReason)

        // Back online: the photo, both seals and the edits reach the office.
        repository.setNetworkState(true)
        val synced = repository.sync()
        assertEquals(listOf(1uL, 0uL), listOf(synced.attachmentsUploaded, synced.refused))
        photos.state.await { it.pendingUploads == 0 }
        val (status, list) = office.call("GET", "/api/v1/jobs/J-S/reports")
        assertEquals(200, status, list)
        assertEquals(2, Json.parseToJsonElement(list).jsonArray.size)
    }
}
