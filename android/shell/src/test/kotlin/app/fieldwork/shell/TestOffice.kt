package app.fieldwork.shell

import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyStore
import java.security.cert.CertificateFactory
import javax.net.ssl.SSLContext
import javax.net.ssl.TrustManagerFactory

/**
 * The real office server (`fieldwork-server serve`, from target/debug) on loopback, on a free
 * port, with its data in [data]; dispatch calls through its REST API with a dispatcher token.
 * With [pki] it serves HTTPS with a certificate of the office's own CA (dispatch trusts it).
 */
class TestOffice(private val data: Path, private val pki: Pki? = null) : AutoCloseable {
    private val bin = System.getProperty("fieldwork.server.bin") ?: error("fieldwork.server.bin is not set")
    val port = ServerSocket(0).use { it.localPort }
    val url = "${if (pki == null) "http" else "https"}://127.0.0.1:$port"
    private var process: Process? = null
    private val http = pki?.let { HttpClient.newBuilder().sslContext(it.sslContext()).build() } ?: HttpClient.newHttpClient()
    private var token: String? = null

    fun start(): TestOffice {
        val tlsArgs = pki?.let { listOf("--tls-cert", it.cert.toString(), "--tls-key", it.key.toString()) } ?: emptyList()
        process = ProcessBuilder(listOf(bin, "serve", "--data", data.toString(), "--listen", "127.0.0.1:$port") + tlsArgs)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        val deadline = System.currentTimeMillis() + 30_000
        while (System.currentTimeMillis() < deadline) {
            check(process!!.isAlive) { "fieldwork-server exited with ${process!!.exitValue()}" }
            if (ready()) return this
            Thread.sleep(50)
        }
        error("server did not start")
    }

    private fun ready(): Boolean = try {
        val health = HttpRequest.newBuilder(URI("$url/api/v1/health")).build()
        http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200
    } catch (e: java.io.IOException) {
        false
    }

    fun stop() {
        process?.let { it.destroy(); it.waitFor() }
        process = null
    }

    override fun close() = stop()

    fun cli(vararg args: String): String {
        val p = ProcessBuilder(bin, *args, "--data", data.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start()
        val out = p.inputStream.bufferedReader().readText().trim()
        check(p.waitFor() == 0) { "fieldwork-server ${args.toList()} failed" }
        return out
    }

    fun enrollCode(technician: String): String = cli("enroll-code", "--technician", technician)

    /** A dispatcher call; returns the status and body. */
    fun call(method: String, path: String, body: String? = null): Pair<Int, String> {
        val bearer = token ?: cli("token").also { token = it }
        val publisher = body?.let { HttpRequest.BodyPublishers.ofString(it) } ?: HttpRequest.BodyPublishers.noBody()
        val req = HttpRequest.newBuilder(URI("$url$path"))
            .header("Authorization", "Bearer $bearer")
            .header("Content-Type", "application/json")
            .method(method, publisher)
            .build()
        val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
        return resp.statusCode() to resp.body()
    }

    fun post(path: String, body: String) {
        val (status, answer) = call("POST", path, body)
        check(status in 200..299) { "POST $path: $status $answer" }
    }

    /** The demo contract (`server/src/demo/contract.json`) and asset [serial] under it. */
    fun contractAndAsset(serial: String) {
        val repo = Path.of(System.getProperty("fieldwork.repo") ?: "../..")
        post("/api/v1/contracts", Files.readString(repo.resolve("server/src/demo/contract.json")))
        post(
            "/api/v1/assets",
            """{"serial":"$serial","model":"Chiller 300RT","customer":"Harbour Clinic","installation_date":"2025-11-01",
                "acceptance_date":"2025-11-20","contract":"GOLD-2026"}""",
        )
    }

    fun technician(id: String, name: String = "Anna") =
        post("/api/v1/technicians", """{"id":"$id","name":"$name","region":"east"}""")

    /** A repair job for [technician]; [extra] is more JSON members (`"checklist":[...]`). */
    fun job(id: String, technician: String, customer: String = "Harbour Clinic", asset: String = "CH-$id", extra: String = "", phone: String = "1") = post(
        "/api/v1/jobs",
        """{"id":"$id","technician":"$technician","customer":{"name":"$customer","phone":"$phone"},
            "site":{"address":"88 Quay Road","region":"city","time_zone":"Asia/Shanghai"},
            "asset":{"serial":"$asset","model":"Chiller"},"problem":"Compressor trips","priority":"high",
            "reported_at":"2026-11-24T09:00:00+08:00"$extra}""",
    )
}

/** An office CA and a server certificate for 127.0.0.1 signed by it, as PEM files (openssl). */
class Pki(val caPem: Path, val cert: Path, val key: Path) {
    /** Trusts the office CA only (dispatch's client). */
    fun sslContext(): SSLContext {
        val ca = Files.newInputStream(caPem).use { CertificateFactory.getInstance("X.509").generateCertificate(it) }
        val keys = KeyStore.getInstance(KeyStore.getDefaultType()).apply {
            load(null, null)
            setCertificateEntry("office-ca", ca)
        }
        val trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).apply { init(keys) }
        return SSLContext.getInstance("TLS").apply { init(null, trust.trustManagers, null) }
    }

    companion object {
        fun create(dir: Path): Pki {
            Files.createDirectories(dir)
            fun openssl(vararg args: String) {
                val p = ProcessBuilder(listOf("openssl") + args).directory(dir.toFile()).redirectErrorStream(true).start()
                val out = p.inputStream.bufferedReader().readText()
                check(p.waitFor() == 0) { "openssl ${args.toList()}: $out" }
            }
            val ec = arrayOf("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
            openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Fieldwork test office CA")
            openssl("req", *ec, "-keyout", "key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
            Files.writeString(
                dir.resolve("ext.cnf"),
                "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
            )
            openssl(
                "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "cert.pem", "-days", "2", "-extfile", "ext.cnf",
            )
            return Pki(dir.resolve("ca.pem"), dir.resolve("cert.pem"), dir.resolve("key.pem"))
        }
    }
}

/** Epoch milliseconds of an RFC 3339 time, for writing test instants. */
fun epochMs(rfc3339: String): Long = java.time.OffsetDateTime.parse(rfc3339).toInstant().toEpochMilli()

/** [app.fieldwork.ffi.JobStatus.ON_SITE] -> `on_site`, as the string resources name statuses. */
val app.fieldwork.ffi.JobStatus.wire: String get() = name.lowercase()
