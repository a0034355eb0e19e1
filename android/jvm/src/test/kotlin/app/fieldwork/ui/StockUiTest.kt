package app.fieldwork.ui

import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import app.fieldwork.ffi.StockLevelRecord
import app.fieldwork.shell.JobDetailViewModel
import app.fieldwork.shell.MessageArg
import app.fieldwork.shell.MessageKey
import app.fieldwork.shell.ReturnSerials
import app.fieldwork.shell.StockState
import app.fieldwork.shell.SyncPhase
import app.fieldwork.shell.TestOffice
import app.fieldwork.shell.UserMessage
import app.fieldwork.shell.VanScan
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.time.ZoneId
import java.util.Locale
import java.util.TimeZone

/**
 * The van stock screen over the real core and office: no van yet is said as such; once the
 * office put the technician in a van and sent a transfer, the phone's sync brings it in transit
 * with when it was sent (the phone's clock, in English and Chinese), counting it in one short
 * shows the new level, a part used on a job from the van picker (picked, or scanned straight
 * into it) lowers it, and a part tracked by serial goes back only with its serial, with the job
 * it came off, as the van and the office's ledger then show.
 */
@OptIn(ExperimentalTestApi::class)
class StockUiTest {
    private val dir = Files.createTempDirectory("fieldwork-stock")
    private val locale = Locale.getDefault()
    private val timeZone = TimeZone.getDefault()

    /** The phone's zone: not this machine's, so a time shown in UTC would be caught. */
    private val zone = ZoneId.of("Asia/Shanghai")

    init {
        Locale.setDefault(Locale.US)
        TimeZone.setDefault(TimeZone.getTimeZone(zone))
    }

    @AfterEach
    fun restore() {
        Locale.setDefault(locale)
        TimeZone.setDefault(timeZone)
    }

