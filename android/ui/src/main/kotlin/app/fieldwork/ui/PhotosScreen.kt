@file:OptIn(ExperimentalLayoutApi::class)

package app.fieldwork.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.CheckCircle
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.foundation.layout.Box
import androidx.compose.material.icons.filled.Delete
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.FilledTonalIconButton
import androidx.compose.material3.Icon
import androidx.compose.material3.TextButton
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import app.fieldwork.shell.PhotoItem
import app.fieldwork.shell.PhotoQueueState
import app.fieldwork.shell.PhotoQueueViewModel

@Composable
fun PhotosRoute(graph: ShellGraph, actions: PlatformActions, jobId: String, onBack: () -> Unit) {
    val vm = viewModel { PhotoQueueViewModel(graph.repository, jobId) }
    val state by vm.state.collectAsStateWithLifecycle()
    PhotosScreen(
        state,
        cameraPreview = { actions.CameraPreview(it) },
        onCaptionChange = vm::onCaptionChanged,
        onTakePhoto = { vm.capture(actions::takePhoto) },
        onRemove = vm::removePhoto,
        onBack = onBack,
    )
}

/**
 * The camera and the job's photos. The shutter is in the bottom bar; a failed capture is said
 * above it and the screen goes on. The preview is at most 360 dp tall, so the photos below stay
 * in reach on a tablet or in landscape.
 */
@Composable
fun PhotosScreen(
    state: PhotoQueueState,
    cameraPreview: @Composable (Modifier) -> Unit,
    onCaptionChange: (String) -> Unit,
    onTakePhoto: () -> Unit,
    onRemove: (String) -> Unit,
    onBack: () -> Unit,
) {
    // The photo the technician asked to remove, until they confirm.
    var removing by rememberSaveable { mutableStateOf<String?>(null) }
    FieldScreen(
        title = localized(R.string.photos_title, state.jobId),
        onBack = onBack,
        bottomBar = {
            ActionBar(above = { MessageBanner(state.message) }) {
                PrimaryAction(localized(R.string.photo_take), onTakePhoto, Modifier.weight(1f), enabled = !state.adding, icon = FieldIcons.Camera)
            }
        },
    ) { padding ->
        Column(
            Modifier.fillMaxSize().padding(padding).verticalScroll(rememberScrollState()).padding(FieldDimens.Margin),
            verticalArrangement = Arrangement.spacedBy(12.dp),
            horizontalAlignment = Alignment.CenterHorizontally,
        ) {
            cameraPreview(Modifier.heightIn(max = 360.dp).aspectRatio(3f / 4f, matchHeightConstraintsFirst = true))
            OutlinedTextField(
                state.caption, onCaptionChange, Modifier.fillMaxWidth(),
                label = { Text(localized(R.string.photo_caption)) }, singleLine = true,
            )
            if (state.pendingUploads > 0) Text(localized(R.string.photos_pending, state.pendingUploads), style = MaterialTheme.typography.bodyLarge)
            FlowRow(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.spacedBy(12.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
                state.photos.forEach { photo -> PhotoTile(photo, state.thumbnails[photo.id], onRemove = { removing = photo.id }) }
            }
        }
    }
    removing?.let { id ->
        AlertDialog(
            onDismissRequest = { removing = null },
            title = { Text(localized(R.string.photo_remove_title)) },
            text = { Text(localized(R.string.photo_remove_text), style = MaterialTheme.typography.bodyLarge) },
            confirmButton = { TextButton(onClick = { removing = null; onRemove(id) }, Modifier.heightIn(min = 48.dp)) { Text(localized(R.string.photo_remove_confirm)) } },
            dismissButton = { TextButton(onClick = { removing = null }, Modifier.heightIn(min = 48.dp)) { Text(localized(R.string.cancel)) } },
        )
    }
}

/** A photo: its thumbnail, caption and size, whether the office has it, and remove for its author. */
@Composable
private fun PhotoTile(photo: PhotoItem, thumbnail: ByteArray?, onRemove: () -> Unit) {
    val caption = photo.caption ?: localized(R.string.photo_untitled)
    Column(Modifier.width(150.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Box {
            Thumbnail(thumbnail, caption, Modifier.size(150.dp))
            if (photo.removable) {
                FilledTonalIconButton(onClick = onRemove, modifier = Modifier.align(Alignment.TopEnd).padding(4.dp).size(48.dp)) {
                    Icon(Icons.Filled.Delete, contentDescription = localized(R.string.photo_remove, caption))
                }
            }
        }
        Text(caption, style = MaterialTheme.typography.bodyMedium, maxLines = 2)
        Text("${photo.width}×${photo.height}", style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
        Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(4.dp)) {
            Icon(if (photo.uploaded) Icons.Filled.CheckCircle else Icons.Filled.Refresh, contentDescription = null, modifier = Modifier.size(18.dp))
            Text(localized(if (photo.uploaded) R.string.photo_sent else R.string.photo_waiting), style = MaterialTheme.typography.bodyMedium)
        }
    }
}
