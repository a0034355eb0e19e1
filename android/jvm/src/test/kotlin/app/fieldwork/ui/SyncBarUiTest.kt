package app.fieldwork.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import app.fieldwork.shell.SyncPolicy
import app.fieldwork.shell.TestOffice
import app.fieldwork.shell.epochMs
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.util.Locale
import java.util.concurrent.atomic.AtomicLong

/**
 * The sync bar at a glance, over the real core and office: jobs waiting, "Send now" sending
 * them, the last send in words that age with the clock, and offline said as such.
 */
@OptIn(ExperimentalTestApi::class)
class SyncBarUiTest {
    private val dir = Files.createTempDirectory("fieldwork-syncbar")
    private val locale = Locale.getDefault()

    init {
        Locale.setDefault(Locale.US)
    }

    @AfterEach
    fun restoreLocale() = Locale.setDefault(locale)

    @Test
    fun jobsWaitingAreSentByTheTapOfSendNowAndTheLastSendAgesWithTheClock() = TestOffice(dir.resolve("office")).start().use { office ->
        office.technician("t1")
        office.job("J-BAR", "t1")
        val now = AtomicLong(epochMs("2026-11-24T10:30:00+08:00"))
        // Nothing syncs by itself: only "Send now".
        val manual = SyncPolicy.Config(debounceMs = 3_600_000, periodicMs = 86_400_000, syncOnStart = false)
        DesktopApp(dir, clock = now::get, syncConfig = manual).use { app ->
            app.enroll(office, "t1")
            runPhoneUiTest(content = { app.Root() }) {
                waitFor(hasText("Harbour Clinic") and hasClickAction())
                waitForText("Not sent since the app started")

                runBlocking { app.repository.addNote("J-BAR", "Waiting for the office") }
                waitForText("Changes waiting to be sent")
                waitForText("Not sent since the app started · Jobs waiting: 1")

                tap("Send now")
                waitForText("Up to date")
                waitForText("Last sent just now")
                assertEquals(0L, runBlocking { app.repository.pendingSyncCount() })

                // Five minutes on, the bar reads the clock again when the network goes.
                now.addAndGet(5 * 60_000)
                app.syncPolicy.onNetworkChanged(false)
                waitForText("Offline: your work is saved on the phone")
                waitForText("Last sent 5 min ago")
            }
            val (_, json) = office.call("GET", "/api/v1/jobs/J-BAR")
            assertTrue("Waiting for the office" in json, "Send now sent the note")
        }
    }
}
