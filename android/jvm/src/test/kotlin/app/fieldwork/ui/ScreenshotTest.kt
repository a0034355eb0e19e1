package app.fieldwork.ui

import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SkikoComposeUiTest
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasScrollAction
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollToNode
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTouchInput
import androidx.compose.ui.test.runSkikoComposeUiTest
import androidx.compose.ui.test.waitUntilAtLeastOneExists
import androidx.compose.ui.unit.Density
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.NewPartRecord
import app.fieldwork.ffi.TimeKind
import app.fieldwork.shell.TestOffice
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.nio.file.Path
import java.time.OffsetDateTime
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.util.Locale
import java.util.TimeZone
import javax.imageio.ImageIO

/**
 * Every technician's screen on a phone-sized window (400 x 800 dp at density 2), in English and
 * Chinese, with a day's worth of live data from the real office and core: each screen must show
 * its locale's strings and render, and is written as a PNG to target/screenshots (the README's
 * pictures come from there: scripts/screenshots.sh). GoldenScreensTest compares the screens
 * pixel by pixel on fixed data; this one keeps the README's pictures current.
 */
@OptIn(ExperimentalTestApi::class)
class ScreenshotTest {
    private val dir = Files.createTempDirectory("fieldwork-shots")
    private val out: Path = Path.of(System.getProperty("fieldwork.screenshots") ?: "target/screenshots").also { Files.createDirectories(it) }
    private val locale = Locale.getDefault()
    private val zone = TimeZone.getDefault()

    init {
        // The phone is at the site: deadlines read in Shanghai time whatever this machine's zone.
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Shanghai"))
    }

    @AfterEach
    fun restoreLocale() {
        Locale.setDefault(locale)
        TimeZone.setDefault(zone)
    }

    /**
     * A job reported [minutesAgo] before now (so the SLA clocks are live; asset CH-9 is on the
     * demo contract). A job with a checklist is an inspection, which has no SLA clock.
     */
    private fun TestOffice.liveJob(technician: String, id: String, customer: String, address: String, problem: String, asset: String, minutesAgo: Long, extra: String = "") {
        // Formatted with seconds always: OffsetDateTime.toString() drops ":00" seconds, which the
        // office rightly refuses as RFC 3339 (this test failed once a minute, on the minute).
        val reported = OffsetDateTime.now(ZoneOffset.ofHours(8)).minusMinutes(minutesAgo)
            .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX"))
        post(
            "/api/v1/jobs",
            """{"id":"$id","technician":"$technician","customer":{"name":"$customer","phone":"021-5550100"},
                "site":{"address":"$address","region":"city","time_zone":"Asia/Shanghai"},
                "asset":{"serial":"$asset","model":"Chiller 300RT"},"problem":"$problem","priority":"high",
                "reported_at":"$reported"$extra}""",
        )
    }

    private fun SkikoComposeUiTest.shoot(name: String) {
        waitForIdle()
        val image = onRoot().captureToImage().toAwtImage()
        val colours = HashSet<Int>()
        for (y in 0 until image.height step 4) for (x in 0 until image.width step 4) colours += image.getRGB(x, y)
        assertTrue(colours.size > 8, "$name looks blank: ${colours.size} colours")
        ImageIO.write(image, "png", out.resolve("$name.png").toFile())
    }

    /** Waits for a node showing [text] (a part of its text). */
    private fun SkikoComposeUiTest.waitFor(text: String) = waitForText(text, substring = true)

    /** Taps the first clickable node whose text has [text] in it (a job card by its id). */
    private fun SkikoComposeUiTest.tapContaining(text: String) {
        val button = hasText(text, substring = true) and hasClickAction()
        waitFor(button)
        onAllNodes(button)[0].performClick()
    }

