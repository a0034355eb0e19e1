package app.fieldwork.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performScrollToNode
import app.fieldwork.ffi.NewPartRecord
import app.fieldwork.shell.ShellTest
import app.fieldwork.shell.TestOffice
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.util.Locale

/**
 * The visit's critical path where it used to break: a camera that throws, and a customer who
 * could sign while looking at a stale report. The real core and office; only the camera's
 * result is chosen by the test.
 */
@OptIn(ExperimentalTestApi::class)
class CriticalPathUiTest {
    private val dir = Files.createTempDirectory("fieldwork-critical")
    private val locale = Locale.getDefault()

    init {
        Locale.setDefault(Locale.US)
    }

    @AfterEach
    fun restoreLocale() = Locale.setDefault(locale)

    private val captureFailed = "The photo was not taken. Check that the app may use the camera, then try again."

    @Test
    fun aCameraThatThrowsIsSaidOnTheScreenAndTheAppGoesOn() = TestOffice(dir.resolve("office")).start().use { office ->
        office.technician("t1")
        office.job("J-CAM", "t1")
        DesktopApp(dir).use { app ->
            app.enroll(office, "t1")
            val uncaught = recordingUncaught { uncaught ->
                runPhoneUiTest(content = { app.Root() }) {
                    tap("Harbour Clinic")
                    scrollJobAndTap("Take or view photos")

                    // CameraX closed under the capture: its own cancellation is a failure, not a silent stop.
                    app.camera = { throw CancellationException("Camera is closed") }
                    tap("Take photo")
                    waitForText(captureFailed)

                    // The camera works again: the photo is taken, the message goes.
                    app.camera = { ShellTest.png(640, 480) }
                    typeInto("Caption for the next photo", "Nameplate")
                    tap("Take photo")
                    waitForText("Nameplate")
                    waitForGone(hasText(captureFailed))

                    // Not bound yet (the permission was just granted): said again, nothing stored.
                    app.camera = { throw IllegalStateException("Not bound to a valid Camera") }
                    tap("Take photo")
                    waitForText(captureFailed)
                    waitFor(hasText("Take photo") and hasClickAction()) // the shutter is there to try again
                }
                uncaught.toList()
            }
            assertEquals(emptyList<Throwable>(), uncaught, "nothing escaped to crash the app")
            val photos = runBlocking { app.repository.job("J-CAM").photos }
            assertEquals(listOf("Nameplate"), photos.map { it.caption }, "only the photo the camera took")
        }
    }

    @Test
    fun turnedSidewaysThePadTakesTheFullHeightBesideTheFieldsAndSignIsOnScreen() = TestOffice(dir.resolve("office")).start().use { office ->
        office.technician("t1")
        office.job("J-LAND", "t1")
        DesktopApp(dir).use { app ->
            app.enroll(office, "t1")
            // A phone held sideways: 640 x 360 dp, large text.
            runPhoneUiTest(640, 360, fontScale = 1.3f, content = { app.Root() }) {
                tap("Harbour Clinic")
                scrollJobAndTap("Customer signature")
                tap("Agree and sign")
                waitFor(hasContentDescription("Signature pad", substring = true))
                val pad = onNodeWithTag("signature-pad").fetchSemanticsNode().boundsInRoot
                val name = onNode(field("Name")).fetchSemanticsNode().boundsInRoot
                val sign = onNode(hasText("Sign") and hasClickAction()).fetchSemanticsNode().boundsInRoot
                assertTrue(pad.right <= name.left, "the pad $pad is left of the fields ($name)")
                assertTrue(pad.height >= 150f, "the pad is ${pad.height} dp tall")
                assertTrue(sign.bottom <= 360f && pad.bottom <= sign.top, "Sign $sign is on screen, under the pad $pad")
            }
        }
    }

    @Test
    fun theReviewShowsTheJobAsItIsWhenItOpensAndAChangeOnThePadSendsTheCustomerBackToIt() = TestOffice(dir.resolve("office")).start().use { office ->
        office.technician("t1")
        office.job("J-PRE", "t1")
        DesktopApp(dir).use { app ->
            app.enroll(office, "t1")
            runBlocking { app.repository.addPart("J-PRE", NewPartRecord("FAN-40", "Condenser fan", 1u, null, null, null)) }
            runPhoneUiTest(content = { app.Root() }) {
                tap("Harbour Clinic")

                // The first review: the fan, and no relay.
                scrollJobAndTap("Customer signature")
                scrollTo("signing-review", hasText("SKU: FAN-40"))
                assertTrue(
                    runCatching { onNodeWithTag("signing-review").performScrollToNode(hasText("SKU: RLY-24")) }.isFailure,
                    "no relay before it is added",
                )
                tapDescribed("Back")

                // A part added before signing...
                scrollTo("job-content", hasText("Add part"))
                typeInto("Part no.", "RLY-24")
                typeInto("Description", "Start relay 24 V")
                tap("Add part")
                scrollTo("job-content", hasText("1 × RLY-24"))

                // ...is in the review the next time it opens.
                scrollJobAndTap("Customer signature")
                scrollTo("signing-review", hasText("SKU: RLY-24"))
                scrollTo("signing-review", hasText("SKU: FAN-40"))

                // On the pad, the job changes (the technician's note reaches the core): the
                // customer is sent back to review it, and the review has the note.
                tap("Agree and sign")
                waitFor(hasContentDescription("Signature pad", substring = true))
                runBlocking { app.repository.addNote("J-PRE", "Customer asked for a receipt") }
                waitForText("The job changed while you were signing. Please review the report again.")
                scrollTo("signing-review", hasText("Customer asked for a receipt", substring = true))
                waitFor(hasText("Agree and sign") and hasClickAction())
            }
        }
    }
}
