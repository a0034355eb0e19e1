package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.ViewModelStore
import app.cash.turbine.ReceiveTurbine
import app.fieldwork.ffi.FieldworkApp
import app.fieldwork.ffi.SecretStore
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.resetMain
import kotlinx.coroutines.test.setMain
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import java.awt.image.BufferedImage
import java.io.ByteArrayOutputStream
import java.nio.file.Files
import java.nio.file.Path
import java.util.UUID
import java.util.concurrent.ConcurrentHashMap
import javax.imageio.ImageIO
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/** The platform secret store as the app provides it (here in memory; Keystore on Android). */
class MemorySecretStore : SecretStore {
    val values = ConcurrentHashMap<String, String>()
    override fun get(key: String): String? = values[key]
    override fun set(key: String, value: String) {
        values[key] = value
    }
    override fun delete(key: String) {
        values.remove(key)
    }
}

/**
 * What the shell's tests share: a temporary directory, the real office server, phones opened
 * on the real core, `Dispatchers.Main` for `viewModelScope`, and view models that are cleared
 * (their scopes cancelled, their core subscriptions with them) after each test.
 */
@OptIn(ExperimentalCoroutinesApi::class)
abstract class ShellTest {
    protected val dir: Path = Files.createTempDirectory("fieldwork-shell")
    private val store = ViewModelStore()
    private val closeables = mutableListOf<AutoCloseable>()

    private val main = StandardTestDispatcher()

    @BeforeEach
    fun setMainDispatcher() = Dispatchers.setMain(main)

    @AfterEach
    fun tearDown() {
        store.clear()
        // Clearing cancels the view models' coroutines, but their cancellation (and the core
        // subscriptions released in `awaitClose`) runs on Main: let it finish before Main is
        // reset, or a late callback touches an unset Main during the next test.
        main.scheduler.advanceUntilIdle()
        closeables.reversed().forEach { it.close() }
        main.scheduler.advanceUntilIdle()
        Dispatchers.resetMain()
    }

    /** Keeps [viewModel] in a store cleared after the test, as an Activity would. */
    protected fun <T : ViewModel> owned(viewModel: T): T = viewModel.also { store.put(UUID.randomUUID().toString(), it) }

    protected fun office(pki: Pki? = null): TestOffice = TestOffice(dir.resolve("office"), pki).also { closeables += it }

    /** A phone: the real core on a fresh data directory, secrets in [secrets]. */
    protected fun phone(name: String = "phone", secrets: SecretStore = MemorySecretStore()): Phone {
        val app = FieldworkApp.openWithSecrets(dir.resolve(name).toString(), secrets)
        closeables += app
        return Phone(app, FieldworkRepository(app))
    }

    data class Phone(val app: FieldworkApp, val repository: FieldworkRepository)

    /** An enrolled, synced phone of technician [technician] (created on [office]). */
    protected suspend fun enrolledPhone(office: TestOffice, technician: String, name: String = "phone"): Phone {
        val phone = phone(name)
        phone.repository.enroll(office.url, office.enrollCode(technician), "test $name")
        phone.repository.sync()
        return phone
    }

    companion object {
        val WAIT: Duration = 30.seconds

        /** Waits, in real time, for a state that satisfies [predicate]. */
        suspend fun <T> StateFlow<T>.await(predicate: (T) -> Boolean): T =
            withContext(Dispatchers.Default) { withTimeout(WAIT) { first(predicate) } }

        /** Skips items until one satisfies [predicate]. */
        suspend fun <T> ReceiveTurbine<T>.awaitUntil(predicate: (T) -> Boolean): T {
            while (true) {
                val item = awaitItem()
                if (predicate(item)) return item
            }
        }

        /** A real PNG (a colour gradient). */
        fun png(width: Int, height: Int): ByteArray {
            val image = BufferedImage(width, height, BufferedImage.TYPE_INT_RGB)
            for (y in 0 until height) for (x in 0 until width) image.setRGB(x, y, (x * 4 shl 16) or (y * 5 shl 8) or 128)
            return ByteArrayOutputStream().also { check(ImageIO.write(image, "png", it)) }.toByteArray()
        }
    }
}
