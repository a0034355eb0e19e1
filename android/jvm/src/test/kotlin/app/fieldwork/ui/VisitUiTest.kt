package app.fieldwork.ui

import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasScrollAction
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.printToString
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollToNode
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTouchInput
import androidx.compose.ui.test.runComposeUiTest
import androidx.compose.ui.test.waitUntilAtLeastOneExists
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.JobStatus
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
 * The screens driven as a technician would, through Compose's test input (clicks, typed text,
 * a finger drawing on the signature pad) on the desktop JVM, over the real core and the real
 * office server on loopback. What the screens did is then checked in the core and at the office.
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

    private fun ComposeUiTest.waitFor(matcher: SemanticsMatcher) = try {
        waitUntilAtLeastOneExists(matcher, timeoutMillis = 30_000)
    } catch (e: Throwable) {
        println(onRoot(useUnmergedTree = false).printToString())
        throw e
    }

    /**
     * Types [text] into the field labelled [label], once that field is composed and merged with
     * its label (right after a screen appears, on a loaded machine, it may not be yet).
     */
    private fun ComposeUiTest.typeInto(label: String, text: String) {
        val field = hasText(label) and hasSetTextAction()
        waitFor(field)
        onNode(field).performTextInput(text)
    }

    /** Taps the clickable node showing [text], once it is there. */
    private fun ComposeUiTest.tap(text: String) {
        val button = hasText(text) and hasClickAction()
        waitFor(button)
        onNode(button).performClick()
    }

    /** Scrolls the screen's list to [text]. */
    private fun ComposeUiTest.scrollTo(text: String) {
        onNode(hasScrollAction()).performScrollToNode(hasText(text))
    }

    /** Scrolls the screen's list to [text] and taps it. */
    private fun ComposeUiTest.scrollAndTap(text: String) {
        scrollTo(text)
        tap(text)
    }

    @Test
    fun aTechnicianEnrollsWorksTheVisitTakesAPhotoAndTheCustomerSignsWithAFinger() = TestOffice(dir.resolve("office")).start().use { office ->
        office.technician("t1", "Anna")
        office.job("J-UI", "t1")
        DesktopApp(dir).use { app ->
            runComposeUiTest {
                setContent { app.Root() }

                // Enrollment: the code from dispatch, then the list of today's jobs arrives by sync.
                typeInto("Office address", office.url)
                typeInto("Enrollment code", office.enrollCode("t1"))
                tap("Set up")
                waitFor(hasText("Harbour Clinic · J-UI"))
                tap("Harbour Clinic · J-UI")

                // The visit: each status button leads to the next one.
                for ((action, next) in listOf("Accept" to "On my way", "On my way" to "Arrived", "Arrived" to "Start work", "Start work" to "Complete")) {
                    tap(action)
                    waitFor(hasText(next))
                }
                onNodeWithTag("note-input").performTextInput("Compressor relay replaced")
                tap("Add note")
                waitFor(hasText("Compressor relay replaced", substring = true))

                // Travel time from two clock times; a typo is refused by the form, nothing written.
                scrollTo("Add time")
                tap("Travel")
                typeInto("From (HH:MM)", "8h05")
                typeInto("To (HH:MM)", "08:40")
                tap("Add time")
                waitFor(hasText("Enter times as HH:MM, for example 08:30."))
                typeInto("From (HH:MM)", "08:05")
                typeInto("To (HH:MM)", "08:40")
                tap("Add time")
                waitFor(hasText("(35 min)", substring = true))

                // Diagnosis: the cause as a chip, the fault code and the action.
                scrollTo("Save diagnosis")
                tap("Save diagnosis")
                waitFor(hasText("Choose the cause and enter the fault code."))
                scrollTo("Power supply")
                tap("Power supply")
                typeInto("Fault code", "E-PSU")
                typeInto("Action taken", "Replaced the start relay")
                tap("Save diagnosis")
                waitFor(hasText("Power supply · E-PSU · Replaced the start relay"))

                // A loaner goes out with the customer's unit.
                scrollTo("Issue loaner")
                typeInto("Loaner serial", "LN-07")
                typeInto("Model", "Portable chiller")
                tap("Issue loaner")
                waitFor(hasText("LN-07 Portable chiller"))

                // A photo from the camera goes into the core and waits for upload.
                scrollAndTap("Photos")
                tap("Photos")
                waitFor(hasText("640×480", substring = true))
                tap("‹ Back")

                // The customer signs with a finger: two strokes on the pad, then their name.
                scrollAndTap("Customer signature")
                waitFor(hasText("Harbour Clinic · J-UI"))
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
                waitFor(hasText("v1 signed", substring = true))
            }

            // What the screens did, as the core holds it.
            runBlocking {
                val job = app.repository.job("J-UI")
                assertEquals(JobStatus.COMPLETED, job.status, "signing completes the job")
                assertTrue(job.notes.any { it.text == "Compressor relay replaced" })
                assertEquals(listOf(TimeKind.TRAVEL to 35L), job.time.map { it.kind to (it.endMs - it.startMs) / 60_000 })
                val diagnosis = job.diagnosis!!
                assertEquals(listOf(FaultCause.POWER_SUPPLY, "E-PSU", "Replaced the start relay"), listOf(diagnosis.cause, diagnosis.faultCode, diagnosis.action))
                assertEquals(listOf("LN-07"), job.loaners.filter { it.returnedAtMs == null }.map { it.serial })
                val report = Json.parseToJsonElement(app.repository.reportJson("J-UI")).jsonObject
                val signature = report["signature"]!!.jsonObject
                assertEquals("Chen Wei", signature["name"]!!.jsonPrimitive.content)
                val strokes = signature["strokes"]!!.jsonObject["strokes"]!!.jsonArray
                assertEquals(listOf(13, 16), strokes.map { it.jsonArray.size }, "one point per down and move")
                assertEquals(1, report["content"]!!.jsonObject["photos"]!!.jsonArray.size, "the photo is in the signed report")
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
