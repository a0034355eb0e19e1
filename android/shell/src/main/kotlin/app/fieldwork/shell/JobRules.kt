package app.fieldwork.shell

import app.fieldwork.ffi.JobStatus
import app.fieldwork.ffi.JobSummaryRecord
import app.fieldwork.ffi.SlaState

/** How close a job is to missing its SLA deadline: the colour of its row (always beside words). */
enum class RiskColour {
    /** No SLA clock is running (no contract, every milestone met, or the job is closed). */
    NONE,
    /** The most urgent milestone is pending. */
    GREEN,
    /** At risk: the core's rule (80 % of the contract's working-time budget spent). */
    AMBER,
    /** Breached. */
    RED,
}

object SlaRisk {
    /**
     * The colour of a job-list row: the core's live [JobSummaryRecord.slaState], never a rule
     * of the shell's own (ADR 0006; the office's job JSON says the same at the same instant).
     */
    fun of(job: JobSummaryRecord): RiskColour {
        if (job.status in StatusActions.CLOSED) return RiskColour.NONE
        return when (job.slaState) {
            SlaState.PENDING -> RiskColour.GREEN
            SlaState.AT_RISK -> RiskColour.AMBER
            SlaState.BREACHED -> RiskColour.RED
            SlaState.MET, SlaState.NOT_NEEDED, null -> RiskColour.NONE
        }
    }
}

/** Job statuses the screens treat alike. */
object StatusActions {
    /** A closed job offers no status and runs no clock. */
    val CLOSED = setOf(JobStatus.COMPLETED, JobStatus.CANCELLED)
}
