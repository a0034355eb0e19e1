package app.fieldwork.shell

import app.fieldwork.ffi.AttachmentRecord
import app.fieldwork.ffi.CountedRecord
import app.fieldwork.ffi.EnrollmentRecord
import app.fieldwork.ffi.FaultCause
import app.fieldwork.ffi.FieldworkAppInterface
import app.fieldwork.ffi.JobDetailRecord
import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.JobSummaryRecord
import app.fieldwork.ffi.JobsChange
import app.fieldwork.ffi.JobsObserver
import app.fieldwork.ffi.NewPartRecord
import app.fieldwork.ffi.OpenLoanRecord
import app.fieldwork.ffi.PartRecord
import app.fieldwork.ffi.ProposedTimeRecord
import app.fieldwork.ffi.ReportOutlineRecord
import app.fieldwork.ffi.ReportLanguage
import app.fieldwork.ffi.ReportVersionRecord
import app.fieldwork.ffi.ReturnReasonRecord
import app.fieldwork.ffi.SealRecord
import app.fieldwork.ffi.Subscription
import app.fieldwork.ffi.SyncReportRecord
import app.fieldwork.ffi.TimeKind
import app.fieldwork.ffi.VanStockRecord
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.BufferOverflow
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.flow.merge
import kotlinx.coroutines.withContext

/**
 * The app's one door to the core ([FieldworkAppInterface], the uniffi object). Local reads and
 * writes are short, synchronous and durable when they return: they run on [io] so no caller
 * blocks the main thread. Network calls (`enroll`, `sync`) are the bindings' own suspend
 * functions. Nothing is cached here: every call asks the core, every edit is written at once.
 */