    @Test
    fun noVanThenATransferCountedInOneShortThenPartsUsedAndSentBack() = TestOffice(dir.resolve("office")).start().use { office ->
        office.technician("t1", "Anna")
        office.job("J-STK", "t1")
        DesktopApp(dir).use { app ->
            app.enroll(office, "t1")
            // The screens' language, switched in place for the Chinese check (null: the JVM's, English).
            var language by mutableStateOf<Locale?>(null)
            val content = @androidx.compose.runtime.Composable {
                CompositionLocalProvider(LocalDesktopLocale provides language) { app.Root() }
            }
            runPhoneUiTest(content = content) {
                waitFor(hasText("Harbour Clinic") and hasClickAction())

                // Before the office put the technician in a van: said, not a crash.
                goTo("Van stock")
                waitForText("No van yet")
                waitForText("The office has not put you in a van yet", substring = true)

                // The office: a warehouse, a van with this technician, three parts (the valve
                // tracked by serial), a receipt and a transfer.
                office.stockSetup()
                runBlocking { app.repository.sync() }

                // The screen reloads after the sync: the transfer is on its way.
                waitForText("From W-EAST")
                waitForText("4 × Start relay 24 V (P-RLY)")
                waitForText("5 × Air filter (P-FLT)")
                waitForText("2 × Expansion valve (P-VLV)")

                // Beside where it comes from, when it was sent: the office's instant on the
                // phone's clock (its zone, its language's way of writing times).
                val sentAt = runBlocking { app.repository.vanStock() }.inTransit.single().sentAtMs
                waitFor(sentLine("Sent %s", sentAt, Locale.US))
                language = Locale.forLanguageTag("zh-CN")
                waitForText("来自 W-EAST")
                waitFor(sentLine("%s 发出", sentAt, Locale.forLanguageTag("zh-CN")))
                language = null
                waitForText("From W-EAST")
                scrollTo("stock-content", hasText("On the way: 4"))

                // Counted in one short: three of the four relays arrived, the rest as sent.
                tap("Count in")
                waitForText("Enter what arrived of each part.")
                waitFor(hasText("4") and hasSetTextAction() and hasText("Start relay 24 V (P-RLY)"))
                replaceIn("Start relay 24 V (P-RLY)", "3")
                tap("Confirm")
                scrollTo("stock-content", hasText("On hand: 3 pcs"))
                scrollTo("stock-content", hasText("On hand: 5 pcs"))
                scrollTo("stock-content", hasText("On hand: 2 ea"))
                waitForGone(hasText("From W-EAST"))
                val afterCount = runBlocking { app.repository.vanStock() }
                assertEquals(mapOf("P-RLY" to 3L, "P-FLT" to 5L, "P-VLV" to 2L), afterCount.levels.associate { it.sku to it.qty })
                assertTrue(afterCount.inTransit.isEmpty(), "the transfer is counted in")

                // A relay used on the job, its part number scanned straight into the van picker
                // (as the label reads, in lower case, with the scanner's line end).
                back()
                goTo("Harbour Clinic")
                app.scanner = { "p-rly\n" }
                scrollJobAndTap("From the van")
                waitForText("Parts in your van")
                tap("Scan a part number or serial")
                waitForGone(hasText("Parts in your van"))
                waitFor(hasText("P-RLY") and hasSetTextAction())
                waitFor(hasText("Start relay 24 V") and hasSetTextAction())

                // Then its serial scanned into the picker: not a part of the van, so the serial
                // fitted; the part picked from the list after it.
                app.scanner = { "RLY-SN-778" }
                scrollJobAndTap("From the van")
                waitForText("Parts in your van")
                tap("Scan a part number or serial")
                waitForText("Serial fitted: RLY-SN-778. Now pick its part.")
                tap("Start relay 24 V · P-RLY · on hand 3 pcs")
                waitForGone(hasText("Parts in your van"))
                waitFor(hasText("Serial fitted") and hasText("RLY-SN-778") and hasSetTextAction())
                scrollJobAndTap("Add part")
                scrollTo("job-content", hasText("1 × P-RLY"))
                scrollTo("job-content", hasText("Fitted RLY-SN-778 · removed –"))
                val line = runBlocking { app.repository.job("J-STK") }.parts.single()
                assertEquals("P-RLY" to "RLY-SN-778", line.sku to line.serialIn)

                // The van holds one fewer, on the stock screen as in the core.
                quiet(app)
                back()
                goTo("Van stock")
                scrollTo("stock-content", hasText("On hand: 2 pcs"))
                waitForGone(hasText("On hand: 3 pcs"))
                val afterUse = runBlocking { app.repository.vanStock() }
                assertEquals(2L, afterUse.levels.first { it.sku == "P-RLY" }.qty)

                // A count of the van finds one filter fewer than the phone showed.
                tap("Count the van")
                waitForText("Enter what you find of each part.")
                waitFor(hasText("5") and hasSetTextAction() and hasText("Air filter (P-FLT)"))
                replaceIn("Air filter (P-FLT)", "4")
                tap("Confirm")
                scrollTo("stock-content", hasText("On hand: 4 pcs"))

                // A defective relay sent back to the warehouse (no serial: the relay is not tracked by one).
                sendBack("Start relay 24 V")
                waitFor(hasText("Serial numbers (if any)") and hasSetTextAction())
                tap("Defective")
                tap("Confirm")
                scrollTo("stock-content", hasText("On hand: 1 pcs"))
                val afterReturn = runBlocking { app.repository.vanStock() }
                assertEquals(mapOf("P-RLY" to 1L, "P-FLT" to 4L, "P-VLV" to 2L), afterReturn.levels.associate { it.sku to it.qty })

                // A valve, tracked by serial, sent back from the job it came off: without its
                // serial the form says so and nothing is written; with it, it goes.
                sendBack("Expansion valve")
                waitForText("Tracked by serial: one serial number per part, separated by commas or spaces.")
                typeInto("Job it came off (if any)", "J-STK")
                tap("Defective")
                tap("Confirm")
                waitForText("This part is tracked by serial: enter the serial number of each part you send back.")
                assertEquals(afterReturn.levels.associate { it.sku to it.qty }, runBlocking { app.repository.vanStock() }.levels.associate { it.sku to it.qty })
                assertEquals(afterReturn.pending, runBlocking { app.repository.vanStock() }.pending, "nothing written")
                typeInto("Serial numbers", "V-101")
                tap("Confirm")
                waitForGone(hasText("Serial numbers") and hasSetTextAction())
                scrollTo("stock-content", hasText("On hand: 1 ea"))
                val afterValve = runBlocking { app.repository.vanStock() }
                assertEquals(mapOf("P-RLY" to 1L, "P-FLT" to 4L, "P-VLV" to 1L), afterValve.levels.associate { it.sku to it.qty })
                assertTrue(afterValve.pending > afterReturn.pending, "the return waits for the office")

                // Sent: the office's ledger holds the return with its serial, job and reason, its
                // levels agree, and the phone has nothing left to send.
                runBlocking { app.repository.sync() }
                waitForGone(hasText("Stock changes not sent yet", substring = true))
                assertEquals(0uL, runBlocking { app.repository.vanStock() }.pending)
                val valveBack = office.ledger("V-07").single { it["kind"]!!.jsonPrimitive.content == "return" && it.sku() == "P-VLV" }
                assertEquals("W-EAST", valveBack["to"]!!.jsonPrimitive.content)
                assertEquals("J-STK", valveBack["job"]!!.jsonPrimitive.content)
                assertEquals("defective", valveBack["reason"]!!.jsonPrimitive.content)
                assertEquals(listOf("V-101"), valveBack.line()["serials"]!!.jsonArray.map { it.jsonPrimitive.content })
                assertEquals(1L, valveBack.line()["qty"]!!.jsonPrimitive.content.toLong())
                val (status, levels) = office.call("GET", "/api/v1/stock/levels?location=V-07")
                assertEquals(200, status, levels)
                val officeLevels = Json.parseToJsonElement(levels).jsonObject["levels"]!!.jsonArray.associate {
                    it.jsonObject["sku"]!!.jsonPrimitive.content to it.jsonObject["qty"]!!.jsonPrimitive.content.toLong()
                }
                assertEquals(mapOf("P-RLY" to 1L, "P-FLT" to 4L, "P-VLV" to 1L), officeLevels)
            }
        }
    }

