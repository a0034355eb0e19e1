package app.fieldwork.ui

import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.performTouchInput
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.NewPartRecord
import app.fieldwork.ffi.TimeKind
import app.fieldwork.shell.TestOffice
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.util.Locale

/**
 * The whole visit driven as a technician would, through Compose's test input (taps, typed text,
 * a finger drawing on the signature pad) on a small phone (360 x 640 dp) with large text (font
 * scale 1.5), over the real core and the real office server on loopback. What the screens did
 * is then checked in the core and at the office.
 */
@OptIn(ExperimentalTestApi::class)
class VisitUiTest {
    private val dir = Files.createTempDirectory("fieldwork-ui")
    private val locale = Locale.getDefault()

    init {
        Locale.setDefault(Locale.US)
    }

    @AfterEach
    fun restoreLocale() = Locale.setDefault(locale)

    /** Seven parts fitted on an earlier day of the visit (with the one typed here and kept: eight). */
    private val earlierParts = listOf("GSK-1" to "Door gasket", "FLT-2" to "Air filter", "CAP-3" to "Run capacitor", "FUS-4" to "Fuse 4 A", "BLT-5" to "Fan belt", "SNS-6" to "Temperature sensor", "VLV-7" to "Expansion valve")

    private fun ComposeUiTest.typeTime(from: String, to: String) {
        typeInto("From (HH:MM)", from)
        typeInto("To (HH:MM)", to)
    }

