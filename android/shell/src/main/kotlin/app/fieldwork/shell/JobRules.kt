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
        return of(job.slaState)
    }

    /** The colour of one milestone's (or the job screen's headline) state, as the core judged it. */
    fun of(state: SlaState?): RiskColour {
        return when (state) {
            SlaState.PENDING -> RiskColour.GREEN
            SlaState.AT_RISK -> RiskColour.AMBER
            SlaState.BREACHED -> RiskColour.RED
            SlaState.MET, SlaState.NOT_NEEDED, null -> RiskColour.NONE
        }
    }
}

/** How a row says its SLA risk in words (never by colour alone), with the amount to put in. */
enum class SlaPhrase(val resourceName: String) {
    OVERDUE_MINUTES("sla_overdue_minutes"),
    OVERDUE_HOURS("sla_overdue_hours"),
    AT_RISK_MINUTES("sla_at_risk_minutes"),
    AT_RISK_HOURS("sla_at_risk_hours"),
    LEFT_MINUTES("sla_left_minutes"),
    LEFT_HOURS("sla_left_hours"),
}

/** A phrase and its amount: "overdue 20 min" is ([SlaPhrase.OVERDUE_MINUTES], 20). */
data class SlaWords(val phrase: SlaPhrase, val amount: Long)

object SlaText {
    /** Up to two hours a row counts minutes, beyond that whole hours. */
    private const val MINUTES_UP_TO = 120L

    /**
     * The words of a row's risk from the core's state and minutes left
     * ([JobSummaryRecord.slaMinutesLeft], negative once breached); null when no clock runs.
     */
    fun of(risk: RiskColour, minutesLeft: Long?): SlaWords? {
        val left = minutesLeft ?: return null
        val (minutes, hours) = when (risk) {
            RiskColour.NONE -> return null
            RiskColour.RED -> SlaPhrase.OVERDUE_MINUTES to SlaPhrase.OVERDUE_HOURS
            RiskColour.AMBER -> SlaPhrase.AT_RISK_MINUTES to SlaPhrase.AT_RISK_HOURS
            RiskColour.GREEN -> SlaPhrase.LEFT_MINUTES to SlaPhrase.LEFT_HOURS
        }
        // Overdue by at least a minute: the core rounds down, so 30 s late is -1.
        val amount = if (left < 0) -left else left
        return if (amount <= MINUTES_UP_TO) SlaWords(minutes, amount) else SlaWords(hours, amount / 60)
    }
}

/** Job statuses the screens treat alike. */
object StatusActions {
    /** A closed job offers no status and runs no clock. */
    val CLOSED = setOf(JobStatus.COMPLETED, JobStatus.CANCELLED)
}
