package app.fieldwork.app

import android.content.Context
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import app.fieldwork.ffi.ApiException
import java.util.concurrent.TimeUnit

/**
 * Syncs in the background (every 15 minutes with a network, WorkManager's minimum) while the
 * app is not in front. Outages and server errors are retried by WorkManager's backoff; TLS and
 * authorisation problems fail the run: the app tells the user when it is opened.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val repository = (applicationContext as FieldworkApplication).repository
        return try {
            repository.sync()
            Result.success()
        } catch (e: ApiException.Offline) {
            Result.retry()
        } catch (e: ApiException.Server) {
            Result.retry()
        } catch (e: ApiException) {
            Result.failure()
        }
    }

    companion object {
        fun schedule(context: Context) {
            val request = PeriodicWorkRequestBuilder<SyncWorker>(15, TimeUnit.MINUTES)
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
                .build()
            WorkManager.getInstance(context).enqueueUniquePeriodicWork("fieldwork-sync", ExistingPeriodicWorkPolicy.KEEP, request)
        }
    }
}
