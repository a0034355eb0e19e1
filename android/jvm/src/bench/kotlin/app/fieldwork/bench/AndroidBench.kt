// The Android shell's two JVM benchmarks (scripts/bench-android.sh; not part of `mvn test`):
//   1. app start to the job list with 1,000 jobs in the store: FieldworkApp.openWithSecrets on
//      the store + FieldworkRepository + TodayViewModel until its state shows the 1,000 rows;
//      each run in a new JVM (cold), and in this JVM with a fresh object graph (warm);
//   2. the view model's refresh after a sync that brought dispatch's notes on 10 jobs: from
//      calling FieldworkRepository.sync() to the UI-thread task that set TodayViewModel's state
//      from a job list read after the core's observer announced the sync's changes.
// Real server (TestOffice, from the shell's tests) on loopback, real libfieldwork_ffi.so, no mocks.
package app.fieldwork.bench

import androidx.lifecycle.ViewModelStore
import app.fieldwork.ffi.ChangeCause
import app.fieldwork.ffi.FieldworkApp
import app.fieldwork.ffi.FieldworkAppInterface
import app.fieldwork.ffi.JobSummaryRecord
import app.fieldwork.ffi.JobsChange
import app.fieldwork.ffi.JobsObserver
import app.fieldwork.ffi.Subscription
import app.fieldwork.shell.FieldworkRepository
import app.fieldwork.shell.MemorySecretStore
import app.fieldwork.shell.TestOffice
import app.fieldwork.shell.TodayState
import app.fieldwork.shell.TodayViewModel
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.test.setMain
import kotlinx.coroutines.withTimeout
import java.nio.file.Files
import java.nio.file.Path
import java.util.Properties
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.coroutines.CoroutineContext
import kotlin.math.ceil
import kotlin.time.Duration.Companion.seconds

private const val JOBS = 1_000
private const val CHANGED = 10
private const val TECHNICIAN = "t1"

fun main(args: Array<String>) {
    if (args.firstOrNull() == "cold-open") {
        coldOpenChild(Path.of(args[1]), Path.of(args[2]), args[3].toInt())
    } else {
        val runs = System.getProperty("bench.runs")?.toInt() ?: 15
        runAll(runs)
    }
}

/** The UI thread: one thread behind `Dispatchers.Main`, as on Android; [afterTask] runs after each task on it. */
class UiThread : AutoCloseable {
    private val executor = Executors.newSingleThreadExecutor { r -> Thread(r, "ui").apply { isDaemon = true } }

    @Volatile var afterTask: () -> Unit = {}

    val dispatcher: CoroutineDispatcher = object : CoroutineDispatcher() {
        override fun dispatch(context: CoroutineContext, block: Runnable) = executor.execute {
            block.run()
            afterTask()
        }
    }

    override fun close() = executor.shutdown()
}

@OptIn(ExperimentalCoroutinesApi::class)
private fun uiThread(): UiThread = UiThread().also { Dispatchers.setMain(it.dispatcher) }

private fun log(message: String) = System.err.println("[bench-android] $message")

private fun ms(fromNs: Long, toNs: Long) = (toNs - fromNs) / 1e6

private fun median(xs: List<Double>) = xs.sorted().let { s -> if (s.size % 2 == 1) s[s.size / 2] else (s[s.size / 2 - 1] + s[s.size / 2]) / 2 }

/** Nearest rank. */
private fun p90(xs: List<Double>) = xs.sorted()[ceil(0.9 * xs.size).toInt() - 1]

private fun f(x: Double) = "%.1f".format(x)

private fun StateFlow<TodayState>.awaitRows(n: Int): TodayState =
    runBlocking { withTimeout(60.seconds) { first { !it.loading && it.rows.size == n } } }

private fun saveSecrets(secrets: MemorySecretStore, file: Path) =
    Files.newOutputStream(file).use { out -> Properties().apply { putAll(secrets.values) }.store(out, "bench device secrets") }

private fun loadSecrets(file: Path): MemorySecretStore = MemorySecretStore().apply {
    val props = Properties().apply { Files.newInputStream(file).use { load(it) } }
    props.stringPropertyNames().forEach { values[it] = props.getProperty(it) }
}

/**
 * One cold open, in a new JVM started by [coldOpen]: from main() to the first state with [expected]
 * rows. Prints `LISTED <ms> <ms until openWithSecrets returned>` for the parent, then closes
 * everything and exits.
 */
private fun coldOpenChild(store: Path, secretsFile: Path, expected: Int) {
    val t0 = System.nanoTime()
    val ui = uiThread()
    val app = FieldworkApp.openWithSecrets(store.toString(), loadSecrets(secretsFile))
    val opened = System.nanoTime()
    val owner = ViewModelStore()
    val vm = TodayViewModel(FieldworkRepository(app)).also { owner.put("today", it) }
    vm.state.awaitRows(expected)
    val t1 = System.nanoTime()
    println("LISTED ${ms(t0, t1)} ${ms(t0, opened)}")
    System.out.flush()
    owner.clear()
    app.close()
    ui.close()
    System.exit(0)
}

