package app.fieldwork.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasText
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.ReportState
import app.fieldwork.ffi.TimeKind
import app.fieldwork.shell.ShellTest
import app.fieldwork.shell.TestOffice
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.time.LocalDate
import java.time.ZoneId
import java.util.Locale
import java.util.TimeZone

/**
 * The technician's workflow on the job screen over the real core and office: the time the core
 * proposes from the status changes (confirmed, or edited), the customer one tap away, a
 * quantity that is not a number, "Complete" that asks first, and a photo taken off the job.
 */
@OptIn(ExperimentalTestApi::class)
class JobWorkflowUiTest {
    private val dir = Files.createTempDirectory("fieldwork-workflow")
    private val locale = Locale.getDefault()
    private val zone = TimeZone.getDefault()

    init {
        // A 24-hour locale, at the site's zone: the proposals read 08:00, not 8:00 AM.
        Locale.setDefault(Locale.UK)
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Shanghai"))
    }

    @AfterEach
    fun restore() {
        Locale.setDefault(locale)
        TimeZone.setDefault(zone)
    }

    @Test
    fun proposedTimesAreConfirmedOrEditedTheCustomerIsOneTapAwayAndCompleteAsksFirst() = TestOffice(dir.resolve("office")).start().use { office ->
        office.technician("t1")
        office.job("J-WF", "t1", phone = "021-5550100")
        DesktopApp(dir).use { app ->
            app.enroll(office, "t1")
            // Yesterday's visit, as the status buttons recorded it: on the way 08:00, there 08:35,
            // working 08:40 to a hold at 09:55, working again from 10:00.
            val shanghai = ZoneId.of("Asia/Shanghai")
            val yesterday = LocalDate.now(shanghai).minusDays(1)
            fun at(hour: Int, minute: Int) = yesterday.atTime(hour, minute).atZone(shanghai).toInstant().toEpochMilli()
            for ((status, time) in listOf(
                JobStatus.ACCEPTED to at(7, 50), JobStatus.EN_ROUTE to at(8, 0), JobStatus.ON_SITE to at(8, 35),
                JobStatus.IN_PROGRESS to at(8, 40), JobStatus.ON_HOLD to at(9, 55), JobStatus.IN_PROGRESS to at(10, 0),
            )) {
                app.core.setStatus("J-WF", status, time)
            }
            runBlocking { app.repository.addPhoto("J-WF", ShellTest.png(320, 240), "Nameplate") }

            runPhoneUiTest(content = { app.Root() }) {
                tap("Harbour Clinic")

                // The customer's phone, one tap away.
                tap("Call 021-5550100")
                assertEquals(listOf("021-5550100"), app.dialled.toList())

                // Travel as proposed, confirmed as it is.
                val travel = "Travel: 08:00 – 08:35 (35 min)"
                scrollTo("job-content", hasContentDescription("Confirm $travel"))
                tapDescribed("Confirm $travel")
                waitForGone(hasContentDescription("Confirm $travel"))
                scrollTo("job-content", hasText(travel))

                // Labour edited: the form is filled with the proposal (on its day), then corrected.
                val labour = "Labour: 08:40 – 09:55 (75 min)"
                scrollTo("job-content", hasContentDescription("Edit $labour"))
                tapDescribed("Edit $labour")
                waitFor(hasText("08:40") and hasText("From (HH:MM)"))
                waitFor(hasText("09:55") and hasText("To (HH:MM)"))
                waitForText("On $yesterday")
                replaceIn("To (HH:MM)", "09:50")
                tap("Add time")
                scrollTo("job-content", hasText("Labour: 08:40 – 09:50 (70 min)"))

                // A quantity that is not a number is refused by the form; nothing is written.
                scrollTo("job-content", hasText("Add part"))
                typeInto("Part no.", "GSK-1")
                replaceIn("Qty", "two")
                tap("Add part")
                waitForText("Enter the quantity as a whole number, for example 2.")

                // "Complete" asks first: cancel changes nothing...
                tap("Complete")
                waitForText("Complete the job?")
                tap("Cancel")
                waitForGone(hasText("Complete the job?"))
                // ..."Customer signs now" opens the signing flow...
                tap("Complete")
                tap("Customer signs now")
                waitForText("Review the report")
                tapDescribed("Back")
                // ...and completing without a signature is a deliberate second choice.
                tap("Complete")
                tap("Complete without signature")
                waitFor(hasText("Customer signature") and hasClickAction())

                // A photo taken off the job, after a confirmation.
                scrollJobAndTap("Take or view photos")
                tapDescribed("Remove photo Nameplate")
                tap("Remove")
                waitForGone(hasContentDescription("Remove photo Nameplate"))
            }

            runBlocking {
                val job = app.repository.job("J-WF")
                assertEquals(JobStatus.COMPLETED, job.status)
                assertEquals(ReportState.NONE, job.report.state, "completed without a signature")
                assertEquals(
                    listOf(TimeKind.TRAVEL to (at(8, 0) to at(8, 35)), TimeKind.LABOUR to (at(8, 40) to at(9, 50))),
                    job.time.map { it.kind to (it.startMs to it.endMs) },
                )
                assertEquals(emptyList<String>(), job.parts.map { it.sku }, "the refused quantity wrote nothing")
                assertEquals(emptyList<String>(), job.photos.map { it.id }, "the photo is off the job")
            }
        }
    }
}
