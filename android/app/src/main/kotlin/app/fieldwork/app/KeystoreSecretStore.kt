package app.fieldwork.app

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import app.fieldwork.ffi.SecretStore
import app.fieldwork.ffi.SecretStoreException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The core's secrets (the device's bearer token and report-signing key) encrypted with an
 * AES-256/GCM key that never leaves AndroidKeyStore; the ciphertext (IV + sealed bytes, Base64)
 * in private SharedPreferences, written with `commit()` so `set` is durable when it returns.
 * The entry's name is the GCM associated data: a value cannot be swapped under another name.
 * Called by the core from any thread.
 */
class KeystoreSecretStore(context: Context) : SecretStore {
    private val prefs = context.getSharedPreferences("fieldwork-secrets", Context.MODE_PRIVATE)

    @Synchronized
    override fun get(key: String): String? = guarded {
        prefs.getString(key, null)?.let { decrypt(key, Base64.decode(it, Base64.NO_WRAP)) }
    }

    @Synchronized
    override fun set(key: String, value: String) = guarded {
        val sealed = Base64.encodeToString(encrypt(key, value), Base64.NO_WRAP)
        check(prefs.edit().putString(key, sealed).commit()) { "could not write the secret $key" }
    }

    @Synchronized
    override fun delete(key: String) = guarded {
        check(prefs.edit().remove(key).commit()) { "could not delete the secret $key" }
    }

    private fun encrypt(name: String, value: String): ByteArray {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, key())
        cipher.updateAAD(name.toByteArray())
        return cipher.iv + cipher.doFinal(value.toByteArray())
    }

    private fun decrypt(name: String, sealed: ByteArray): String {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(128, sealed, 0, IV_BYTES))
        cipher.updateAAD(name.toByteArray())
        return String(cipher.doFinal(sealed, IV_BYTES, sealed.size - IV_BYTES))
    }

    private fun key(): SecretKey {
        val keyStore = KeyStore.getInstance(ANDROID_KEY_STORE).apply { load(null) }
        (keyStore.getEntry(ALIAS, null) as? KeyStore.SecretKeyEntry)?.let { return it.secretKey }
        val spec = KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .build()
        return KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEY_STORE).apply { init(spec) }.generateKey()
    }

    /** Platform failures reach the core as its error type (the core reports them as Storage). */
    private inline fun <T> guarded(block: () -> T): T = try {
        block()
    } catch (e: Exception) {
        throw SecretStoreException.Failed("${e.javaClass.simpleName}: ${e.message}")
    }

    private companion object {
        const val ANDROID_KEY_STORE = "AndroidKeyStore"
        const val ALIAS = "fieldwork-secrets"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
    }
}
