package app.fieldwork.shell

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldwork.ffi.ApiException
import app.fieldwork.ffi.CountedRecord
import app.fieldwork.ffi.InputReason
import app.fieldwork.ffi.PartRecord
import app.fieldwork.ffi.ReturnReasonRecord
import app.fieldwork.ffi.StockLevelRecord
import app.fieldwork.ffi.VanStockRecord
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/** A part's names in both languages and its unit (the catalogue's, or the level's own). */
data class PartNames(val zh: String, val en: String, val unit: String)

data class StockState(
    /** The first read has not answered yet. */
    val loading: Boolean = true,
    /** The office has not put this technician in a van yet (or the phone has not synced since). */
    val noVan: Boolean = false,
    /** The van as the core folds it from its ledger; null while loading, with no van, or when the read failed. */
    val stock: VanStockRecord? = null,
    /** Names and units by SKU, from the catalogue (a level's own names win when it has them). */
    val names: Map<String, PartNames> = emptyMap(),
    /** A movement is being written (the buttons stay disabled meanwhile). */
    val saving: Boolean = false,
    /** A failed read or a refused movement, in the phone's language. */
    val message: UserMessage? = null,
)

/**
 * The technician's van: levels, transfers on their way (counted in here), a count of the van and
 * parts sent back. Every action is written to the core at once (durable offline) and the screen
 * reloads after it, after every change the core's job observer reports (a part used on a job
 * leaves the van) and after every sync (transfers arrive with it).
 */
class StockViewModel(private val repository: FieldworkRepository) : ViewModel() {
    private val _state = MutableStateFlow(StockState())
    val state: StateFlow<StockState> = _state.asStateFlow()

    /** One load at a time, so an older read never lands after a newer one. */
    private val loading = Mutex()

    init {
        viewModelScope.launch { repository.refreshes().collect { load() } }
    }

    private suspend fun load() = loading.withLock {
        try {
            val stock = repository.vanStock()
            val catalogue = repository.partsCatalogue()
            _state.update { it.copy(loading = false, noVan = false, stock = stock, names = namesOf(stock.levels, catalogue)) }
        } catch (e: ApiException.InvalidInput) {
            // No van yet is a state of the screen, not an error; any other refusal is said.
            val noVan = e.reason is InputReason.NoVan
            _state.update {
                if (noVan) it.copy(loading = false, noVan = true, stock = null)
                else it.copy(loading = false, message = ErrorMessages.of(e))
            }
        } catch (e: ApiException) {
            _state.update { it.copy(loading = false, message = ErrorMessages.of(e)) }
        }
    }

    /** Reads the van again (pull to refresh, or the screen's refresh button). */
    fun refresh(): Job = viewModelScope.launch { load() }

    /** Writes one movement now; a refused one becomes the screen's message. */
    private fun write(block: suspend () -> Unit): Job = viewModelScope.launch {
        _state.update { it.copy(saving = true, message = null) }
        try {
            block()
            _state.update { it.copy(saving = false) }
        } catch (e: ApiException) {
            _state.update { it.copy(saving = false, message = ErrorMessages.of(e)) }
        }
        load()
    }

    /** A form's own check failed: nothing is written, the screen says why. */
    private fun refuse(key: MessageKey): Job = viewModelScope.launch { _state.update { it.copy(message = UserMessage(key)) } }

    /**
     * Counts transfer [transferId] in: what arrived of each part, by SKU, as typed. A part left
     * out arrived as none; serials default to the transfer's when a line is counted as sent.
     */
    fun receive(transferId: String, counts: Map<String, String>): Job {
        val counted = parse(counts) ?: return refuse(MessageKey.STOCK_QTY_NOT_A_NUMBER)
        return write { repository.receiveTransfer(transferId, counted) }
    }

    /** A count of the van: what was found of each part, by SKU, as typed (the core records the difference). */
    fun count(counts: Map<String, String>): Job {
        val counted = parse(counts) ?: return refuse(MessageKey.STOCK_QTY_NOT_A_NUMBER)
        return write { repository.countStock(counted) }
    }

    /** Sends [qty] (as typed) of part [sku] back to the region's warehouse. */
    fun returnPart(sku: String, qty: String, reason: ReturnReasonRecord, jobId: String? = null): Job {
        val count = qty.trim().toLongOrNull()?.takeIf { it > 0 } ?: return refuse(MessageKey.STOCK_QTY_NOT_A_NUMBER)
        return write { repository.returnPart(sku, count, emptyList(), jobId?.trim()?.takeIf { it.isNotEmpty() }, reason) }
    }

    fun dismissMessage() = _state.update { it.copy(message = null) }

    private fun parse(counts: Map<String, String>): List<CountedRecord>? = counts.map { (sku, text) ->
        val qty = text.trim().toLongOrNull()?.takeIf { it >= 0 } ?: return null
        CountedRecord(sku, qty)
    }

    companion object {
        fun namesOf(levels: List<StockLevelRecord>, catalogue: List<PartRecord>): Map<String, PartNames> {
            val names = catalogue.associate { it.sku to PartNames(it.nameZh, it.nameEn, it.unit) }.toMutableMap()
            for (level in levels) {
                if (level.nameEn.isNotEmpty() || level.nameZh.isNotEmpty()) names[level.sku] = PartNames(level.nameZh, level.nameEn, level.unit)
            }
            return names
        }
    }
}
