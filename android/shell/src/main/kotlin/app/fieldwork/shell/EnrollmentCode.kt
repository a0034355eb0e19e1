package app.fieldwork.shell

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import java.net.URI
import java.net.URLDecoder
import java.nio.charset.StandardCharsets

/** What an enrollment QR code carries: the office's address and the one-time code. */
data class EnrollmentCode(val office: String, val code: String) {
    companion object {
        /**
         * The payload of the console's enrollment QR code, in either form:
         * - the URL the console shows, `fieldwork://enroll?office=<percent-encoded>&code=<code>`;
         * - JSON, `{"office":"https://...","code":"..."}`.
         *
         * Null for anything else, or when the office is not an http(s) address or the code is
         * empty: a code from another app must not fill the form.
         */
        fun parse(text: String): EnrollmentCode? {
            val trimmed = text.trim()
            val fields = when {
                trimmed.startsWith("{") -> fromJson(trimmed)
                trimmed.startsWith("fieldwork:", ignoreCase = true) -> fromUrl(trimmed)
                else -> null
            } ?: return null
            val office = fields["office"]?.trim().orEmpty()
            val code = fields["code"]?.trim().orEmpty()
            if (code.isEmpty() || !isHttpAddress(office)) return null
            return EnrollmentCode(office, code)
        }

        private fun fromJson(text: String): Map<String, String>? {
            val obj = runCatching { Json.parseToJsonElement(text) }.getOrNull() as? JsonObject ?: return null
            return obj.mapNotNull { (key, value) -> (value as? JsonPrimitive)?.takeIf { it.isString }?.let { key to it.content } }.toMap()
        }

        private fun fromUrl(text: String): Map<String, String>? {
            val uri = runCatching { URI(text) }.getOrNull() ?: return null
            // `fieldwork://enroll?...`: "enroll" is the URI's host.
            if (!uri.scheme.equals("fieldwork", ignoreCase = true) || !uri.host.equals("enroll", ignoreCase = true)) return null
            val query = uri.rawQuery ?: return null
            return query.split('&').mapNotNull { pair ->
                val name = pair.substringBefore('=', missingDelimiterValue = "")
                if (name.isEmpty()) return@mapNotNull null
                val value = runCatching { URLDecoder.decode(pair.substringAfter('='), StandardCharsets.UTF_8) }.getOrNull() ?: return@mapNotNull null
                name to value
            }.toMap()
        }

        private fun isHttpAddress(office: String): Boolean {
            val uri = runCatching { URI(office) }.getOrNull() ?: return false
            return (uri.scheme == "https" || uri.scheme == "http") && !uri.host.isNullOrEmpty()
        }
    }
}
