package app.fieldwork.app

import android.content.Context
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import app.fieldwork.ffi.ApiException
import app.fieldwork.shell.SyncPolicy
import java.util.concurrent.TimeUnit

/**
 * Syncs in the background (every 15 minutes with a network, WorkManager's minimum) while the
 * app is not in front. Outages and server errors are retried by WorkManager's backoff; TLS and
 * authorisation problems fail the run: the app tells the user when it is opened.
 *
 * The office asking the phone to wait (`RateLimited`, HTTP 429 or 503 with Retry-After) is not a failure: the run
 * succeeds without retrying (WorkManager's backoff could come back before the office's
 * Retry-After), one follow-up sync is scheduled after the Retry-After, and until then no
 * background run syncs. An app too old for the office (`UpgradeRequired`, HTTP 426) cancels
 * the periodic sync: it cannot succeed until the app is updated, and the updated app's start
 * schedules it again (the app itself shows the message).
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val repository = (applicationContext as FieldworkApplication).repository
        val prefs = applicationContext.getSharedPreferences(PREFS, Context.MODE_PRIVATE)
        if (System.currentTimeMillis() < prefs.getLong(NOT_BEFORE_MS, 0)) return Result.success()
        return try {
            repository.sync()
            Result.success()
        } catch (e: ApiException.Offline) {
            Result.retry()
        } catch (e: ApiException.Server) {
            Result.retry()
        } catch (e: ApiException.RateLimited) {
            val waitMs = SyncPolicy.retryAfterMs(e.retryAfterSecs)
            prefs.edit().putLong(NOT_BEFORE_MS, System.currentTimeMillis() + waitMs).apply()
            scheduleAfter(applicationContext, waitMs)
            Result.success()
        } catch (e: ApiException.UpgradeRequired) {
            WorkManager.getInstance(applicationContext).cancelUniqueWork(PERIODIC)
            Result.failure()
        } catch (e: ApiException) {
            Result.failure()
        }
    }

    companion object {
        private const val PERIODIC = "fieldwork-sync"
        private const val AFTER_WAIT = "fieldwork-sync-after-wait"
        private const val PREFS = "fieldwork-sync"
        private const val NOT_BEFORE_MS = "not_before_ms"

        private val network = Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build()

        fun schedule(context: Context) {
            val request = PeriodicWorkRequestBuilder<SyncWorker>(15, TimeUnit.MINUTES)
                .setConstraints(network)
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
                .build()
            WorkManager.getInstance(context).enqueueUniquePeriodicWork(PERIODIC, ExistingPeriodicWorkPolicy.KEEP, request)
        }

        /** One sync [delayMs] from now (the office's Retry-After, plus a second for clock slack). */
        private fun scheduleAfter(context: Context, delayMs: Long) {
            val request = OneTimeWorkRequestBuilder<SyncWorker>()
                .setConstraints(network)
                .setInitialDelay(delayMs + 1_000, TimeUnit.MILLISECONDS)
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
                .build()
            WorkManager.getInstance(context).enqueueUniqueWork(AFTER_WAIT, ExistingWorkPolicy.REPLACE, request)
        }
    }
}
