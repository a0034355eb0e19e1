package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldwork.ffi.ApiException
import kotlinx.coroutines.Job
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlin.coroutines.coroutineContext

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
    /** Taken by this technician: they may take it off the job. */
    val removable: Boolean = false,
)

data class PhotoQueueState(
    val jobId: String,
    val loading: Boolean = true,
    val photos: List<PhotoItem> = emptyList(),
    /** Small JPEGs (long edge 320 px) of the photos this phone holds, by photo id. */
    val thumbnails: Map<String, ByteArray> = emptyMap(),
    /** The caption for the next photo, as typed. */
    val caption: String = "",
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

    /** One load at a time, so an older read never lands after a newer one. */
    private val loading = Mutex()

    init {
        viewModelScope.launch { repository.refreshesOf(jobId).collect { load() } }
    }

    private suspend fun load() = loading.withLock {
        try {
            val photos = repository.job(jobId).photos.map {
                PhotoItem(it.id, it.caption, it.width.toInt(), it.height.toInt(), it.takenAtMs, it.uploaded, it.onDevice, it.removable)
            }
            val known = _state.value.thumbnails
            val thumbnails = photos.filter { it.onDevice }.mapNotNull { photo ->
                (known[photo.id] ?: repository.photoThumbnail(photo.id))?.let { photo.id to it }
            }.toMap()
            _state.update { it.copy(loading = false, photos = photos, thumbnails = thumbnails) }
        } catch (e: ApiException) {
            _state.update { it.copy(loading = false, message = ErrorMessages.of(e)) }
        }
    }

    fun onCaptionChanged(value: String) = _state.update { it.copy(caption = value) }

    /**
     * Takes a photo with [take] (the camera) and stores it with the typed caption. Whatever the
     * camera throws (no permission, not bound yet, a hardware error) becomes the screen's
     * message: the technician can try again, the app goes on.
     */
    fun capture(take: suspend () -> ByteArray): Job = viewModelScope.launch {
        if (_state.value.adding) return@launch
        _state.update { it.copy(adding = true, message = null) }
        val bytes = try {
            take()
        } catch (e: Throwable) {
            // Only this screen going away stops here; a camera's own cancellation is a failure.
            coroutineContext.ensureActive()
            _state.update { it.copy(adding = false, message = UserMessage(MessageKey.CAPTURE_FAILED, e.message ?: e.javaClass.simpleName)) }
            return@launch
        }
        store(bytes, _state.value.caption)
        if (_state.value.message == null) _state.update { it.copy(caption = "") }
    }

    /** Stores a photo (JPEG or PNG bytes from the camera or the gallery). */
    fun addPhoto(data: ByteArray, caption: String? = null): Job = viewModelScope.launch {
        _state.update { it.copy(adding = true, message = null) }
        store(data, caption)
    }

    /** Takes a photo off the job (it leaves the job screen and the next report). */
    fun removePhoto(id: String): Job = viewModelScope.launch {
        try {
            repository.removePhoto(jobId, id)
            load()
        } catch (e: ApiException) {
            _state.update { it.copy(message = ErrorMessages.of(e)) }
        }
    }

    private suspend fun store(data: ByteArray, caption: String?) {
        try {
            repository.addPhoto(jobId, data, caption?.trim()?.takeIf { it.isNotEmpty() })
            load()
            _state.update { it.copy(adding = false) }
        } catch (e: ApiException) {
            _state.update { it.copy(adding = false, message = ErrorMessages.of(e)) }
        }
    }
}