    /** What a code scanned into the van picker is: a part of the van by its number (in either case), else a serial. */
    @Test
    fun aScannedCodeIsAPartOfTheVanByItsNumberOrElseASerial() {
        val relay = level("P-RLY", 3)
        val valve = level("P-VLV", 0)
        val van = listOf(relay, valve)
        assertEquals(VanScan.Part(relay), JobDetailViewModel.vanScan("P-RLY", van))
        assertEquals(VanScan.Part(relay), JobDetailViewModel.vanScan(" p-rly\r\n", van), "the label's case and the scanner's line end")
        assertEquals(VanScan.Part(valve), JobDetailViewModel.vanScan("\u001DP-VLV", van), "a part the van shows, even with none on hand")
        assertEquals(VanScan.Serial("RLY-SN-778"), JobDetailViewModel.vanScan("RLY-SN-778\n", van))
        assertEquals(VanScan.Serial("P-RLY-2"), JobDetailViewModel.vanScan("P-RLY-2", van), "a part number is matched whole")
        assertEquals(VanScan.Serial("P-RLY"), JobDetailViewModel.vanScan("P-RLY", emptyList()), "no van: every code is a serial")
        assertEquals(VanScan.Empty, JobDetailViewModel.vanScan(" \n", van))
    }

    /** The "Send back" form's serials: as typed, separated by commas (also Chinese ones) or spaces, checked against the quantity. */
    @Test
    fun theSerialsOfAPartSentBackFitItsQuantity() {
        assertEquals(listOf("V-1", "V-2", "V-3", "V-4"), ReturnSerials.parse(" V-1, V-2\nV-3，V-4 "))
        assertEquals(emptyList<String>(), ReturnSerials.parse("  "))
        // Tracked by serial: one per part.
        assertEquals(UserMessage(MessageKey.STOCK_SERIAL_MISSING), ReturnSerials.check(1, emptyList(), serialised = true))
        assertEquals(
            UserMessage(MessageKey.STOCK_SERIALS_COUNT, args = listOf(MessageArg.Number(2), MessageArg.Number(1))),
            ReturnSerials.check(2, listOf("V-1"), serialised = true),
        )
        assertNull(ReturnSerials.check(2, listOf("V-1", "V-2"), serialised = true))
        assertEquals(
            UserMessage(MessageKey.STOCK_SERIAL_TWICE, args = listOf(MessageArg.Text("V-1"))),
            ReturnSerials.check(2, listOf("V-1", "V-1"), serialised = true),
        )
        // Not tracked: serials optional, never more than the parts.
        assertNull(ReturnSerials.check(3, emptyList(), serialised = false))
        assertNull(ReturnSerials.check(3, listOf("R-1"), serialised = false))
        assertEquals(
            UserMessage(MessageKey.STOCK_SERIALS_COUNT, args = listOf(MessageArg.Number(1), MessageArg.Number(2))),
            ReturnSerials.check(1, listOf("R-1", "R-2"), serialised = false),
        )
        // The form marks its serial field for these refusals only.
        assertTrue(StockState(message = ReturnSerials.check(1, emptyList(), serialised = true)).serialsRefused)
        assertFalse(StockState(message = UserMessage(MessageKey.STOCK_QTY_NOT_A_NUMBER)).serialsRefused)
        assertFalse(StockState().serialsRefused)
    }

