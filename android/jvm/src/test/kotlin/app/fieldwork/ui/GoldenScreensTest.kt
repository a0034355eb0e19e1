package app.fieldwork.ui

import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.onAllNodesWithTag
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.performTouchInput
import androidx.compose.ui.unit.Density
import app.fieldwork.ffi.CountedRecord
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.NewPartRecord
import app.fieldwork.shell.ShellTest
import app.fieldwork.shell.SyncPhase
import app.fieldwork.shell.SyncPolicy
import app.fieldwork.shell.TestOffice
import app.fieldwork.shell.epochMs
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import java.awt.image.BufferedImage
import java.net.URLEncoder
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.util.Locale
import java.util.TimeZone

/**
 * Every screen in light and dark, English and Chinese, at font scale 1.0 and 1.5 (and 2.0 for
 * the job screen; high contrast for the list and the job), 360 x 640 dp, compared with the
 * committed goldens (Goldens: a small tolerance per channel and a bound on differing pixels,
 * for font rasterisation). The data is the real office's and core's, made the same every run: a
 * fixed clock for the screens and "last sent", jobs reported and edits recorded at fixed times,
 * no sync but the ones the test asks for, no text field focused when a picture is taken (a
 * blinking cursor), the one time the office stamps (a delivery's "Sent") painted over. The
 * theme, language and font scale change in place, so each screen is reached once.
 * `bash scripts/goldens.sh` rewrites the goldens.
 */
@OptIn(ExperimentalTestApi::class)
class GoldenScreensTest {
    private val dir = Files.createTempDirectory("fieldwork-goldens")
    private val locale = Locale.getDefault()
    private val zone = TimeZone.getDefault()

    init {
        // At the site: times read in Shanghai whatever this machine's zone.
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Shanghai"))
        Locale.setDefault(Locale.US)
    }

    @AfterEach
    fun restore() {
        Locale.setDefault(locale)
        TimeZone.setDefault(zone)
    }

    private data class Variant(val appearance: Appearance, val locale: Locale, val fontScale: Float) {
        /** `light-en-US-1.5`. */
        val name: String get() = "${appearance.name.lowercase().replace('_', '-')}-${locale.toLanguageTag()}-$fontScale"
    }

    private val english = Locale.US
    private val chinese = Locale.forLanguageTag("zh-CN")
    private val default = Variant(Appearance.LIGHT, english, 1f)

    private fun variants(scales: List<Float> = listOf(1f, 1.5f)) =
        listOf(Appearance.LIGHT, Appearance.DARK).flatMap { a -> listOf(english, chinese).flatMap { l -> scales.map { Variant(a, l, it) } } }

    /** A job reported [minutesBefore] the screens' clock, on the demo contract (asset CH-9), so its SLA clocks run. */
    private fun TestOffice.reportedJob(id: String, customer: String, address: String, problem: String, minutesBefore: Long) {
        val reported = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX").format(Instant.ofEpochMilli(NOW - minutesBefore * 60_000).atOffset(ZoneOffset.ofHours(8)))
        post(
            "/api/v1/jobs",
            """{"id":"$id","technician":"t1","customer":{"name":"$customer","phone":"021-5550100"},
                "site":{"address":"$address","region":"city","time_zone":"Asia/Shanghai"},
                "asset":{"serial":"CH-9","model":"Chiller 300RT"},"problem":"$problem","priority":"high",
                "reported_at":"$reported"}""",
        )
    }

