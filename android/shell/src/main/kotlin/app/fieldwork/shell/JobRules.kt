package app.fieldwork.shell

import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.JobSummaryRecord

/** How close a job is to missing its SLA deadline: the colour of its row. */
enum class RiskColour {
    /** No SLA clock is running (no contract, or the job is closed). */
    NONE,
    GREEN,
    /** Due within [SlaRisk.AMBER_WITHIN_MS]. */
    AMBER,
    /** Past due. */
    RED,
}

object SlaRisk {
    const val AMBER_WITHIN_MS: Long = 60 * 60 * 1000

    /**
     * The risk colour of a job-list row from the deadline of its most urgent open milestone
     * (`slaDueMs`, as of the job's last change; the job JSON has the live clocks).
     */
    fun of(job: JobSummaryRecord, nowMs: Long, amberWithinMs: Long = AMBER_WITHIN_MS): RiskColour {
        val due = job.slaDueMs ?: return RiskColour.NONE
        if (job.status in StatusActions.CLOSED) return RiskColour.NONE
        return when {
            nowMs >= due -> RiskColour.RED
            due - nowMs <= amberWithinMs -> RiskColour.AMBER
            else -> RiskColour.GREEN
        }
    }
}

/** The status buttons of the job screen. */
object StatusActions {
    val CLOSED = setOf(JobStatus.COMPLETED, JobStatus.CANCELLED)

    /**
     * The statuses a technician may record next, in the order the buttons show. The core
     * accepts any technician status on an open job (`model/src/document.rs`,
     * `record_status`); this is the flow the app offers. Completing is normally done by
     * signing the report, which records `completed` itself; a closed job offers nothing.
     */
    fun allowedFrom(current: JobStatus): List<JobStatus> = when (current) {
        JobStatus.NEW, JobStatus.ASSIGNED -> listOf(JobStatus.ACCEPTED)
        JobStatus.ACCEPTED -> listOf(JobStatus.EN_ROUTE, JobStatus.ON_HOLD)
        JobStatus.EN_ROUTE -> listOf(JobStatus.ON_SITE, JobStatus.ON_HOLD)
        JobStatus.ON_SITE -> listOf(JobStatus.IN_PROGRESS, JobStatus.ON_HOLD)
        JobStatus.IN_PROGRESS -> listOf(JobStatus.ON_HOLD, JobStatus.COMPLETED)
        JobStatus.ON_HOLD -> listOf(JobStatus.EN_ROUTE, JobStatus.IN_PROGRESS)
        JobStatus.COMPLETED, JobStatus.CANCELLED -> emptyList()
    }
}
