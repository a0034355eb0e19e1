package app.fieldwork.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasText
import app.fieldwork.shell.TestOffice
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.util.Locale

/**
 * The van stock screen over the real core and office: no van yet is said as such; once the
 * office put the technician in a van and sent a transfer, the phone's sync brings it in transit,
 * counting it in one short shows the new level, and a part used on a job from the van picker
 * lowers it.
 */
@OptIn(ExperimentalTestApi::class)
class StockUiTest {
    private val dir = Files.createTempDirectory("fieldwork-stock")
    private val locale = Locale.getDefault()

    init {
        Locale.setDefault(Locale.US)
    }

    @AfterEach
    fun restoreLocale() = Locale.setDefault(locale)

    @Test
    fun noVanThenATransferCountedInOneShortThenAPartUsedFromTheVan() = TestOffice(dir.resolve("office")).start().use { office ->
        office.technician("t1", "Anna")
        office.job("J-STK", "t1")
        DesktopApp(dir).use { app ->
            app.enroll(office, "t1")
            runPhoneUiTest(content = { app.Root() }) {
                waitFor(hasText("Harbour Clinic") and hasClickAction())

                // Before the office put the technician in a van: said, not a crash.
                tap("Van stock")
                waitForText("No van yet")
                waitForText("The office has not put you in a van yet", substring = true)

                // The office: a warehouse, a van with this technician, two parts, a receipt and a transfer.
                office.stockSetup()
                runBlocking { app.repository.sync() }

                // The screen reloads after the sync: the transfer is on its way.
                waitForText("From W-EAST")
                waitForText("4 × Start relay 24 V (P-RLY)")
                waitForText("5 × Air filter (P-FLT)")
                scrollTo("stock-content", hasText("On the way: 4"))

                // Counted in one short: three of the four relays arrived, the five filters.
                tap("Count in")
                waitForText("Enter what arrived of each part.")
                waitFor(hasText("4") and hasSetTextAction() and hasText("Start relay 24 V (P-RLY)"))
                replaceIn("Start relay 24 V (P-RLY)", "3")
                tap("Confirm")
                scrollTo("stock-content", hasText("On hand: 3 pcs"))
                scrollTo("stock-content", hasText("On hand: 5 pcs"))
                waitForGone(hasText("From W-EAST"))
                val afterCount = runBlocking { app.repository.vanStock() }
                assertEquals(mapOf("P-RLY" to 3L, "P-FLT" to 5L), afterCount.levels.associate { it.sku to it.qty })
                assertTrue(afterCount.inTransit.isEmpty(), "the transfer is counted in")

                // A relay used on the job, chosen from what the van holds.
                tapDescribed("Back")
                tap("Harbour Clinic")
                scrollJobAndTap("From the van")
                waitForText("Parts in your van")
                tap("Start relay 24 V · P-RLY · on hand 3 pcs")
                waitFor(hasText("P-RLY") and hasSetTextAction())
                waitFor(hasText("Start relay 24 V") and hasSetTextAction())
                scrollJobAndTap("Add part")
                scrollTo("job-content", hasText("1 × P-RLY"))

                // The van holds one fewer, on the stock screen as in the core.
                tapDescribed("Back")
                tap("Van stock")
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

                // A defective relay sent back to the warehouse.
                scrollTo("stock-content", hasContentDescription("Send back Start relay 24 V"))
                tapDescribed("Send back Start relay 24 V")
                waitFor(hasText("Defective") and hasClickAction())
                tap("Defective")
                tap("Confirm")
                scrollTo("stock-content", hasText("On hand: 1 pcs"))
                val afterReturn = runBlocking { app.repository.vanStock() }
                assertEquals(mapOf("P-RLY" to 1L, "P-FLT" to 4L), afterReturn.levels.associate { it.sku to it.qty })
            }
        }
    }

    private fun TestOffice.stockSetup() {
        post("/api/v1/locations", """{"id":"W-EAST","kind":"warehouse","technicians":[],"region":"east"}""")
        post("/api/v1/locations", """{"id":"V-07","kind":"van","technicians":["t1"],"region":"east"}""")
        post("/api/v1/parts", """{"sku":"P-RLY","name":{"zh-CN":"启动继电器","en":"Start relay 24 V"},"unit":"pcs","unit_price":4500,"serialised":false}""")
        post("/api/v1/parts", """{"sku":"P-FLT","name":{"zh-CN":"空气滤网","en":"Air filter"},"unit":"pcs","unit_price":1200,"serialised":false}""")
        post("/api/v1/stock/movements", """{"kind":"receipt","to":"W-EAST","lines":[{"sku":"P-RLY","qty":10},{"sku":"P-FLT","qty":5}]}""")
        post("/api/v1/stock/movements", """{"id":"T-1","kind":"transfer","from":"W-EAST","to":"V-07","lines":[{"sku":"P-RLY","qty":4},{"sku":"P-FLT","qty":5}]}""")
    }
}
