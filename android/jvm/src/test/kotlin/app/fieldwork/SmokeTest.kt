// Smoke test of the real C ABI through the generated Kotlin bindings on the JVM: starts the real
// office server, enrolls a store opened through FieldworkApp, works offline, catches typed
// errors, and syncs once the server is back.
package app.fieldwork

import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.FieldworkApp
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.NewPartRecord
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path

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
}

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
}