    private fun level(sku: String, qty: Long) = StockLevelRecord(sku, "", sku, "pcs", qty, 0, emptyList(), emptyList())

    /**
     * The delivery's "Sent" line: [sentAtMs] on the phone's clock in [locale] (the time alone on
     * the day it was sent, with its date on another: either, should the test cross midnight).
     */
    private fun sentLine(format: String, sentAtMs: Long, locale: Locale): SemanticsMatcher {
        val clock = ClockFormat(locale, ClockFormat.localeIs24Hour(locale), zone)
        val now = System.currentTimeMillis()
        val shown = listOf(clock.timeOrDate(sentAtMs, now), clock.timeOrDate(sentAtMs, now + 86_400_000L))
        return hasTestTag(TRANSFER_SENT_TAG) and shown.map { hasText(format.format(it)) }.reduce { a, b -> a or b }
    }

    /**
     * Back one screen, with the screens settled before and after: taps run on the test's
     * thread, so a navigation is never started while Swing's thread still finishes the last.
     */
    private fun ComposeUiTest.back() {
        waitForIdle()
        tapDescribed("Back")
        waitForIdle()
    }

    /** Taps [text] to go to another screen, settled as [back] is. */
    private fun ComposeUiTest.goTo(text: String) {
        waitForIdle()
        tap(text)
        waitForIdle()
    }

    /** Opens the "Send back" form of the part named [name] from its row. */
    private fun ComposeUiTest.sendBack(name: String) {
        scrollTo("stock-content", hasContentDescription("Send back $name"))
        tapDescribed("Send back $name")
        waitFor(hasText("Defective") and hasClickAction())
    }

    /**
     * Until the sync the last edit started has ended and nothing waits to be sent, and the
     * screen has drawn it: the bar stops changing before a tap lands on the top bar.
     */
    private fun ComposeUiTest.quiet(app: DesktopApp) {
        waitUntil(timeoutMillis = UI_WAIT_MS) {
            app.syncPolicy.state.value.phase == SyncPhase.IDLE && runBlocking { app.repository.pendingSyncCount() } == 0L
        }
        waitForIdle()
    }

    private fun TestOffice.stockSetup() {
        post("/api/v1/locations", """{"id":"W-EAST","kind":"warehouse","technicians":[],"region":"east"}""")
        post("/api/v1/locations", """{"id":"V-07","kind":"van","technicians":["t1"],"region":"east"}""")
        post("/api/v1/parts", """{"sku":"P-RLY","name":{"zh-CN":"启动继电器","en":"Start relay 24 V"},"unit":"pcs","unit_price":4500,"serialised":false}""")
        post("/api/v1/parts", """{"sku":"P-FLT","name":{"zh-CN":"空气滤网","en":"Air filter"},"unit":"pcs","unit_price":1200,"serialised":false}""")
        post("/api/v1/parts", """{"sku":"P-VLV","name":{"zh-CN":"膨胀阀","en":"Expansion valve"},"unit":"ea","unit_price":18000,"serialised":true}""")
        post(
            "/api/v1/stock/movements",
            """{"kind":"receipt","to":"W-EAST","lines":[{"sku":"P-RLY","qty":10},{"sku":"P-FLT","qty":5},{"sku":"P-VLV","qty":2,"serials":["V-100","V-101"]}]}""",
        )
        post(
            "/api/v1/stock/movements",
            """{"id":"T-1","kind":"transfer","from":"W-EAST","to":"V-07","lines":[{"sku":"P-RLY","qty":4},{"sku":"P-FLT","qty":5},{"sku":"P-VLV","qty":2,"serials":["V-100","V-101"]}]}""",
        )
    }

    /** The office's ledger of [location], in the order it recorded it. */
    private fun TestOffice.ledger(location: String): List<JsonObject> {
        val (status, body) = call("GET", "/api/v1/stock/movements?location=$location")
        assertEquals(200, status, body)
        return Json.parseToJsonElement(body).jsonArray.map { it.jsonObject }
    }

    private fun JsonObject.line(): JsonObject = this["lines"]!!.jsonArray.single().jsonObject

    private fun JsonObject.sku(): String? = this["lines"]!!.jsonArray.singleOrNull()?.jsonObject?.get("sku")?.jsonPrimitive?.content
}
