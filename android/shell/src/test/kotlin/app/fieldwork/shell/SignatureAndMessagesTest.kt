package app.fieldwork.shell

import app.fieldwork.ffi.ImageReason
import app.fieldwork.ffi.InputReason
import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.JobSummaryRecord
import app.fieldwork.ffi.SlaState
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.File
import javax.xml.parsers.DocumentBuilderFactory

/** The parts of the shell that need no core: the signature pad, messages, SLA colours, status buttons. */
class SignatureAndMessagesTest {
    @Test
    fun theSignaturePadBuildsTheStrokesJsonOnTheCanvas() {
        var pad = Signature(300, 100)
        pad = pad.down(10.4f, 80f, 5_000, 500).move(60f, 20f, 5_016, 600).move(60.7f, 20.2f, 5_020, 600)
            .move(400f, -3f, 5_033, 1_400).up()
        pad = pad.move(1f, 1f, 5_100, 1) // not drawing: ignored
        pad = pad.down(150f, 50f, 5_200, 300).move(290f, 55f, 5_190, 700).up()
        assertEquals(
            """{"canvas":{"width":300,"height":100},"strokes":[[[10,80,0,500],[60,20,16,600],[300,0,33,1000]],[[150,50,200,300],[290,55,200,700]]]}""",
            pad.toJson(),
            "rounded, a repeated position dropped, clamped onto the canvas and to 1000, time never backwards",
        )
        assertEquals(5, pad.pointCount)
        assertTrue(pad.cleared().isEmpty)
    }

    @Test
    fun theSignaturePadStopsAtTheCoresLimits() {
        var pad = Signature(300, 100)
        repeat(Signature.MAX_STROKES) { i -> pad = pad.down(i.toFloat(), 10f, i.toLong(), 500).move(i.toFloat(), 90f, i + 1L, 500).up() }
        assertFalse(pad.full)
        pad = pad.down(1f, 1f, 100, 500)
        assertTrue(pad.full)
        assertEquals(Signature.MAX_STROKES, pad.strokes.size)

        var long = Signature(300, 100).down(0f, 0f, 0, 500)
        for (j in 1..Signature.MAX_POINTS + 10) long = long.move((j % 300).toFloat(), (j / 300 % 100).toFloat(), j.toLong(), 500)
        assertTrue(long.full)
        assertEquals(Signature.MAX_POINTS, long.pointCount)
    }

    @Test
    fun everyCoreErrorHasItsOwnMessageInEnglishAndChinese() {
        val errors = listOf(
            ApiException.InvalidInput("x", InputReason.Other), ApiException.NotFound("x"), ApiException.NotEnrolled("x"),
            ApiException.Offline("x"), ApiException.Tls("x"), ApiException.Unauthorized("x"),
            ApiException.UpgradeRequired("x"), ApiException.RateLimited("x", 30uL), ApiException.Server("x"),
            ApiException.BadSignature("x"), ApiException.BadImage("x", ImageReason.NotAnImage), ApiException.CannotSign("x"),
            ApiException.Render("x"), ApiException.Storage("x"), ApiException.Internal("x"),
        )
        val keys = errors.map { ErrorMessages.keyOf(it) }
        assertEquals(errors.size, keys.toSet().size, "one key per error: $keys")
        assertEquals(UserMessage(MessageKey.TLS, "unknown issuer"), ErrorMessages.of(ApiException.Tls("unknown issuer")))
        assertEquals(null, ErrorMessages.of(ApiException.Offline("connection refused")).shownDetail, "an outage's detail is for the log")
        assertEquals(MessageKey.UPGRADE_REQUIRED, ErrorMessages.of(ApiException.UpgradeRequired("sync version 0")).key)
        assertEquals(null, ErrorMessages.of(ApiException.RateLimited("wait 30 s", 30uL)).shownDetail, "waiting for the office is quiet")

        // A refused value is said in the phone's words from the core's code and parameters;
        // the English detail stays in the log.
        val tooMany = ErrorMessages.of(ApiException.InvalidInput("invalid input: qty must be 1 to 10000, got 0", InputReason.OutOfRange("qty", 1, 10_000, 0)))
        assertEquals(MessageKey.REFUSED_OUT_OF_RANGE, tooMany.key)
        assertEquals(listOf(MessageArg.Field(MessageKey.FIELD_QTY), MessageArg.Number(1), MessageArg.Number(10_000)), tooMany.args)
        assertEquals(null, tooMany.shownDetail)
        val move = ErrorMessages.of(ApiException.InvalidInput("x", InputReason.StatusNotAllowed(JobStatus.COMPLETED, JobStatus.EN_ROUTE)))
        assertEquals(listOf(MessageArg.Status(JobStatus.COMPLETED), MessageArg.Status(JobStatus.EN_ROUTE)), move.args)
        assertEquals(MessageKey.FIELD_THIS_VALUE, ErrorMessages.fieldKey("a field the shell never heard of"))
        assertEquals(MessageKey.IMAGE_TOO_LARGE, ErrorMessages.of(ApiException.BadImage("x", ImageReason.TooLarge(25uL))).key)

        val res = File(System.getProperty("fieldwork.ui.res") ?: "../ui/src/main/res")
        for (folder in listOf("values", "values-zh-rCN")) {
            val xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(File(res, "$folder/strings.xml"))
            val names = xml.getElementsByTagName("string").let { list -> (0 until list.length).map { list.item(it).attributes.getNamedItem("name").nodeValue } }
            val missing = (MessageKey.entries.map { it.resourceName } + SlaPhrase.entries.map { it.resourceName }) - names.toSet()
            assertEquals(emptyList<String>(), missing, "$folder/strings.xml lacks message keys")
            for (status in listOf(JobStatus.ACCEPTED, JobStatus.EN_ROUTE, JobStatus.ON_SITE, JobStatus.IN_PROGRESS, JobStatus.ON_HOLD, JobStatus.COMPLETED)) {
                assertTrue("status_${status.wire}" in names, "$folder lacks status_${status.wire}")
            }
        }
    }

