package app.fieldwork.app

import android.content.Context
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageCapture
import androidx.camera.core.ImageCaptureException
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.core.content.ContextCompat
import androidx.lifecycle.LifecycleOwner
import kotlinx.coroutines.suspendCancellableCoroutine
import java.io.File
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/**
 * CameraX capture for a job's photos: the JPEG is written as the camera produced it (EXIF
 * orientation included) and its bytes go to `PhotoQueueViewModel.addPhoto`; the core turns it
 * upright, scales it and strips every tag but the capture time, so nothing is processed here.
 */
class PhotoCapture(private val context: Context) {
    private val imageCapture = ImageCapture.Builder()
        .setCaptureMode(ImageCapture.CAPTURE_MODE_MINIMIZE_LATENCY)
        .build()

    suspend fun bind(owner: LifecycleOwner, previewView: PreviewView) {
        val future = ProcessCameraProvider.getInstance(context)
        val provider = suspendCancellableCoroutine { continuation ->
            future.addListener({ continuation.resume(future.get()) }, ContextCompat.getMainExecutor(context))
        }
        val preview = Preview.Builder().build().also { it.surfaceProvider = previewView.surfaceProvider }
        provider.unbindAll()
        provider.bindToLifecycle(owner, CameraSelector.DEFAULT_BACK_CAMERA, preview, imageCapture)
    }

    /** Takes a photo; the temporary file is gone when this returns. */
    suspend fun takePhoto(): ByteArray = suspendCancellableCoroutine { continuation ->
        val file = File.createTempFile("capture", ".jpg", context.cacheDir)
        imageCapture.takePicture(
            ImageCapture.OutputFileOptions.Builder(file).build(),
            ContextCompat.getMainExecutor(context),
            object : ImageCapture.OnImageSavedCallback {
                override fun onImageSaved(output: ImageCapture.OutputFileResults) {
                    val bytes = file.readBytes()
                    file.delete()
                    continuation.resume(bytes)
                }

                override fun onError(exception: ImageCaptureException) {
                    file.delete()
                    continuation.resumeWithException(exception)
                }
            },
        )
    }
}