class FieldworkRepository(
    private val app: FieldworkAppInterface,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    /**
     * Every change to the technician's jobs (a local edit, or a sync that brought changes,
     * revoked a job or refused a push), as the core reports them. The core's subscription lives
     * exactly as long as a collector: it is cancelled when the collector goes away.
     */
    val jobsChanged: Flow<JobsChange> =
        callbackFlow {
            val subscription = app.observeJobs(
                object : JobsObserver {
                    // Called on the thread that made the change; the channel hands it over.
                    override fun jobsChanged(change: JobsChange) {
                        trySend(change)
                    }
                },
            )
            awaitClose { subscription.release() }
        }.buffer(Channel.UNLIMITED)

    /**
     * Completed syncs. The core's observer is not called for a sync that only pushed (nothing
     * new came back), yet that sync changed what screens show: `pendingSync`, a photo's
     * `uploaded`. Every sync of the app goes through [sync], which signals here.
     */
    private val synced = MutableSharedFlow<Unit>(extraBufferCapacity = 1, onBufferOverflow = BufferOverflow.DROP_OLDEST)

    /**
     * A signal to reload: once as soon as the observer is registered (so a change made between
     * a first load and the subscription cannot be missed), then after every change that
     * [matches] and after every completed sync. Conflated: a screen that is busy reloading gets
     * one more signal, not a backlog.
     */
    fun refreshes(matches: (JobsChange) -> Boolean = { true }): Flow<Unit> = merge(
        callbackFlow {
            val subscription = app.observeJobs(
                object : JobsObserver {
                    override fun jobsChanged(change: JobsChange) {
                        if (matches(change)) trySend(Unit)
                    }
                },
            )
            trySend(Unit)
            awaitClose { subscription.release() }
        },
        synced,
    ).conflate()

    /** Changes to one job. */
    fun refreshesOf(jobId: String): Flow<Unit> = refreshes { jobId in it.jobIds }

    private fun Subscription.release() {
        cancel()
        close()
    }

    private suspend fun <T> local(block: () -> T): T = withContext(io) { block() }

    // The network: the bindings' suspend functions (tokio on the Rust side).

    /** Tells the core whether the phone has a network (while offline, `sync` fails at once). */
    fun setNetworkState(online: Boolean) = app.setNetworkState(online)

    suspend fun enroll(serverUrl: String, code: String, deviceName: String, serverCaPem: String? = null): EnrollmentRecord =
        if (serverCaPem == null) {
            app.enroll(serverUrl, code, deviceName)
        } else {
            app.enrollWithServerCa(serverUrl, code, deviceName, serverCaPem)
        }

    suspend fun sync(): SyncReportRecord = app.sync().also { synced.tryEmit(Unit) }

    // Local reads.

    suspend fun enrollment(): EnrollmentRecord? = local { app.enrollment() }

    suspend fun jobs(): List<JobSummaryRecord> = local { app.jobs() }

    /** The jobs with their SLA states as of [atMs] (the screen's clock). */
    suspend fun jobsAt(atMs: Long): List<JobSummaryRecord> = local { app.jobsAt(atMs) }

    /** The statuses the core offers next for a job, in the order the buttons show them. */
    suspend fun offeredStatuses(jobId: String): List<JobStatus> = local { app.offeredStatuses(jobId) }

    /** Everything the job screen shows, typed by the core (its SLA judged now). */
    suspend fun job(jobId: String): JobDetailRecord = local { app.jobDetail(jobId) }

    /** [job] with its SLA judged at [atMs] (the screen's clock). */
    suspend fun jobAt(jobId: String, atMs: Long): JobDetailRecord = local { app.jobDetailAt(jobId, atMs) }

    /** Travel and labour the core reads from the status timeline, for the technician to confirm. */
    suspend fun proposedTimes(jobId: String): List<ProposedTimeRecord> = local { app.proposedTimes(jobId) }

    /** A small JPEG of a photo the phone holds, for the photo strip; null if it does not. */
    suspend fun photoThumbnail(attachmentId: String): ByteArray? = local { app.photoThumbnail(attachmentId) }


    suspend fun openLoans(): List<OpenLoanRecord> = local { app.openLoans() }

    suspend fun pendingSyncCount(): Long = local { app.pendingSyncCount().toLong() }

    suspend fun attachmentBytes(attachmentId: String): ByteArray? = local { app.attachmentBytes(attachmentId) }

    suspend fun reportPreview(jobId: String, language: ReportLanguage): String = local { app.reportPreview(jobId, language) }

    /** What the customer is about to sign, in the PDF's words, built from the job as it is now. */
    suspend fun signingPreview(jobId: String, language: ReportLanguage): ReportOutlineRecord =
        local { app.signingPreview(jobId, language) }

    suspend fun reportVersions(jobId: String): List<ReportVersionRecord> = local { app.reportVersions(jobId) }

    suspend fun reportJson(jobId: String, version: UInt? = null): String = local { app.reportJson(jobId, version) }

    suspend fun renderReportPdf(jobId: String, version: UInt? = null, fontPath: String? = null): ByteArray =
        local { app.renderReportPdf(jobId, version, fontPath) }

    // Local writes: durable in the device store when they return.

    suspend fun setStatus(jobId: String, status: JobStatus) = local { app.setStatus(jobId, status, null) }

    suspend fun addNote(jobId: String, text: String): String = local { app.addNote(jobId, text, null) }

    suspend fun addPart(jobId: String, part: NewPartRecord): String = local { app.addPart(jobId, part, null) }

    suspend fun removePart(jobId: String, lineId: String) = local { app.removePart(jobId, lineId, null) }

    suspend fun addTime(jobId: String, kind: TimeKind, startMs: Long, endMs: Long): String =
        local { app.addTime(jobId, kind, startMs, endMs) }

    suspend fun recordDiagnosis(jobId: String, cause: FaultCause, faultCode: String, action: String?) =
        local { app.recordDiagnosis(jobId, cause, faultCode, action, null) }

    suspend fun issueLoaner(jobId: String, serial: String, model: String) = local { app.issueLoaner(jobId, serial, model, null) }

    suspend fun returnLoaner(jobId: String, serial: String) = local { app.returnLoaner(jobId, serial, null) }

    suspend fun recordCheck(jobId: String, item: String, result: String, note: String?) =
        local { app.recordCheck(jobId, item, result, note, null) }

    suspend fun addPhoto(jobId: String, data: ByteArray, caption: String?): AttachmentRecord =
        local { app.addPhoto(jobId, data, caption) }

    /** Takes a photo off the job (only its author may: [app.fieldwork.ffi.PhotoRecord.removable]). */
    suspend fun removePhoto(jobId: String, attachmentId: String) = local { app.removePhoto(jobId, attachmentId, null) }

    suspend fun signReport(
        jobId: String,
        signerName: String,
        signerRole: String?,
        strokesJson: String,
        language: ReportLanguage,
    ): SealRecord = local { app.signReport(jobId, signerName, signerRole, strokesJson, language) }

    suspend fun refuseReport(jobId: String, reason: String, name: String?, language: ReportLanguage): SealRecord =
        local { app.refuseReport(jobId, reason, name, language) }

    // The van's stock: the core keeps its ledger; a part used on a job (`addPart` with a SKU
    // of the catalogue) leaves the van in the same commit.

    /** The van's levels, transfers on their way, what waits for the office. Throws before the office put the technician in a van. */
    suspend fun vanStock(): VanStockRecord = local { app.vanStock() }

    /** The parts catalogue the office sent, by SKU. */
    suspend fun partsCatalogue(): List<PartRecord> = local { app.partsCatalogue() }

    /** Counts a transfer in as it arrived; returns the movement's id. */
    suspend fun receiveTransfer(transferId: String, counted: List<CountedRecord>, atMs: Long? = null): String =
        local { app.receiveTransfer(transferId, counted, atMs) }

    /** A count of the van: what was found of each part; returns the movement's id. */
    suspend fun countStock(counted: List<CountedRecord>, atMs: Long? = null): String = local { app.countStock(counted, atMs) }

    /** Sends a part back to the region's warehouse (or [to]); returns the movement's id. */
    suspend fun returnPart(
        sku: String,
        qty: Long,
        serials: List<String>,
        jobId: String?,
        reason: ReturnReasonRecord,
        to: String? = null,
        atMs: Long? = null,
    ): String = local { app.returnPart(sku, qty, serials, jobId, reason, to, atMs) }
}
