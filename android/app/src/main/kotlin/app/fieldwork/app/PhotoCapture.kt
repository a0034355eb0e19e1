package app.fieldwork.app

import android.content.Context
import androidx.annotation.StringRes
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageCapture
import androidx.camera.core.ImageCaptureException
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.lifecycle.awaitInstance
import androidx.core.content.ContextCompat
import androidx.lifecycle.LifecycleOwner
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull
import java.io.File
import java.io.IOException
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/**
 * The camera cannot take a photo: no permission, no camera, not bound (yet), the bind or the
 * capture failed. An [IOException], so a caller of `PlatformActions.takePhoto` can catch it
 * without knowing this module; [getLocalizedMessage] (= [userMessage]) is the text for the user,
 * in the phone's language, [message] the one for the log.
 */
class CameraUnavailableException(
    val reason: Reason,
    /** What the user is told (a string resource of [reason], in the phone's language). */
    val userMessage: String,
    cause: Throwable? = null,
) : IOException("camera unavailable: $reason" + (cause?.let { " (${it.javaClass.simpleName}: ${it.message})" } ?: ""), cause) {
    enum class Reason(@StringRes val text: Int) {
        PERMISSION_DENIED(R.string.camera_permission_needed),
        NO_CAMERA(R.string.camera_no_camera),
        NOT_READY(R.string.camera_not_ready),
        BIND_FAILED(R.string.camera_bind_failed),
        CAPTURE_FAILED(R.string.camera_capture_failed),
    }

    override fun getLocalizedMessage(): String = userMessage
}

/** Where the camera is: the preview shows [Failed]'s text with a "try again" button. */
sealed interface CameraState {
    /** Not bound: no preview on screen (or no permission yet). */
    data object Idle : CameraState

    data object Binding : CameraState

    /** Preview and capture are bound to the Activity's lifecycle. */
    data object Ready : CameraState

    data class Failed(val error: CameraUnavailableException) : CameraState
}

/**
 * CameraX capture for a job's photos: the JPEG is written as the camera produced it (EXIF
 * orientation included) and its bytes go to `PhotoQueueViewModel.addPhoto`; the core turns it
 * upright, scales it and strips every tag but the capture time, so nothing is processed here.
 *
 * Nothing here throws anything but [CameraUnavailableException] (or a cancellation): a bind
 * that fails becomes [CameraState.Failed], a capture on an unbound or failed camera throws.
 * Called on the main thread (CameraX binds there).
 */
class PhotoCapture(private val context: Context) {
    private val imageCapture = ImageCapture.Builder()
        .setCaptureMode(ImageCapture.CAPTURE_MODE_MINIMIZE_LATENCY)
        .build()
    private val _state = MutableStateFlow<CameraState>(CameraState.Idle)
    val state: StateFlow<CameraState> = _state.asStateFlow()
    private var provider: ProcessCameraProvider? = null

    /**
     * Binds the preview and the capture to [owner]'s lifecycle (the back camera, else the front
     * one). Never throws but for cancellation: a failure is [CameraState.Failed].
     */
    suspend fun bind(owner: LifecycleOwner, surfaceProvider: Preview.SurfaceProvider) {
        _state.value = CameraState.Binding
        try {
            val cameras = ProcessCameraProvider.awaitInstance(context)
            provider = cameras
            val selector = when {
                cameras.hasCamera(CameraSelector.DEFAULT_BACK_CAMERA) -> CameraSelector.DEFAULT_BACK_CAMERA
                cameras.hasCamera(CameraSelector.DEFAULT_FRONT_CAMERA) -> CameraSelector.DEFAULT_FRONT_CAMERA
                else -> throw unavailable(CameraUnavailableException.Reason.NO_CAMERA)
            }
            val preview = Preview.Builder().build().also { it.setSurfaceProvider(surfaceProvider) }
            cameras.unbindAll()
            cameras.bindToLifecycle(owner, selector, preview, imageCapture)
            _state.value = CameraState.Ready
        } catch (e: CancellationException) {
            _state.value = CameraState.Idle
            throw e
        } catch (e: CameraUnavailableException) {
            _state.value = CameraState.Failed(e)
        } catch (e: Exception) {
            // InitializationException, CameraInfoUnavailableException, IllegalArgumentException
            // (no camera for the selector), IllegalStateException (lifecycle destroyed)...
            _state.value = CameraState.Failed(unavailable(CameraUnavailableException.Reason.BIND_FAILED, e))
        }
    }

    /** Releases the camera (the preview left the screen). */
    fun unbind() {
        try {
            provider?.unbindAll()
        } catch (e: IllegalStateException) {
            // already shut down: nothing is bound
        }
        _state.value = CameraState.Idle
    }

    /**
     * Takes a photo and returns its JPEG bytes; the temporary file is gone when this returns.
     * Waits up to [BIND_WAIT_MS] for a bind in progress. Throws [CameraUnavailableException].
     */
    suspend fun takePhoto(): ByteArray {
        awaitReady()
        return try {
            val file = withContext(Dispatchers.IO) { File.createTempFile("capture", ".jpg", context.cacheDir) }
            try {
                capture(file)
                withContext(Dispatchers.IO) { file.readBytes() }
            } finally {
                withContext(NonCancellable + Dispatchers.IO) { file.delete() }
            }
        } catch (e: CancellationException) {
            throw e
        } catch (e: CameraUnavailableException) {
            throw e
        } catch (e: Exception) {
            throw unavailable(CameraUnavailableException.Reason.CAPTURE_FAILED, e)
        }
    }

    private suspend fun awaitReady() {
        val settled = withTimeoutOrNull(BIND_WAIT_MS) { state.first { it !is CameraState.Binding } }
        when (settled) {
            CameraState.Ready -> Unit
            is CameraState.Failed -> throw settled.error
            else -> throw unavailable(CameraUnavailableException.Reason.NOT_READY)
        }
    }

    private suspend fun capture(file: File): Unit = suspendCancellableCoroutine<Unit> { continuation ->
        imageCapture.takePicture(
            ImageCapture.OutputFileOptions.Builder(file).build(),
            ContextCompat.getMainExecutor(context),
            object : ImageCapture.OnImageSavedCallback {
                override fun onImageSaved(output: ImageCapture.OutputFileResults) {
                    // Cancelled meanwhile: the caller's cleanup already ran, so this one tidies up.
                    if (continuation.isActive) continuation.resume(Unit) else file.delete()
                }

                override fun onError(exception: ImageCaptureException) {
                    // ERROR_INVALID_CAMERA when the use case is not bound to a camera.
                    continuation.resumeWithException(unavailable(CameraUnavailableException.Reason.CAPTURE_FAILED, exception))
                }
            },
        )
    }

    private fun unavailable(reason: CameraUnavailableException.Reason, cause: Throwable? = null) =
        CameraUnavailableException(reason, context.getString(reason.text), cause)

    private companion object {
        const val BIND_WAIT_MS = 5_000L
    }
}
