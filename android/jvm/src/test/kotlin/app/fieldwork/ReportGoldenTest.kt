// The sealed report's golden vectors (model/tests/golden), checked with nothing but the JDK: the
// canonical bytes' SHA-256 (MessageDigest) and the Ed25519 signature over them
// (java.security, Java 15+), so a phone can verify a seal without the native library.
package app.fieldwork

import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.math.BigInteger
import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyFactory
import java.security.MessageDigest
import java.security.PublicKey
import java.security.Signature
import java.security.SignatureException
import java.security.interfaces.EdECPublicKey
import java.security.spec.EdECPoint
import java.security.spec.EdECPrivateKeySpec
import java.security.spec.EdECPublicKeySpec
import java.security.spec.NamedParameterSpec

/** Hex helpers and Ed25519 with raw 32-byte keys (RFC 8032 encoding) on the JDK's provider. */
object Ed25519 {
    fun hex(bytes: ByteArray): String = bytes.joinToString("") { "%02x".format(it) }

    fun unhex(s: String): ByteArray {
        require(s.length % 2 == 0 && s.all { it in "0123456789abcdefABCDEF" }) { "not hex: $s" }
        return ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }
    }

    fun sha256(bytes: ByteArray): String = hex(MessageDigest.getInstance("SHA-256").digest(bytes))

    /**
     * A public key from its raw RFC 8032 encoding: y little-endian, with the parity of x in the
     * top bit of the last byte.
     */
    fun publicKey(raw: ByteArray): PublicKey {
        require(raw.size == 32) { "an Ed25519 public key is 32 bytes, got ${raw.size}" }
        val xOdd = (raw[31].toInt() and 0x80) != 0
        val bigEndian = raw.reversedArray()
        bigEndian[0] = (bigEndian[0].toInt() and 0x7f).toByte()
        val point = EdECPoint(xOdd, BigInteger(1, bigEndian))
        return KeyFactory.getInstance("Ed25519")
            .generatePublic(EdECPublicKeySpec(NamedParameterSpec.ED25519, point))
    }

    /** The raw RFC 8032 encoding of a public key (the inverse of [publicKey]). */
    fun rawPublicKey(key: EdECPublicKey): ByteArray {
        val y = key.point.y.toByteArray().reversedArray().copyOf(32) // little-endian, padded
        if (key.point.isXOdd) y[31] = (y[31].toInt() or 0x80).toByte()
        return y
    }

    /**
     * Whether [signature] is valid. The JDK throws SignatureException ("Invalid point") rather
     * than returning false when the signature's R is not a curve point, so that is a no too.
     */
    fun verify(publicKey: ByteArray, message: ByteArray, signature: ByteArray): Boolean =
        Signature.getInstance("Ed25519").run {
            initVerify(publicKey(publicKey))
            update(message)
            try {
                verify(signature)
            } catch (e: SignatureException) {
                false
            }
        }
}

class ReportGoldenTest {
    private val dir: Path = System.getenv("FIELDWORK_GOLDEN_DIR")?.let { Path.of(it) }
        ?: Path.of("../../model/tests/golden") // android/jvm is Maven's working directory
    private val canonical: ByteArray = Files.readAllBytes(dir.resolve("report-v1.json"))
    private val seal: Map<String, String> = Files.readString(dir.resolve("report-v1.seal.json")).let { text ->
        Regex("\"(\\w+)\"\\s*:\\s*\"([0-9a-f]+)\"").findAll(text)
            .associate { it.groupValues[1] to it.groupValues[2] }
    }
    private val publicKey = Ed25519.unhex(seal.getValue("public_key"))
    private val signature = Ed25519.unhex(seal.getValue("signature"))

    @Test
    fun goldenReportSha256Matches() {
        assertEquals(setOf("seed", "public_key", "sha256", "signature"), seal.keys)
        assertEquals(seal.getValue("sha256"), Ed25519.sha256(canonical))
        // Canonical bytes: UTF-8 JSON without whitespace between tokens or a trailing newline.
        val text = String(canonical, Charsets.UTF_8)
        assertArrayEquals(canonical, text.toByteArray(Charsets.UTF_8))
        assertTrue(text.startsWith("{\"content\":{") && text.endsWith("\"version\":1}"), text)
    }

    @Test
    fun goldenReportSignatureVerifies() {
        assertEquals(32, publicKey.size)
        assertEquals(64, signature.size)
        assertTrue(Ed25519.verify(publicKey, canonical, signature))
    }

    @Test
    fun goldenSeedGivesTheKeyAndTheSignature() {
        val private = KeyFactory.getInstance("Ed25519").generatePrivate(
            EdECPrivateKeySpec(NamedParameterSpec.ED25519, Ed25519.unhex(seal.getValue("seed")))
        )
        val signed = Signature.getInstance("Ed25519").run {
            initSign(private)
            update(canonical)
            sign()
        }
        assertEquals(seal.getValue("signature"), Ed25519.hex(signed)) // Ed25519 is deterministic
        val decoded = Ed25519.publicKey(publicKey) as EdECPublicKey
        assertArrayEquals(publicKey, Ed25519.rawPublicKey(decoded))
    }

    @Test
    fun oneChangedByteFailsVerification() {
        for (i in listOf(0, canonical.size / 2, canonical.size - 2)) {
            val tampered = canonical.copyOf()
            tampered[i] = (tampered[i].toInt() xor 0x01).toByte()
            assertFalse(Ed25519.verify(publicKey, tampered, signature), "byte $i changed")
        }
        val badSignature = signature.copyOf()
        badSignature[0] = (badSignature[0].toInt() xor 0x01).toByte()
        assertFalse(Ed25519.verify(publicKey, canonical, badSignature))
        val otherKey = publicKey.copyOf()
        otherKey[31] = (otherKey[31].toInt() xor 0x80).toByte() // the x-sign bit alone
        assertFalse(runCatching { Ed25519.verify(otherKey, canonical, signature) }.getOrDefault(false))
    }
}
