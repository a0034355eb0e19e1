package app.fieldwork.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Box
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.LifecycleRegistry
import androidx.lifecycle.ViewModelStore
import androidx.lifecycle.ViewModelStoreOwner
import androidx.lifecycle.compose.LocalLifecycleOwner
import androidx.lifecycle.viewmodel.compose.LocalViewModelStoreOwner
import app.fieldwork.ffi.FieldworkApp
import app.fieldwork.shell.FieldworkRepository
import app.fieldwork.shell.MemorySecretStore
import app.fieldwork.shell.ShellTest
import app.fieldwork.shell.SyncPolicy
import app.fieldwork.shell.TestOffice
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.MainCoroutineDispatcher
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.test.resetMain
import kotlinx.coroutines.test.setMain
import java.nio.file.Path
import java.util.Collections
import javax.swing.SwingUtilities
import kotlin.coroutines.CoroutineContext

/**
 * The app as the Compose UI tests run it on the desktop JVM: the real core on a store in [dir],
 * the sync policy running (short delays), and the two things an Activity provides to Compose
 * (a ViewModelStoreOwner, a resumed LifecycleOwner). Only the camera is replaced: its preview
 * is a grey box and a "photo" is a generated PNG, which the core processes as it would a
 * camera's JPEG.
 */
class DesktopApp(
    dir: Path,
    /** The wall clock of the screens and of "last sent" (the goldens fix it). */
    override val clock: () -> Long = System::currentTimeMillis,
    syncConfig: SyncPolicy.Config = SyncPolicy.Config(debounceMs = 100, initialBackoffMs = 200, maxBackoffMs = 2_000, syncOnStart = false),
) : ShellGraph, AutoCloseable {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    /** The core itself, for a test's setup that needs what the repository leaves out (a status at a given time). */
    val core = FieldworkApp.openWithSecrets(dir.resolve("phone").toString(), MemorySecretStore())
    override val repository = FieldworkRepository(core)
    override val syncPolicy = SyncPolicy(repository::sync, syncConfig, wallClockMs = clock)
    override val deviceName = "Pixel 9 (desktop test)"
    private val owners = Owners()

    /** Job ids whose PDF the UI asked to share. */
    val shared: MutableList<String> = Collections.synchronizedList(mutableListOf())

    /** Phone numbers the UI asked the dialler for. */
    val dialled: MutableList<String> = Collections.synchronizedList(mutableListOf())

    /** What the shutter returns: a generated PNG, which the core processes as it would a camera's JPEG; a test may make it throw. */
    @Volatile
    var camera: suspend () -> ByteArray = { ShellTest.png(640, 480) }

    /** What the QR scanner reads (the test decodes a generated QR image); null is a cancelled scan. */
    @Volatile
    var scanner: suspend () -> String? = { null }

    val actions = object : PlatformActions {
        @Composable
        override fun CameraPreview(modifier: Modifier) {
            Box(modifier.background(Color(0xFF37474F)), contentAlignment = Alignment.Center) { Text("camera", color = Color.White) }
        }

        override suspend fun takePhoto(): ByteArray = camera()

        override fun sharePdf(jobId: String) {
            shared += jobId
        }

        override fun dial(phone: String) {
            dialled += phone
        }

        override suspend fun scanQr(): String? = scanner()
    }

    init {
        // On a phone, taps, composition and the view models share one main thread. Compose's
        // desktop test composes on Swing's event thread but injects taps from the test's thread,
        // where Navigation would refuse to move its back-stack lifecycles ("must be called on
        // the main thread"): the tapping thread counts as main too.
        Dispatchers.setMain(TestMainDispatcher(Thread.currentThread()))
        syncPolicy.start(scope, SyncPolicy.localEditsOf(repository))
    }

    /** Enrolls this phone at [office] as [technician] and syncs once, as the enrollment screen would. */
    fun enroll(office: TestOffice, technician: String) = runBlocking {
        repository.enroll(office.url, office.enrollCode(technician), deviceName)
        repository.sync()
    }

    /** [content] hosted as MainActivity hosts FieldworkRoot. */
    @Composable
    fun Host(content: @Composable () -> Unit) {
        CompositionLocalProvider(LocalViewModelStoreOwner provides owners, LocalLifecycleOwner provides owners, content = content)
    }

    /** The whole app, as MainActivity shows it, in [appearance]. */
    @Composable
    fun Root(appearance: Appearance = Appearance.SYSTEM) = Host { FieldworkRoot(this, actions, appearance) }

    override fun close() {
        owners.viewModelStore.clear()
        scope.cancel()
        core.close()
        Dispatchers.resetMain()
    }

    /**
     * Swing's event thread as the main thread (as `Dispatchers.Swing`: work resumed from the
     * core's callbacks or the IO pool is queued there, never run inside the callback), and the
     * test's thread, which taps, counts as main as well: work started there runs at once, as
     * Android's `Dispatchers.Main.immediate` does for a tap on the main thread.
     */
    private class TestMainDispatcher(private val tapThread: Thread) : MainCoroutineDispatcher() {
        override val immediate: MainCoroutineDispatcher get() = this

        override fun isDispatchNeeded(context: CoroutineContext): Boolean =
            !SwingUtilities.isEventDispatchThread() && Thread.currentThread() !== tapThread

        override fun dispatch(context: CoroutineContext, block: Runnable) = SwingUtilities.invokeLater(block)
    }

    private class Owners : ViewModelStoreOwner, LifecycleOwner {
        override val viewModelStore = ViewModelStore()
        private val registry = LifecycleRegistry.createUnsafe(this).apply { currentState = Lifecycle.State.RESUMED }
        override val lifecycle: Lifecycle get() = registry
    }
}
