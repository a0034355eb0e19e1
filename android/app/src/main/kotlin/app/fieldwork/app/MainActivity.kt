package app.fieldwork.app

import android.Manifest
import android.content.pm.PackageManager
import android.os.Bundle
import android.widget.Toast
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.view.PreviewView
import androidx.core.content.ContextCompat
import androidx.lifecycle.lifecycleScope
import app.fieldwork.ffi.ApiException
import app.fieldwork.shell.ErrorMessages
import app.fieldwork.ui.FieldworkRoot
import app.fieldwork.ui.PlatformActions
import app.fieldwork.ui.text
import kotlinx.coroutines.launch

/** The Compose host; the platform pieces (camera, share sheet) are handed to the UI as actions. */
class MainActivity : ComponentActivity() {
    private val camera by lazy { PhotoCapture(this) }
    private val cameraPermission = registerForActivityResult(ActivityResultContracts.RequestPermission()) {}

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val graph = application as FieldworkApplication
        val actions = object : PlatformActions {
            override fun bindCamera(previewView: PreviewView) {
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
