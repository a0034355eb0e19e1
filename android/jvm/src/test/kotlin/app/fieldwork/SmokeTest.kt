// Smoke test of the real C ABI through the generated Kotlin bindings on the JVM: starts the real
// office server, enrolls a store opened through FieldworkApp, works offline, catches typed
// errors, and syncs once the server is back. A second test takes a photo, seals a signed
// completion report on the phone and checks that the office holds the same bytes, signature
// and PDF.
package app.fieldwork

import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.FieldworkApp
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.NewPartRecord
import app.fieldwork.ffi.ReportLanguage
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.awt.image.BufferedImage
import java.io.ByteArrayOutputStream
import java.io.File
import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import javax.imageio.ImageIO

class Office(private val data: Path) {
    private val bin = System.getProperty("fieldwork.server.bin")
    val port = ServerSocket(0).use { it.localPort }
    val url = "http://127.0.0.1:$port"
    private var process: Process? = null
    private val http = HttpClient.newHttpClient()
    lateinit var token: String

    fun start() {
        process = ProcessBuilder(bin, "serve", "--data", data.toString(), "--listen", "127.0.0.1:$port")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        val deadline = System.currentTimeMillis() + 20_000
        while (System.currentTimeMillis() < deadline) {
            try {
                val health = HttpRequest.newBuilder(URI("$url/api/v1/health")).build()
                if (http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) return
            } catch (e: java.io.IOException) {
                Thread.sleep(50)
            }
        }
        error("server did not start")
    }

    fun stop() {
        process?.let { it.destroy(); it.waitFor() }
        process = null
    }

    fun cli(vararg args: String): String {
        val p = ProcessBuilder(bin, *args, "--data", data.toString()).start()
        val out = p.inputStream.bufferedReader().readText().trim()
        check(p.waitFor() == 0) { "fieldwork-server ${args.toList()} failed" }
        return out
    }

    fun call(method: String, path: String, body: String? = null): Pair<Int, String> {
        val publisher = body?.let { HttpRequest.BodyPublishers.ofString(it) } ?: HttpRequest.BodyPublishers.noBody()
        val req = HttpRequest.newBuilder(URI("$url$path"))
            .header("Authorization", "Bearer $token")
            .header("Content-Type", "application/json")
            .method(method, publisher)
            .build()
        val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
        return resp.statusCode() to resp.body()
    }

    /** A dispatcher GET whose body is returned as raw bytes. */
    fun bytes(path: String): Pair<Int, ByteArray> {
        val req = HttpRequest.newBuilder(URI("$url$path")).header("Authorization", "Bearer $token").build()
        val resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray())
        return resp.statusCode() to resp.body()
    }
}

private const val CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

/** A real PNG (a colour gradient) written by the JDK's ImageIO. */
private fun png(width: Int, height: Int): ByteArray {
    val image = BufferedImage(width, height, BufferedImage.TYPE_INT_RGB)
    for (y in 0 until height) for (x in 0 until width) image.setRGB(x, y, (x * 4 shl 16) or (y * 5 shl 8) or 128)
    return ByteArrayOutputStream().also { check(ImageIO.write(image, "png", it)) }.toByteArray()
}

private fun strokes(vararg lines: List<List<Int>>, width: Int = 300, height: Int = 100): String =
    """{"canvas":{"width":$width,"height":$height},"strokes":""" +
        lines.joinToString(",", "[", "]") { line ->
            line.joinToString(",", "[", "]") { point -> point.joinToString(",", "[", "]") }
        } +
        "}"

private val SIGNATURE = strokes(
    listOf(listOf(10, 80, 0, 500), listOf(60, 20, 16, 600), listOf(110, 80, 33, 400)),
    listOf(listOf(150, 50, 200, 300), listOf(290, 55, 240, 700)),
)
private val BAD_SIGNATURES = mapOf(
    "empty" to strokes(),
    "single dot" to strokes(listOf(listOf(40, 40, 0, 500)), listOf(listOf(40, 40, 90, 400), listOf(40, 40, 120, 300))),
    "off the canvas" to strokes(listOf(listOf(10, 10, 0, 500), listOf(301, 50, 16, 500))),
    "over 64 strokes" to strokes(*Array(65) { i -> listOf(listOf(i, 10, 0, 500), listOf(i, 90, 10, 500)) }),
    "over 10000 points" to strokes(*Array(2) { i -> List(5001) { j -> listOf((i + j) % 300, j % 100, j, 500) } }),
)

private fun JsonObject.str(key: String): String? = this[key]?.takeIf { it != JsonNull }?.jsonPrimitive?.content