    @Test
    fun riskIsSaidInWordsFromTheCoresMinutes() {
        assertEquals(SlaWords(SlaPhrase.OVERDUE_MINUTES, 20), SlaText.of(RiskColour.RED, -20))
        assertEquals(SlaWords(SlaPhrase.OVERDUE_MINUTES, 1), SlaText.of(RiskColour.RED, -1), "30 s late is a minute late")
        assertEquals(SlaWords(SlaPhrase.AT_RISK_MINUTES, 15), SlaText.of(RiskColour.AMBER, 15))
        assertEquals(SlaWords(SlaPhrase.LEFT_HOURS, 3), SlaText.of(RiskColour.GREEN, 200))
        assertEquals(SlaWords(SlaPhrase.OVERDUE_HOURS, 26), SlaText.of(RiskColour.RED, -1_565))
        assertEquals(null, SlaText.of(RiskColour.NONE, 30), "no clock, no words")
        assertEquals(null, SlaText.of(RiskColour.GREEN, null))
    }

    @Test
    fun riskColoursAreTheCoresSlaState() {
        fun job(status: JobStatus, state: SlaState?) =
            JobSummaryRecord("J", status, "high", "C", "A", 0, null, null, false, null, "arrival", 10_000_000L, "Asia/Shanghai", state, 20)
        assertEquals(RiskColour.GREEN, SlaRisk.of(job(JobStatus.ACCEPTED, SlaState.PENDING)))
        assertEquals(RiskColour.AMBER, SlaRisk.of(job(JobStatus.ACCEPTED, SlaState.AT_RISK)))
        assertEquals(RiskColour.RED, SlaRisk.of(job(JobStatus.EN_ROUTE, SlaState.BREACHED)))
        assertEquals(RiskColour.NONE, SlaRisk.of(job(JobStatus.IN_PROGRESS, SlaState.MET)))
        assertEquals(RiskColour.NONE, SlaRisk.of(job(JobStatus.COMPLETED, SlaState.BREACHED)), "a closed job runs no clock")
        assertEquals(RiskColour.NONE, SlaRisk.of(job(JobStatus.ACCEPTED, null)), "no contract, no SLA")
    }

    @Test
    fun clockTimesAreHoursAndMinutesOfTheDay() {
        assertEquals(java.time.LocalTime.of(8, 5), ClockTime.parse("8:05"))
        assertEquals(java.time.LocalTime.of(23, 59), ClockTime.parse(" 23:59 "))
        for (bad in listOf("", "8h05", "24:00", "08:5", "08:60", "-1:00", "0805", "08:05:00")) {
            assertEquals(null, ClockTime.parse(bad), bad)
        }
    }
}
