package app.fieldwork.shell

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import java.io.File

/**
 * The enrollment QR payloads both phones accept and refuse (`tests/enrollment-codes.json`,
 * replayed on iOS by `EnrollmentCodeTests.swift`), against [EnrollmentCode.parse].
 */
class EnrollmentCodeVectorsTest {
    private val table: JsonObject = Json.parseToJsonElement(
        File(System.getProperty("fieldwork.enrollment.codes") ?: "../../tests/enrollment-codes.json").readText(),
    ).jsonObject

    private fun JsonObject.text(key: String) = getValue(key).jsonPrimitive.content

    @TestFactory
    fun everyVector(): List<DynamicTest> {
        val accepted = table.getValue("accepted").jsonArray.map { it.jsonObject }
        val refused = table.getValue("refused").jsonArray.map { it.jsonObject }
        check(accepted.size >= 5 && refused.size >= 5) { "the table lost its vectors" }
        return accepted.map { v ->
            DynamicTest.dynamicTest("accepts: ${v.text("name")}") {
                assertEquals(EnrollmentCode(v.text("office"), v.text("code")), EnrollmentCode.parse(v.text("payload")))
            }
        } + refused.map { v ->
            DynamicTest.dynamicTest("refuses: ${v.text("name")}") { assertNull(EnrollmentCode.parse(v.text("payload"))) }
        }
    }
}