/** The attachment ids of a report's photos. */
private fun photoIds(report: JsonObject): List<String?> =
    report["content"]!!.jsonObject["photos"]!!.jsonArray.map { it.jsonObject.str("id") }

class SmokeTest {
    private val dir: Path = Files.createTempDirectory("fieldwork-kotlin")
    private val office = Office(dir.resolve("server"))

    @AfterEach
    fun stopServer() = office.stop()

    @Test
    fun offlineEditsThroughTheCAbiReachTheOffice() = runBlocking {
        office.start()
        office.token = office.cli("token")
        assertEquals(201, office.call("POST", "/api/v1/technicians", """{"id":"t1","name":"Anna","region":"east"}""").first)
        val job = """{"id":"J-KT","technician":"t1","customer":{"name":"Harbour Clinic","phone":"1"},
            "site":{"address":"88 Quay Road","region":"city","time_zone":"Asia/Shanghai"},
            "asset":{"serial":"CH-1","model":"Chiller"},"problem":"Compressor trips","priority":"high",
            "reported_at":"2026-11-24T09:00:00+08:00"}"""
        assertEquals(201, office.call("POST", "/api/v1/jobs", job).first)
        val code = office.cli("enroll-code", "--technician", "t1")

        val app = FieldworkApp.open(dir.resolve("phone").toString())
        assertEquals("t1", app.enroll(office.url, code, "kotlin smoke").technician)
        assertEquals(1uL, app.sync().downloaded)
        assertEquals(listOf("J-KT"), app.jobs().map { it.id })

        office.stop() // no signal on site
        app.setStatus("J-KT", JobStatus.ON_SITE, null)
        app.addNote("J-KT", "replaced the fan relay", null)
        val line = app.addPart("J-KT", NewPartRecord("RELAY-7", "fan relay", 1u, "R-NEW", "R-OLD", "van"), null)
        assertTrue(line.isNotEmpty())
        app.recordDiagnosis("J-KT", FaultCause.POWER_SUPPLY, "E-PSU", null, null)
        app.issueLoaner("J-KT", "LN-1", "Fan unit", null)
        assertEquals(listOf("LN-1"), app.openLoans().map { it.serial })
        assertThrows<ApiException.InvalidInput> { app.recordCheck("J-KT", "door", "maybe", null, null) }
        val local = app.jobJson("J-KT")
        assertTrue(local.contains("\"status\":\"on_site\""), local)
        assertTrue(local.contains("\"id\":\"$line\""), local)
        assertTrue(local.contains("replaced the fan relay"), local)
        assertTrue(local.contains("\"cause\":\"power_supply\""), local)
        assertEquals(1uL, app.pendingSyncCount())

        assertThrows<ApiException.Offline> { runBlocking { app.sync() } }
        assertThrows<ApiException.NotFound> { app.jobJson("NOPE") }
        assertThrows<ApiException.InvalidInput> {
            app.addPart("J-KT", NewPartRecord("X", "", 0u, null, null, null), null)
        }

        office.start()
        assertEquals(1uL, app.sync().uploaded)
        assertEquals(0uL, app.pendingSyncCount())
        val (status, server) = office.call("GET", "/api/v1/jobs/J-KT")
        assertEquals(200, status)
        assertEquals(app.jobJson("J-KT"), server)
    }