private data class ColdRun(val launchToList: Double, val mainToList: Double, val mainToOpened: Double)

/** Starts a JVM with this one's class path and properties and times its cold open. */
private fun coldOpen(store: Path, secretsFile: Path): ColdRun {
    val java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java")
    val props = listOf("jna.library.path", "fieldwork.server.bin").mapNotNull { k -> System.getProperty(k)?.let { "-D$k=$it" } }
    val cmd = listOf(java, "-cp", System.getProperty("java.class.path")) + props +
        listOf("app.fieldwork.bench.AndroidBenchKt", "cold-open", store.toString(), secretsFile.toString(), JOBS.toString())
    val pb = ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
    val t0 = System.nanoTime()
    val p = pb.start()
    val line = p.inputStream.bufferedReader().lineSequence().firstOrNull { it.startsWith("LISTED ") }
    val t1 = System.nanoTime()
    check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && line != null) { "cold-open child failed: $line" }
    val (list, opened) = line.removePrefix("LISTED ").split(" ").map { it.toDouble() }
    return ColdRun(ms(t0, t1), list, opened)
}

/** One open in this JVM: a fresh FieldworkApp, repository and view model; ms to the 1,000 rows. */
private fun warmOpen(store: Path, secretsFile: Path): Double {
    val secrets = loadSecrets(secretsFile)
    val owner = ViewModelStore()
    val t0 = System.nanoTime()
    val app = FieldworkApp.openWithSecrets(store.toString(), secrets)
    try {
        val vm = TodayViewModel(FieldworkRepository(app)).also { owner.put("today", it) }
        vm.state.awaitRows(JOBS)
        return ms(t0, System.nanoTime())
    } finally {
        owner.clear()
        app.close()
    }
}

/**
 * Marks the refresh of the view model after a sync. The core's observer is wrapped to note when
 * the sync's change arrives; a job list read after that is handed out wrapped, and the UI-thread
 * task that iterates it (TodayViewModel.load: map the rows, set the state; nothing suspends after
 * the read) marks the refresh when it ends. Needed because a note does not change a job's summary,
 * so the StateFlow, which skips equal values, emits nothing new to wait for.
 */
class RefreshProbe {
    @Volatile private var armed = false
    @Volatile var notifiedAt = 0L
    @Volatile var notifiedIds: List<String> = emptyList()
    @Volatile var refreshedAt = 0L
    private val consumed = ThreadLocal<Boolean>()
    @Volatile private var done = CountDownLatch(1)

    fun arm() {
        notifiedAt = 0L
        refreshedAt = 0L
        notifiedIds = emptyList()
        done = CountDownLatch(1)
        armed = true
    }

    fun onChange(change: JobsChange) {
        if (armed && notifiedAt == 0L && change.cause == ChangeCause.SYNC) {
            notifiedIds = change.jobIds
            notifiedAt = System.nanoTime()
        }
    }

    fun read(list: List<JobSummaryRecord>): List<JobSummaryRecord> =
        if (armed && notifiedAt != 0L) ProbeList(list) { consumed.set(true) } else list

    fun afterUiTask() {
        if (consumed.get() == true) {
            consumed.remove()
            if (armed && refreshedAt == 0L) {
                refreshedAt = System.nanoTime()
                armed = false
                done.countDown()
            }
        }
    }

    fun await() = check(done.await(60, TimeUnit.SECONDS)) { "the view model did not refresh" }
}

private class ProbeList(private val inner: List<JobSummaryRecord>, private val onRead: () -> Unit) : List<JobSummaryRecord> by inner {
    override fun iterator(): Iterator<JobSummaryRecord> = inner.iterator().also { onRead() }
}

/** The real core, with [RefreshProbe] on its observer and its job list. */
private class ProbedApp(private val inner: FieldworkApp, private val probe: RefreshProbe) : FieldworkAppInterface by inner {
    override fun observeJobs(observer: JobsObserver): Subscription = inner.observeJobs(
        object : JobsObserver {
            override fun jobsChanged(change: JobsChange) {
                probe.onChange(change)
                observer.jobsChanged(change)
            }
        },
    )

    override fun jobs(): List<JobSummaryRecord> {
        val afterNotification = probe.notifiedAt != 0L
        val list = inner.jobs()
        return if (afterNotification) probe.read(list) else list
    }
}

private data class RefreshRun(val total: Double, val syncReturned: Double, val notified: Double)

