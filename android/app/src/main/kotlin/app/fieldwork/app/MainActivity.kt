package app.fieldwork.app

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.os.Bundle
import android.widget.Toast
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.view.PreviewView
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import androidx.lifecycle.lifecycleScope
import app.fieldwork.ffi.ApiException
import app.fieldwork.shell.ErrorMessages
import app.fieldwork.ui.FieldworkRoot
import app.fieldwork.shell.UserMessage
import app.fieldwork.ui.PlatformActions
import app.fieldwork.ui.stringRes
import kotlinx.coroutines.launch

/** The Compose host; the platform pieces (camera, share sheet) are handed to the UI as actions. */
class MainActivity : ComponentActivity() {
    private val camera by lazy { PhotoCapture(this) }
    private val cameraPermission = registerForActivityResult(ActivityResultContracts.RequestPermission()) {}

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val graph = application as FieldworkApplication
        val actions = object : PlatformActions {
            @Composable
            override fun CameraPreview(modifier: Modifier) {
                AndroidView(factory = { PreviewView(it).also(::bindCamera) }, modifier = modifier)
            }

            private fun bindCamera(previewView: PreviewView) {
                if (ContextCompat.checkSelfPermission(this@MainActivity, Manifest.permission.CAMERA) != PackageManager.PERMISSION_GRANTED) {
                    cameraPermission.launch(Manifest.permission.CAMERA)
                    return
                }
                lifecycleScope.launch { camera.bind(this@MainActivity, previewView) }
            }

            override suspend fun takePhoto(): ByteArray = camera.takePhoto()

            override fun sharePdf(jobId: String) {
                lifecycleScope.launch {
                    try {
                        ReportSharing.sharePdf(this@MainActivity, graph.repository, jobId)
                    } catch (e: ApiException) {
                        Toast.makeText(this@MainActivity, ErrorMessages.of(e).text(this@MainActivity), Toast.LENGTH_LONG).show()
                    }
                }
            }
        }
        setContent { FieldworkRoot(graph, actions) }
    }
}

/** The message and, where it is meant for the user, the core's detail under it (outside Compose). */
fun UserMessage.text(context: Context): String =
    listOfNotNull(context.getString(key.stringRes()), shownDetail).joinToString("\n")