    @Test
    fun signedReportWithAPhotoThroughTheCAbiReachesTheOffice() = runBlocking {
        office.start()
        office.token = office.cli("token")
        assertEquals(201, office.call("POST", "/api/v1/technicians", """{"id":"t2","name":"Li Na","region":"east"}""").first)
        val job = """{"id":"J-KR","technician":"t2","customer":{"name":"上海门诊部","phone":"2"},
            "site":{"address":"浦东新区 88 Quay Road","region":"city","time_zone":"Asia/Shanghai"},
            "asset":{"serial":"CH-2","model":"Chiller"},"problem":"压缩机高压跳闸","priority":"high",
            "reported_at":"2026-11-24T09:00:00+08:00"}"""
        assertEquals(201, office.call("POST", "/api/v1/jobs", job).first)
        val code = office.cli("enroll-code", "--technician", "t2")

        val app = FieldworkApp.open(dir.resolve("phone").toString())
        val enrollment = app.enroll(office.url, code, "kotlin report smoke")
        val publicKey = Ed25519.unhex(app.publicKey()!!)
        assertEquals(32, publicKey.size)
        assertEquals(1uL, app.sync().downloaded)

        // Photos: a text file is refused; a real PNG is stored as JPEG named by its SHA-256.
        assertThrows<ApiException.BadImage> { app.addPhoto("J-KR", "not a photo\n".toByteArray(), "notes.txt") }
        val photo = app.addPhoto("J-KR", png(64, 48), "condenser fan")
        assertEquals(
            listOf("image/jpeg", 64u, 48u, "condenser fan"),
            listOf(photo.mime, photo.width, photo.height, photo.caption),
        )
        val stored = app.attachmentBytes(photo.id)!!
        assertEquals(photo.id, Ed25519.sha256(stored))
        assertEquals(photo.bytes, stored.size.toULong())
        assertNull(app.attachmentBytes("0".repeat(64)))

        val preview = Json.parseToJsonElement(app.reportPreview("J-KR", ReportLanguage.ZH_CN)).jsonObject
        assertEquals(JsonNull, preview["signature"])
        assertEquals(listOf(photo.id), photoIds(preview))

        for ((why, bad) in BAD_SIGNATURES) {
            assertThrows<ApiException.BadSignature>(why) {
                app.signReport("J-KR", "李娜", "设备科", bad, ReportLanguage.ZH_CN)
            }
        }
        assertEquals(emptyList<Any>(), app.reportVersions("J-KR"), "a refused signature seals nothing")

        val seal = app.signReport("J-KR", "李娜", "设备科", SIGNATURE, ReportLanguage.ZH_CN)
        assertEquals(listOf("J-KR", 1u, "signed"), listOf(seal.jobId, seal.version, seal.status))
        val version = app.reportVersions("J-KR").single()
        assertEquals(
            listOf(1u, "signed", seal.sha256, true),
            listOf(version.version, version.status, version.sha256, version.current),
        )
        assertEquals(
            listOf("李娜", "设备科", null),
            listOf(version.signerName, version.signerRole, version.refusalReason),
        )
        assertEquals(listOf(enrollment.deviceId, "zh-CN"), listOf(version.deviceId, version.language))
        assertTrue(app.jobJson("J-KR").contains("\"status\":\"completed\""))

        val canonical = app.reportJson("J-KR", 1u)
        assertEquals(canonical, app.reportJson("J-KR", null))
        val raw = canonical.toByteArray(Charsets.UTF_8)
        assertEquals(seal.sha256, Ed25519.sha256(raw))
        val report = Json.parseToJsonElement(canonical).jsonObject
        assertEquals(
            listOf("J-KR", "1", "zh-CN", enrollment.deviceId),
            listOf("job", "version", "language", "device_id").map { report.str(it) },
        )
        assertEquals(JsonNull, report["refusal"])
        val signature = report["signature"]!!.jsonObject
        assertEquals(listOf("李娜", "设备科"), listOf(signature.str("name"), signature.str("role")))
        assertEquals(Json.parseToJsonElement(SIGNATURE), signature["strokes"])
        assertEquals(listOf(photo.id), photoIds(report))
        assertThrows<ApiException.NotFound> { app.reportJson("J-KR", 2u) }

        assertTrue(File(CJK_FONT).exists(), "$CJK_FONT: scripts/setup.sh installs fonts-noto-cjk")
        val pdf = app.renderReportPdf("J-KR", 1u, CJK_FONT)
        assertEquals("%PDF", String(pdf.copyOf(4), Charsets.US_ASCII))
        assertArrayEquals(pdf, app.renderReportPdf("J-KR", null, CJK_FONT))

        val synced = app.sync()
        assertEquals(listOf(1uL, 1uL, 0uL), listOf(synced.uploaded, synced.attachmentsUploaded, synced.refused))
        assertEquals(photo.bytes, synced.attachmentBytesSent)
        assertTrue(synced.bytesSent > photo.bytes, "the photo's upload counts in the sync's bytes")
        assertEquals(0uL, app.pendingSyncCount())

        val (status, list) = office.call("GET", "/api/v1/jobs/J-KR/reports")
        assertEquals(200, status, list)
        val listed = Json.parseToJsonElement(list).jsonArray.single().jsonObject
        assertEquals(
            listOf("1", "signed", seal.sha256, "true", enrollment.deviceId),
            listOf("version", "status", "sha256", "current", "device_id").map { listed.str(it) },
        )
        val (bytesStatus, serverBytes) = office.bytes("/api/v1/jobs/J-KR/reports/1")
        assertEquals(200, bytesStatus)
        assertArrayEquals(raw, serverBytes)
        val sealSignature = Ed25519.unhex(listed.str("signature")!!)
        assertTrue(Ed25519.verify(publicKey, raw, sealSignature), "the seal verifies with the device's key")
        assertArrayEquals(stored, office.bytes("/api/v1/attachments/${photo.id}").second)
        val (pdfStatus, serverPdf) = office.bytes("/api/v1/jobs/J-KR/reports/1/pdf")
        assertEquals(200, pdfStatus)
        assertArrayEquals(pdf, serverPdf)
    }
}
