package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldwork.ffi.ApiException
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** A photo of a job and whether the office holds it yet. */
data class PhotoItem(
    /** SHA-256 of the stored JPEG. */
    val id: String,
    val caption: String?,
    val width: Int,
    val height: Int,
    val takenAtMs: Long,
    val uploaded: Boolean,
    /** Taken on this phone, so [FieldworkRepository.photoThumbnail] can show it. */
    val onDevice: Boolean,
)

data class PhotoQueueState(
    val jobId: String,
    val loading: Boolean = true,
    val photos: List<PhotoItem> = emptyList(),
    val adding: Boolean = false,
    val message: UserMessage? = null,
) {
    /** Photos stored on the phone that the next sync uploads (resumably). */
    val pendingUploads: Int get() = photos.count { !it.uploaded }
}

/**
 * A job's photos: the camera hands over the JPEG bytes, the core stores them upright, scaled
 * and stripped of metadata (`addPhoto`), and uploads them at the next sync.
 */
class PhotoQueueViewModel(
    private val repository: FieldworkRepository,
    val jobId: String,
) : ViewModel() {
    private val _state = MutableStateFlow(PhotoQueueState(jobId))
    val state: StateFlow<PhotoQueueState> = _state.asStateFlow()

    init {
        viewModelScope.launch { repository.refreshesOf(jobId).collect { load() } }
    }

    private suspend fun load() {
        try {
            val photos = repository.job(jobId).photos.map {
                PhotoItem(it.id, it.caption, it.width.toInt(), it.height.toInt(), it.takenAtMs, it.uploaded, it.onDevice)
            }
            _state.update { it.copy(loading = false, photos = photos) }
        } catch (e: ApiException) {
            _state.update { it.copy(loading = false, message = ErrorMessages.of(e)) }
        }
    }

    /** Stores a photo (JPEG or PNG bytes from the camera or the gallery). */
    fun addPhoto(data: ByteArray, caption: String? = null): Job = viewModelScope.launch {
        _state.update { it.copy(adding = true, message = null) }
        try {
            repository.addPhoto(jobId, data, caption?.trim()?.takeIf { it.isNotEmpty() })
            load()
            _state.update { it.copy(adding = false) }
        } catch (e: ApiException) {
            _state.update { it.copy(adding = false, message = ErrorMessages.of(e)) }
        }
    }
}