private fun runAll(runs: Int) {
    val root = Files.createTempDirectory("fieldwork-bench-android")
    val store = root.resolve("phone")
    val secretsFile = root.resolve("secrets.properties")
    val ui = uiThread()
    try {
        TestOffice(root.resolve("office")).start().use { office ->
            // Setup: 1,000 jobs for one technician, 4 requests in flight; enroll; first sync.
            var t = System.nanoTime()
            office.technician(TECHNICIAN)
            val pool = Executors.newFixedThreadPool(4)
            (1..JOBS).map { i -> pool.submit { office.job("J-%04d".format(i), TECHNICIAN) } }.forEach { it.get() }
            pool.shutdown()
            log("created $JOBS jobs through the REST API in ${f(ms(t, System.nanoTime()))} ms")
            t = System.nanoTime()
            val secrets = MemorySecretStore()
            FieldworkApp.openWithSecrets(store.toString(), secrets).use { app ->
                val repository = FieldworkRepository(app)
                runBlocking {
                    repository.enroll(office.url, office.enrollCode(TECHNICIAN), "bench phone")
                    repository.sync()
                }
                check(app.jobs().size == JOBS) { "expected $JOBS jobs on the phone, got ${app.jobs().size}" }
            }
            saveSecrets(secrets, secretsFile)
            log("enrolled and synced $JOBS jobs in ${f(ms(t, System.nanoTime()))} ms; store closed")

            // 1. Cold: a new JVM per run.
            val cold = (1..runs).map { coldOpen(store, secretsFile) }
            log("cold (launch->list, main->list, main->opened) ms: ${cold.joinToString { "${f(it.launchToList)}/${f(it.mainToList)}/${f(it.mainToOpened)}" }}")

            // 1'. Warm: this JVM (classes loaded, JIT warm), new object graph each run; 2 warm-ups.
            repeat(2) { warmOpen(store, secretsFile) }
            val warm = (1..runs).map { warmOpen(store, secretsFile) }
            log("warm ms: ${warm.joinToString { f(it) }}")

            // 2. Refresh after a sync that changed 10 jobs (10 new jobs each run, 2 warm-ups).
            val probe = RefreshProbe()
            ui.afterTask = probe::afterUiTask
            val refresh = FieldworkApp.openWithSecrets(store.toString(), loadSecrets(secretsFile)).use { app ->
                val repository = FieldworkRepository(ProbedApp(app, probe))
                val owner = ViewModelStore()
                try {
                    val vm = TodayViewModel(repository).also { owner.put("today", it) }
                    vm.state.awaitRows(JOBS)
                    (0 until runs + 2).map { run ->
                        val ids = (1..CHANGED).map { "J-%04d".format(run * CHANGED + it) }
                        val notes = Executors.newFixedThreadPool(4)
                        ids.map { id -> notes.submit { office.post("/api/v1/jobs/$id/notes", """{"text":"bench note $run"}""") } }.forEach { it.get() }
                        notes.shutdown()
                        Thread.sleep(200) // let the UI thread go idle
                        probe.arm()
                        val t0 = System.nanoTime()
                        runBlocking { repository.sync() }
                        val tSync = System.nanoTime()
                        probe.await()
                        check(probe.notifiedIds.toSet() == ids.toSet()) { "the sync announced ${probe.notifiedIds}, expected $ids" }
                        check(vm.state.value.rows.size == JOBS)
                        RefreshRun(ms(t0, probe.refreshedAt), ms(t0, tSync), ms(t0, probe.notifiedAt))
                    }.drop(2)
                } finally {
                    owner.clear()
                }
            }
            log("refresh (sync()->state, sync() returned, notified) ms: ${refresh.joinToString { "${f(it.total)}/${f(it.syncReturned)}/${f(it.notified)}" }}")

            val launch = cold.map { it.launchToList }
            val inside = cold.map { it.mainToList }
            val opened = cold.map { it.mainToOpened }
            val total = refresh.map { it.total }
            println(
                "| app start to the job list, 1,000 jobs in the store, desktop JVM, cold: a new JVM per run " +
                    "(JVM start, JNA loads the release libfieldwork_ffi.so, `openWithSecrets`, FieldworkRepository, " +
                    "TodayViewModel until its state shows the 1,000 rows) | report | " +
                    "median ${f(median(launch))} ms, p90 ${f(p90(launch))} ms from process launch over $runs runs; " +
                    "of which main() to the list: median ${f(median(inside))} ms, p90 ${f(p90(inside))} ms " +
                    "(main() to `openWithSecrets` returned: median ${f(median(opened))} ms) |",
            )
            println(
                "| the same in one warm JVM (a new FieldworkApp, repository and view model each run, after 2 warm-ups) | report | " +
                    "median ${f(median(warm))} ms, p90 ${f(p90(warm))} ms over $runs runs |",
            )
            println(
                "| view-model refresh after a sync that changed 10 jobs (dispatch added a note to each; 1,000-job store, " +
                    "TodayViewModel collecting): `sync()` called to the UI-thread task that set the state from the job list " +
                    "read after the core's observer announced the 10 jobs | report | " +
                    "median ${f(median(total))} ms, p90 ${f(p90(total))} ms over $runs runs " +
                    "(observer called at median ${f(median(refresh.map { it.notified }))} ms, " +
                    "`sync()` returned at median ${f(median(refresh.map { it.syncReturned }))} ms) |",
            )
        }
    } finally {
        ui.close()
        root.toFile().deleteRecursively()
    }
}