    @Test
    fun aTechnicianOnASmallPhoneWithLargeTextWorksTheVisitAndTheCustomerSignsWithAFinger() = TestOffice(dir.resolve("office")).start().use { office ->
        office.technician("t1", "Anna")
        office.job("J-UI", "t1")
        DesktopApp(dir).use { app ->
            runPhoneUiTest(360, 640, fontScale = 1.5f, content = { app.Root() }) {

                // Enrollment: the code from dispatch, then the list of today's jobs arrives by sync.
                typeInto("Office address", office.url)
                typeInto("Enrollment code", office.enrollCode("t1"))
                tap("Set up")
                waitFor(hasText("Harbour Clinic") and hasClickAction())
                tap("Harbour Clinic")

                // The visit: each status in the bottom bar leads to the next one.
                for ((action, next) in listOf("Accept" to "On my way", "On my way" to "Arrived", "Arrived" to "Start work", "Start work" to "Complete")) {
                    tap(action)
                    waitFor(hasText(next) and hasClickAction())
                }
                scrollTo("job-content", hasText("Add note"))
                typeInto("New note", "Compressor relay replaced")
                tap("Add note")
                scrollTo("job-content", hasText("Compressor relay replaced", substring = true))

                // Parts with a quantity and a description; a wrong line is removed.
                scrollTo("job-content", hasText("Add part"))
                typeInto("Part no.", "RLY-24")
                replaceIn("Qty", "2")
                typeInto("Description", "Start relay 24 V")
                typeInto("Serial fitted", "R-88412")
                typeInto("Serial removed", "R-10277")
                tap("Add part")
                scrollTo("job-content", hasText("2 × RLY-24"))
                scrollTo("job-content", hasText("Add part"))
                typeInto("Part no.", "WRONG-1")
                typeInto("Description", "Picked by mistake")
                tap("Add part")
                scrollTo("job-content", hasContentDescription("Remove part WRONG-1"))
                tapDescribed("Remove part WRONG-1")
                waitForGone(hasContentDescription("Remove part WRONG-1"))
                runBlocking {
                    for ((sku, description) in earlierParts) app.repository.addPart("J-UI", NewPartRecord(sku, description, 1u, null, null, null))
                }
                scrollTo("job-content", hasText("1 × VLV-7"))

                // Travel time from two clock times; a typo is refused by the form, nothing written.
                scrollTo("job-content", hasText("Add time"))
                tap("Travel")
                typeTime("8h05", "08:40")
                tap("Add time")
                waitForText("Enter times as HH:MM, for example 08:30.")
                typeTime("08:05", "08:40")
                tap("Add time")
                scrollTo("job-content", hasText("(35 min)", substring = true))

                // Diagnosis: the cause as a chip, the fault code and the action.
                scrollJobAndTap("Save diagnosis")
                waitForText("Choose the cause and enter the fault code.")
                scrollJobAndTap("Power supply")
                typeInto("Fault code", "E-PSU")
                typeInto("Action taken", "Replaced the start relay")
                tap("Save diagnosis")
                scrollTo("job-content", hasText("Power supply · E-PSU · Replaced the start relay"))

                // A loaner goes out with the customer's unit.
                scrollTo("job-content", hasText("Issue loaner"))
                typeInto("Loaner serial", "LN-07")
                typeInto("Model", "Portable chiller")
                tap("Issue loaner")
                scrollTo("job-content", hasText("LN-07 Portable chiller"))

                // A photo from the camera goes into the core and waits for upload.
                scrollJobAndTap("Take or view photos")
                tap("Take photo")
                waitForText("640×480")
                tapDescribed("Back")

                // Signing is reached by scrolling to it, whatever the font size and the parts.
                scrollJobAndTap("Customer signature")
                waitForText("Review the report")
                for (sku in listOf("RLY-24") + earlierParts.map { it.first }) {
                    scrollTo("signing-review", hasText(sku, substring = true))
                }
                scrollTo("signing-review", hasText("The customer confirms that the work above was carried out."))
                tap("Agree and sign")

                // The pad: on screen with its Sign button, never under a scroll, big enough to sign on.
                waitFor(hasContentDescription("Signature pad", substring = true))
                onNode(hasText("Sign") and hasClickAction()).assertIsDisplayed()
                val pad = onNodeWithTag("signature-pad").fetchSemanticsNode().boundsInRoot
                val window = onRoot().fetchSemanticsNode().boundsInRoot
                assertTrue(pad.height >= 100f && pad.bottom <= window.bottom, "pad $pad in $window")
                onNodeWithTag("signature-pad").performTouchInput {
                    down(Offset(width * 0.1f, height * 0.7f))
                    repeat(12) { moveBy(Offset(width * 0.02f, -height * 0.04f)) }
                    up()
                    down(Offset(width * 0.5f, height * 0.3f))
                    repeat(15) { i -> moveBy(Offset(width * 0.02f, if (i % 2 == 0) height * 0.05f else -height * 0.03f)) }
                    up()
                }
                typeInto("Name", "Chen Wei")
                tap("Sign")

                // Confirmation, then the phone goes back to the technician and to the job.
                waitForText("Thank you. The report is signed.")
                waitForText("Report version 1, signed by Chen Wei")
                tap("Hand the phone back")
                waitForText("Please hand the phone back to the technician.")
                tap("Back to the job")
                scrollTo("job-content", hasText("Completed"))
                scrollTo("job-content", hasText("Signed (version 1)"))
                waitFor(hasText("Share PDF") and hasClickAction())
            }

            // What the screens did, as the core holds it.
            runBlocking {
                val job = app.repository.job("J-UI")
                assertEquals(JobStatus.COMPLETED, job.status, "signing completes the job")
                assertTrue(job.notes.any { it.text == "Compressor relay replaced" })
                assertEquals(8, job.parts.size, "eight parts: ${job.parts.map { it.sku }}")
                val relay = job.parts.single { it.sku == "RLY-24" }
                assertEquals(listOf(2u, "Start relay 24 V", "R-88412", "R-10277"), listOf(relay.qty, relay.description, relay.serialIn, relay.serialOut))
                assertEquals(listOf(TimeKind.TRAVEL to 35L), job.time.map { it.kind to (it.endMs - it.startMs) / 60_000 })
                val diagnosis = job.diagnosis!!
                assertEquals(listOf(FaultCause.POWER_SUPPLY, "E-PSU", "Replaced the start relay"), listOf(diagnosis.cause, diagnosis.faultCode, diagnosis.action))
                assertEquals(listOf("LN-07"), job.loaners.filter { it.returnedAtMs == null }.map { it.serial })
                val report = Json.parseToJsonElement(app.repository.reportJson("J-UI")).jsonObject
                val signature = report["signature"]!!.jsonObject
                assertEquals("Chen Wei", signature["name"]!!.jsonPrimitive.content)
                val strokes = signature["strokes"]!!.jsonObject["strokes"]!!.jsonArray
                assertEquals(listOf(13, 16), strokes.map { it.jsonArray.size }, "one point per down and move")
                val content = report["content"]!!.jsonObject
                assertEquals(1, content["photos"]!!.jsonArray.size, "the photo is in the signed report")
                assertEquals(8, content["parts"]!!.jsonArray.size, "every part is in the signed report")
            }

            // The sync policy sends it all: the office holds the signed report.
            val deadline = System.currentTimeMillis() + 30_000
            var reports = ""
            while (System.currentTimeMillis() < deadline) {
                val (status, body) = office.call("GET", "/api/v1/jobs/J-UI/reports")
                reports = body
                if (status == 200 && Json.parseToJsonElement(body).jsonArray.size == 1) break
                Thread.sleep(100)
            }
            assertEquals("signed", Json.parseToJsonElement(reports).jsonArray.single().jsonObject["status"]!!.jsonPrimitive.content, reports)
        }
    }
}
