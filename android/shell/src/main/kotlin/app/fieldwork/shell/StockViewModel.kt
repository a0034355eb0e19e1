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
    /** The SKUs the catalogue tracks by serial: sending one back names the serial of each part. */
    val serialised: Set<String> = emptySet(),
    /** The part whose "Send back" form is open (null: none); it stays open until the core took the return. */
    val sendingBack: String? = null,
    /** A movement is being written (the buttons stay disabled meanwhile). */
    val saving: Boolean = false,
    /** A failed read or a refused movement, in the phone's language. */
    val message: UserMessage? = null,
) {
    /** The message is about the serials typed on the "Send back" form (the form marks that field). */
    val serialsRefused: Boolean
        get() = message?.key in setOf(MessageKey.STOCK_SERIAL_MISSING, MessageKey.STOCK_SERIALS_COUNT, MessageKey.STOCK_SERIAL_TWICE)
}

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
            val serialised = catalogue.filter { it.serialised }.map { it.sku }.toSet()
            _state.update { it.copy(loading = false, noVan = false, stock = stock, names = namesOf(stock.levels, catalogue), serialised = serialised) }
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

    /** Writes one movement now, then [done] to the state; a refused one becomes the screen's message. */
    private fun write(done: (StockState) -> StockState = { it }, block: suspend () -> Unit): Job = viewModelScope.launch {
        _state.update { it.copy(saving = true, message = null) }
        try {
            block()
            _state.update { done(it.copy(saving = false)) }
        } catch (e: ApiException) {
            _state.update { it.copy(saving = false, message = ErrorMessages.of(e)) }
        }
        load()
    }

    /** A form's own check failed: nothing is written, the screen says why. */
    private fun refuse(key: MessageKey): Job = refuse(UserMessage(key))

    private fun refuse(message: UserMessage): Job = viewModelScope.launch { _state.update { it.copy(message = message) } }

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

    /** Opens the "Send back" form of part [sku]. */
    fun startSendBack(sku: String) = _state.update { it.copy(sendingBack = sku, message = null) }

    /** Closes the "Send back" form without sending anything. */
    fun cancelSendBack() = _state.update { it.copy(sendingBack = null, message = null) }

    /**
     * Sends [qty] (as typed) of part [sku] back to the region's warehouse, for [reason], with
     * the [serials] as typed (several separated by commas or spaces) and the job it came off
     * ([jobId], optional). A part the catalogue tracks by serial needs one serial per part;
     * any other part may name up to one per part ([ReturnSerials.check]). A form that fails its
     * check writes nothing and stays open, saying why; the form closes once the core took it.
     */
    fun returnPart(sku: String, qty: String, reason: ReturnReasonRecord, serials: String = "", jobId: String = ""): Job {
        val count = qty.trim().toLongOrNull()?.takeIf { it > 0 } ?: return refuse(MessageKey.STOCK_QTY_NOT_A_NUMBER)
        val named = ReturnSerials.parse(serials)
        ReturnSerials.check(count, named, serialised = sku in _state.value.serialised)?.let { return refuse(it) }
        val job = jobId.trim().takeIf { it.isNotEmpty() }
        return write(done = { it.copy(sendingBack = null) }) { repository.returnPart(sku, count, named, job, reason) }
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

/** The serials typed on the "Send back" form, and whether they fit the quantity sent back. */
object ReturnSerials {
    /** Commas (also the Chinese ones), semicolons and white space: a serial has none of them. */
    private val separators = Regex("[\\s,;，；、]+")

    /** The serials in [text], in the order typed. */
    fun parse(text: String): List<String> = text.split(separators).filter { it.isNotEmpty() }

    /**
     * Why [serials] cannot go back with [qty] parts, or null when they can: a part tracked by
     * serial ([serialised]) names one serial per part, any other at most one per part, and no
     * serial twice.
     */
    fun check(qty: Long, serials: List<String>, serialised: Boolean): UserMessage? {
        if (serialised && serials.isEmpty()) return UserMessage(MessageKey.STOCK_SERIAL_MISSING)
        val twice = serials.groupingBy { it }.eachCount().entries.firstOrNull { it.value > 1 }?.key
        if (twice != null) return UserMessage(MessageKey.STOCK_SERIAL_TWICE, args = listOf(MessageArg.Text(twice)))
        if (serials.size > qty || (serialised && serials.size.toLong() != qty)) {
            return UserMessage(MessageKey.STOCK_SERIALS_COUNT, args = listOf(MessageArg.Number(qty), MessageArg.Number(serials.size.toLong())))
        }
        return null
    }
}
