package app.fieldwork.app

import android.app.Application
import android.os.Build
import android.util.Log
import app.fieldwork.ffi.FieldworkApp
import app.fieldwork.ffi.LogLevel
import app.fieldwork.ffi.LogRecord
import app.fieldwork.ffi.LogSink
import app.fieldwork.ffi.setLogSink
import app.fieldwork.shell.FieldworkRepository
import app.fieldwork.shell.SyncPolicy
import app.fieldwork.ui.ShellGraph
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import java.io.File

/**
 * One core per process: the store in filesDir/fieldwork, secrets in the Keystore, the sync
 * policy running for the life of the process, connectivity fed to both, and a periodic
 * WorkManager sync for when the app is not running.
 */
class FieldworkApplication : Application(), ShellGraph {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private lateinit var core: FieldworkApp
    override lateinit var repository: FieldworkRepository
        private set
    override lateinit var syncPolicy: SyncPolicy
        private set
    override val deviceName: String get() = "${Build.MANUFACTURER} ${Build.MODEL}"

    override fun onCreate() {
        super.onCreate()
        setLogSink(LogcatSink, if (BuildConfig.DEBUG) LogLevel.DEBUG else LogLevel.INFO)
        core = FieldworkApp.openWithSecrets(File(filesDir, "fieldwork").path, KeystoreSecretStore(this))
        repository = FieldworkRepository(core)
        syncPolicy = SyncPolicy(repository::sync)
        ConnectivityMonitor(this, repository, syncPolicy).start()
        syncPolicy.start(scope, SyncPolicy.localEditsOf(repository))
        SyncWorker.schedule(this)
    }
}

/** The core's log events in Logcat (ids only: the core never logs customer names or notes). */
private object LogcatSink : LogSink {
    override fun log(record: LogRecord) {
        val tag = "fieldwork"
        val line = if (record.spans.isEmpty()) record.message else "[${record.spans}] ${record.message}"
        when (record.level) {
            LogLevel.ERROR -> Log.e(tag, line)
            LogLevel.WARN -> Log.w(tag, line)
            LogLevel.INFO -> Log.i(tag, line)
            LogLevel.DEBUG, LogLevel.TRACE -> Log.d(tag, line)
        }
    }
}