    @Test
    fun everyScreenRendersInEnglishAndInChinese() = TestOffice(dir.resolve("office")).start().use { office ->
        office.contractAndAsset("CH-9")
        // One technician and one day of jobs per language, so each phone starts from the same state.
        for ((technician, name) in listOf("t1" to "Anna Li", "t2" to "李娜")) {
            office.technician(technician, name)
            val n = if (technician == "t1") 1 else 2
            office.liveJob(
                technician, "J-${n}042", "Harbour Clinic", "88 Quay Road", "Compressor trips on start", "CH-9", minutesAgo = 20,
                extra = ""","checklist":[{"id":"pressure","label":"Refrigerant pressure","unit":"bar"},{"id":"seal","label":"Door seal"}]""",
            )
            office.liveJob(technician, "J-${n}043", "上海门诊部", "浦东新区张江路 88 号", "冷却塔风机异响", "CH-9", minutesAgo = 5)
            office.liveJob(technician, "J-${n}044", "Quay Bakery", "3 Mill Lane", "Walk-in freezer alarm", "CH-9", minutesAgo = 200)
        }

        for (tag in listOf("en", "zh-CN")) {
            val locale = Locale.forLanguageTag(tag)
            Locale.setDefault(locale)
            fun text(id: Int, vararg args: Any) = DesktopStrings.get(locale, id, *args)
            val (technician, job) = if (tag == "en") "t1" to "J-1042" else "t2" to "J-2042"
            DesktopApp(dir.resolve(tag)).use { app ->
                runSkikoComposeUiTest(size = Size(800f, 1600f), density = Density(2f)) {
                    setContent { app.Root() }
                    waitFor(text(R.string.enroll_title))
                    typeInto(text(R.string.enroll_server), office.url)
                    typeInto(text(R.string.enroll_code), office.enrollCode(technician))
                    shoot("$tag-enroll")
                    tap(text(R.string.enroll_submit))
                    waitFor(job)

                    // The visit so far, as the technician recorded it.
                    runBlocking {
                        val r = app.repository
                        r.setStatus(job, JobStatus.ACCEPTED)
                        r.setStatus(job, JobStatus.EN_ROUTE)
                        r.setStatus(job, JobStatus.ON_SITE)
                        r.setStatus(job, JobStatus.IN_PROGRESS)
                        val now = System.currentTimeMillis()
                        r.addTime(job, TimeKind.TRAVEL, now - 95 * 60_000, now - 70 * 60_000)
                        r.addTime(job, TimeKind.LABOUR, now - 65 * 60_000, now - 5 * 60_000)
                        r.addPart(job, NewPartRecord("RLY-24", "Start relay 24 V", 1u, "R-88412", "R-10277", null))
                        r.recordDiagnosis(job, FaultCause.POWER_SUPPLY, "E-PSU", "Replaced the start relay")
                        r.addNote(job, if (tag == "en") "Relay contacts pitted; fan bearing fine." else "继电器触点烧蚀，风机轴承正常。")
                        r.recordCheck(job, "pressure", "7.5", null)
                        r.issueLoaner(job, "LN-07", "Portable chiller")
                    }
                    waitFor(job)
                    shoot("$tag-today")

                    tapContaining(job)
                    scrollTo("job-content", hasText("RLY-24", substring = true))
                    scrollTo("job-content", hasText(text(R.string.job_notes)))
                    shoot("$tag-job")

                    scrollJobAndTap(text(R.string.photos_open))
                    tap(text(R.string.photo_take))
                    waitFor("640×480")
                    shoot("$tag-photos")
                    tapDescribed(text(R.string.back))

                    // The customer's signing flow: the review of what is signed, then the pad.
                    scrollJobAndTap(text(R.string.job_sign))
                    scrollTo("signing-review", hasText("RLY-24", substring = true))
                    shoot("$tag-review")
                    tap(text(R.string.sign_review_continue))
                    onNodeWithTag("signature-pad").performTouchInput {
                        down(Offset(width * 0.08f, height * 0.55f))
                        for (i in 1..24) moveTo(Offset(width * (0.08f + i * 0.016f), height * (0.55f - 0.35f * kotlin.math.sin(i / 3.0).toFloat())))
                        up()
                        down(Offset(width * 0.55f, height * 0.2f))
                        for (i in 1..20) moveTo(Offset(width * (0.55f + i * 0.018f), height * (0.2f + 0.4f * (i % 5) / 5f)))
                        up()
                    }
                    typeInto(text(R.string.sign_name), if (tag == "en") "Chen Wei" else "陈伟")
                    shoot("$tag-sign")

                    // Offline: the bar says the work is safe on the phone (back to the list: the
                    // signing flow has no sync bar).
                    app.syncPolicy.onNetworkChanged(false)
                    app.repository.setNetworkState(false)
                    tapDescribed(text(R.string.back)) // the pad -> the review
                    tapDescribed(text(R.string.back)) // the review -> the job
                    tapDescribed(text(R.string.back)) // the job -> today
                    waitFor(text(R.string.sync_waiting_for_network))
                    waitFor(job.dropLast(1) + "3")
                    shoot("$tag-offline")
                }
            }
        }
    }
}