    @Test
    fun everyScreenLooksAsItsGolden() = TestOffice(dir.resolve("office")).start().use { office ->
        office.contractAndAsset("CH-9")
        office.technician("t1", "Anna Li")
        office.reportedJob("J-3042", "Harbour Clinic", "88 Quay Road", "Compressor trips on start", minutesBefore = 20)
        office.reportedJob("J-3043", "上海门诊部", "浦东新区张江路 88 号", "冷却塔风机异响", minutesBefore = 5)
        office.reportedJob("J-3044", "Quay Bakery", "3 Mill Lane", "Walk-in freezer alarm", minutesBefore = 200)
        // Syncs only when the test asks (a sync mid-picture would change the bar).
        val quiet = SyncPolicy.Config(debounceMs = 3_600_000, periodicMs = 86_400_000, syncOnStart = false)
        val mismatches = mutableListOf<String>()
        // The screens' clock: NOW, until the van's screen (see there).
        var screensNow = NOW
        DesktopApp(dir, clock = { screensNow }, syncConfig = quiet).use { app ->
            var variant by mutableStateOf(default)
            val content = @androidx.compose.runtime.Composable {
                CompositionLocalProvider(LocalDesktopLocale provides variant.locale, LocalDensity provides Density(1f, variant.fontScale)) {
                    app.Root(variant.appearance)
                }
            }
            runPhoneUiTest(content = content) {
                /** Pictures of the screen in each of [list], then back to the default (the taps below read English). */
                fun shoot(screen: String, list: List<Variant>, before: ComposeUiTest.(Variant) -> Unit = {}) {
                    assertFieldGrade(screen)
                    for (v in list) {
                        variant = v
                        waitForIdle()
                        before(v)
                        waitForIdle()
                        Goldens.check("$screen-${v.name}", masked(onRoot().captureToImage().toAwtImage()))?.let { mismatches += it }
                    }
                    variant = default
                    waitForIdle()
                }

                // Enrollment, filled by a scanned code (no field focused).
                app.scanner = { "fieldwork://enroll?office=https%3A%2F%2Foffice.example.com&code=K7F2-9QX3" }
                tap("Scan QR code")
                waitFor(hasText("https://office.example.com") and hasSetTextAction())
                shoot("enroll", variants())
                app.scanner = { "fieldwork://enroll?office=${URLEncoder.encode(office.url, StandardCharsets.UTF_8)}&code=${office.enrollCode("t1")}" }
                tap("Scan QR code")
                waitFor(hasText(office.url) and hasSetTextAction())
                tap("Set up")
                waitFor(hasText("Harbour Clinic") and hasClickAction())

                // The visit so far, recorded at fixed times, then sent.
                val core = app.core
                fun before(minutes: Long) = NOW - minutes * 60_000
                for ((status, minutes) in listOf(JobStatus.ACCEPTED to 18L, JobStatus.EN_ROUTE to 17L, JobStatus.ON_SITE to 6L, JobStatus.IN_PROGRESS to 5L)) {
                    core.setStatus("J-3042", status, before(minutes))
                }
                core.addNote("J-3042", "Relay contacts pitted; fan bearing fine.", before(4))
                core.addPart("J-3042", NewPartRecord("RLY-24", "Start relay 24 V", 2u, "R-88412", "R-10277", null), before(3))
                core.recordDiagnosis("J-3042", FaultCause.POWER_SUPPLY, "E-PSU", "Replaced the start relay", before(2))
                core.issueLoaner("J-3042", "LN-07", "Portable chiller", before(2))
                runBlocking { app.repository.addPhoto("J-3042", ShellTest.png(640, 480), "Nameplate") }
                app.syncPolicy.syncNow()
                waitUntil(timeoutMillis = UI_WAIT_MS) {
                    app.syncPolicy.state.value.phase == SyncPhase.IDLE && runBlocking { app.repository.pendingSyncCount() } == 0L
                }
                waitForText("Up to date")
                waitForText("Last sent just now")

                // The SLA risk is said in words by its dot, not by its colour alone.
                waitFor(hasContentDescription("Response due 9:00 AM · Overdue 90 min"))
                shoot("today", variants())
                shoot("today", listOf(Variant(Appearance.HIGH_CONTRAST, english, 1f)))

                tap("Harbour Clinic")
                waitFor(hasContentDescription("Response by", substring = true))
                shoot("job", variants(listOf(1f, 1.5f, 2f)))
                shoot("job", listOf(Variant(Appearance.HIGH_CONTRAST, english, 1f)))

                scrollJobAndTap("Take or view photos")
                waitForText("Nameplate")
                shoot("photos", variants())
                tapDescribed("Back")

                // The customer's flow, after the job was completed at a fixed time (the review
                // prints the completion time; a job still open would print the time of the build).
                core.setStatus("J-3042", JobStatus.COMPLETED, before(1))
                // Now also in the bottom bar (the report section has the other one).
                waitFor(hasText("Customer signature") and hasClickAction())
                onAllNodes(hasText("Customer signature") and hasClickAction()).onFirst().performClick()
                // The review in the report language of each variant.
                waitForText("Completion report")
                shoot("review", variants()) { v ->
                    val zh = v.locale == chinese
                    tap(if (zh) "中文" else "English")
                    waitForText(if (zh) "完工报告" else "Completion report")
                }
                tap("English")
                waitForText("Completion report")

                tap("Agree and sign")
                onNodeWithTag("signature-pad").performTouchInput {
                    down(Offset(width * 0.08f, height * 0.55f))
                    for (i in 1..24) moveTo(Offset(width * (0.08f + i * 0.016f), height * (0.55f - 0.35f * kotlin.math.sin(i / 3.0).toFloat())))
                    up()
                    down(Offset(width * 0.55f, height * 0.2f))
                    for (i in 1..20) moveTo(Offset(width * (0.55f + i * 0.018f), height * (0.2f + 0.4f * (i % 5) / 5f)))
                    up()
                }
                shoot("sign", variants())

                tapDescribed("Back")
                tap("Refuse to sign")
                waitForText("The refusal is recorded in the report with the reason, and the name if given.")
                shoot("refuse", variants())
                tapDescribed("Back")

                tap("Agree and sign")
                typeInto("Name", "Chen Wei")
                tap("Sign")
                waitForText("Thank you. The report is signed.")
                shoot("done", variants())
                tap("Hand the phone back")
                waitForText("Please hand the phone back to the technician.")
                shoot("hand-back", variants())

                // Offline: the bar's own colour and icon, the signed job waiting to be sent.
                tap("Back to the job")
                tapDescribed("Back")
                app.syncPolicy.onNetworkChanged(false)
                app.repository.setNetworkState(false)
                waitForText("Offline: your work is saved on the phone")
                waitForText("Last sent just now · Jobs waiting: 1")
                shoot("today-offline", variants(listOf(1f)))

                // The van: the office puts Anna in one and sends two transfers; the phone counts
                // the first in one relay short, and a job uses more filters than the van held.
                office.post("/api/v1/locations", """{"id":"W-EAST","kind":"warehouse","technicians":[],"region":"east"}""")
                office.post("/api/v1/locations", """{"id":"V-07","kind":"van","technicians":["t1"],"region":"east"}""")
                office.post("/api/v1/parts", """{"sku":"P-RLY","name":{"zh-CN":"启动继电器 24 V","en":"Start relay 24 V"},"unit":"pcs","unit_price":4500,"serialised":false}""")
                office.post("/api/v1/parts", """{"sku":"P-FLT","name":{"zh-CN":"空气滤网","en":"Air filter"},"unit":"pcs","unit_price":1200,"serialised":false}""")
                office.post("/api/v1/stock/movements", """{"kind":"receipt","to":"W-EAST","lines":[{"sku":"P-RLY","qty":10},{"sku":"P-FLT","qty":5}]}""")
                office.post("/api/v1/stock/movements", """{"id":"T-1","kind":"transfer","from":"W-EAST","to":"V-07","lines":[{"sku":"P-RLY","qty":4},{"sku":"P-FLT","qty":2}]}""")
                val (posted, t2) = office.call("POST", "/api/v1/stock/movements", """{"id":"T-2","kind":"transfer","from":"W-EAST","to":"V-07","lines":[{"sku":"P-RLY","qty":2}]}""")
                assertEquals(201, posted, t2)
                // The office stamps a transfer with its own clock: the screens' clock moves to that
                // instant before the sync, so the delivery on its way says its time alone (one
                // line in every variant, painted over) and the bar says it was sent just now.
                screensNow = Json.parseToJsonElement(t2).jsonObject["at"]!!.jsonPrimitive.long
                app.repository.setNetworkState(true)
                app.syncPolicy.onNetworkChanged(true)
                app.syncPolicy.syncNow()
                waitUntil(timeoutMillis = UI_WAIT_MS) {
                    app.syncPolicy.state.value.phase == SyncPhase.IDLE &&
                        runBlocking { app.repository.pendingSyncCount() } == 0L &&
                        runCatching { runBlocking { app.repository.vanStock() }.inTransit.size == 2 }.getOrDefault(false)
                }
                waitForText("Up to date")
                waitForText("Last sent just now", substring = true)
                core.receiveTransfer("T-1", listOf(CountedRecord("P-RLY", 3), CountedRecord("P-FLT", 2)), before(1))
                core.addPart("J-3043", NewPartRecord("P-FLT", "Air filter", 3u, null, null, null), before(1))
                tap("Van stock")
                waitForText("From W-EAST")
                waitForText("Van V-07")
                shoot("stock", variants())
            }
        }
        assertEquals(emptyList<String>(), mismatches, "screens that differ from their goldens")
    }

