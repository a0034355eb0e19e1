package app.fieldwork.shell

import app.fieldwork.ffi.JobStatus
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json
import java.time.OffsetDateTime

/**
 * The job JSON (`FieldworkApp.jobJson`, the same document the office's `GET /api/v1/jobs/{id}`
 * returns; `model/src/view.rs`), as far as the screens use it. Unknown fields are ignored, so
 * the core can add fields without breaking the app. Times are RFC 3339 UTC strings; [epochMs]
 * converts them.
 */
@Serializable
data class JobDetail(
    val id: String,
    val status: String,
    val technician: String? = null,
    val customer: Customer,
    val site: Site,
    val asset: Asset = Asset(),
    val problem: String,
    val priority: String,
    @SerialName("reported_at") val reportedAt: String,
    @SerialName("scheduled_start") val scheduledStart: String? = null,
    @SerialName("scheduled_end") val scheduledEnd: String? = null,
    @SerialName("cancel_reason") val cancelReason: String? = null,
    val flags: List<String> = emptyList(),
    val notes: List<Note> = emptyList(),
    val parts: List<Part> = emptyList(),
    val time: List<TimeEntry> = emptyList(),
    val kind: String = "repair",
    val contract: String? = null,
    val sla: Sla? = null,
    val cause: String? = null,
    @SerialName("fault_code") val faultCode: String? = null,
    val action: String? = null,
    @SerialName("replacement_recommended") val replacementRecommended: Boolean = false,
    val loaners: List<Loaner> = emptyList(),
    val checklist: List<Check> = emptyList(),
    val report: ReportState = ReportState(),
    val attachments: List<Attachment> = emptyList(),
) {
    /** The status as the bindings' enum (`on_site` -> [JobStatus.ON_SITE]). */
    val jobStatus: JobStatus get() = jobStatusOf(status)

    /** Part lines still fitted (removed lines stay in the document, marked removed). */
    val activeParts: List<Part> get() = parts.filterNot { it.removed }

    /** Loaners still out with the customer. */
    val openLoaners: List<Loaner> get() = loaners.filter { it.returnedAt == null }

    @Serializable
    data class Customer(val name: String, val phone: String = "")

    @Serializable
    data class Site(
        val address: String,
        val region: String? = null,
        @SerialName("time_zone") val timeZone: String? = null,
    )

    @Serializable
    data class Asset(val serial: String = "", val model: String = "")

    @Serializable
    data class Note(val id: String, val author: String, val at: String, val text: String)

    @Serializable
    data class Part(
        val id: String,
        val sku: String,
        val description: String,
        val qty: Int,
        @SerialName("serial_in") val serialIn: String? = null,
        @SerialName("serial_out") val serialOut: String? = null,
        val stock: String? = null,
        @SerialName("added_by") val addedBy: String,
        @SerialName("added_at") val addedAt: String,
        val removed: Boolean = false,
    )

    @Serializable
    data class TimeEntry(val id: String, val kind: String, val start: String, val end: String, val by: String)

    @Serializable
    data class Sla(
        @SerialName("respond_by") val respondBy: String,
        @SerialName("arrive_by") val arriveBy: String,
        @SerialName("resolve_by") val resolveBy: String,
        val paused: Boolean = false,
        @SerialName("loaner_required") val loanerRequired: Boolean = false,
    )

    @Serializable
    data class Loaner(
        val serial: String,
        val model: String? = null,
        @SerialName("issued_at") val issuedAt: String,
        @SerialName("returned_at") val returnedAt: String? = null,
    )

    @Serializable
    data class Check(
        val item: String,
        val label: String,
        val unit: String? = null,
        val result: String? = null,
        val note: String? = null,
    )

    /** The latest sealed report: `none`, `signed`, `refused` or `changed_since_signed`. */
    @Serializable
    data class ReportState(val status: String = "none", val version: Int? = null, val sha256: String? = null)

    @Serializable
    data class Attachment(
        val id: String,
        val mime: String,
        val bytes: Long,
        val width: Int,
        val height: Int,
        val caption: String? = null,
        @SerialName("taken_at") val takenAt: String,
        val uploaded: Boolean = false,
    )
}

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
        val customer: JobDetail.Customer,
        val problem: String,
        val parts: List<Line> = emptyList(),
        @SerialName("work_done") val workDone: List<Work> = emptyList(),
        val photos: List<Photo> = emptyList(),
    )

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

fun parseJobDetail(json: String): JobDetail = fieldworkJson.decodeFromString(JobDetail.serializer(), json)

fun parseReport(json: String): ReportDocument = fieldworkJson.decodeFromString(ReportDocument.serializer(), json)

/** `on_site` -> [JobStatus.ON_SITE]. */
fun jobStatusOf(wire: String): JobStatus = JobStatus.valueOf(wire.uppercase())

/** [JobStatus.ON_SITE] -> `on_site`, as the job JSON spells it. */
val JobStatus.wire: String get() = name.lowercase()

/** Epoch milliseconds of an RFC 3339 time from the job JSON. */
fun epochMs(rfc3339: String): Long = OffsetDateTime.parse(rfc3339).toInstant().toEpochMilli()
