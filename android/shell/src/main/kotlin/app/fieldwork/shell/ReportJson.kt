package app.fieldwork.shell

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json

/**
 * What the customer is about to sign (`reportPreview`) or signed (`reportJson`): the report's
 * canonical JSON, the parts a signing screen shows.
 */
@Serializable
data class ReportDocument(
    val job: String,
    val version: Int,
    val language: String,
    val content: Content,
    val signature: Signature? = null,
    val refusal: Refusal? = null,
) {
    @Serializable
    data class Content(
        val customer: Customer,
        val problem: String,
        val parts: List<Line> = emptyList(),
        @SerialName("work_done") val workDone: List<Work> = emptyList(),
        val photos: List<Photo> = emptyList(),
    )

    @Serializable
    data class Customer(val name: String, val phone: String = "")

    @Serializable
    data class Line(
        val sku: String,
        val description: String,
        val qty: Int,
        @SerialName("serial_in") val serialIn: String? = null,
        @SerialName("serial_out") val serialOut: String? = null,
    )

    @Serializable
    data class Work(val text: String)

    @Serializable
    data class Photo(val id: String? = null, val caption: String? = null)

    @Serializable
    data class Signature(val name: String, val role: String? = null)

    @Serializable
    data class Refusal(val reason: String, val name: String? = null)
}

internal val fieldworkJson = Json { ignoreUnknownKeys = true }

fun parseReport(json: String): ReportDocument = fieldworkJson.decodeFromString(ReportDocument.serializer(), json)