    /**
     * [image] with what the office's clock decides painted over, so a screen's picture is the
     * same every run: a delivery's "Sent" time (the office stamps a transfer when the test posts
     * it). The whole line is covered, whatever the date's width.
     */
    private fun ComposeUiTest.masked(image: BufferedImage): BufferedImage {
        val lines = onAllNodesWithTag(TRANSFER_SENT_TAG).fetchSemanticsNodes()
        if (lines.isEmpty()) return image
        val paint = image.createGraphics()
        paint.color = java.awt.Color.GRAY
        for (line in lines) {
            val b = line.boundsInRoot
            val left = b.left.toInt()
            paint.fillRect(left, b.top.toInt(), image.width - 2 * left, kotlin.math.ceil(b.height).toInt())
        }
        paint.dispose()
        return image
    }

    /**
     * What the design system promises, on the screen as it is: every control a finger can reach
     * says what it is (a label or a description, for TalkBack), and every primary or secondary
     * action is at least 56 dp tall (density 1 here: a pixel is a dp).
     */
    private fun ComposeUiTest.assertFieldGrade(screen: String) {
        waitForIdle()
        for (node in onAllNodes(hasClickAction()).fetchSemanticsNodes()) {
            val said = listOfNotNull(
                node.config.getOrNull(SemanticsProperties.Text)?.joinToString(""),
                node.config.getOrNull(SemanticsProperties.ContentDescription)?.joinToString(""),
                node.config.getOrNull(SemanticsProperties.EditableText)?.text,
            ).joinToString("")
            assertTrue(said.isNotBlank(), "$screen: a control at ${node.boundsInRoot} says nothing")
        }
        val actions = onAllNodesWithTag(ACTION_TAG).fetchSemanticsNodes()
        for (action in actions) assertTrue(action.boundsInRoot.height >= 56f, "$screen: ${action.config.getOrNull(SemanticsProperties.Text)} is ${action.boundsInRoot.height} dp tall")
    }

    private companion object {
        /** The screens' clock: a Tuesday morning in Shanghai, within the demo contract's working hours. */
        val NOW = epochMs("2026-11-24T10:30:00+08:00")
    }
}
