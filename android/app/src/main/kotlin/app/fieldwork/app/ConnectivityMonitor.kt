package app.fieldwork.app

import android.content.Context
import android.net.ConnectivityManager
import android.net.Network
import android.net.NetworkCapabilities
import app.fieldwork.shell.FieldworkRepository
import app.fieldwork.shell.SyncPolicy

/**
 * Tells the core (`setNetworkState`, so a sync without network fails at once) and the sync
 * policy (regained: sync now) whether the default network reaches the internet. A captive
 * portal is not validated, so it counts as offline.
 */
class ConnectivityMonitor(
    context: Context,
    private val repository: FieldworkRepository,
    private val policy: SyncPolicy,
) {
    private val connectivity = context.getSystemService(ConnectivityManager::class.java)
    private var online: Boolean? = null

    private val callback = object : ConnectivityManager.NetworkCallback() {
        override fun onAvailable(network: Network) = update()
        override fun onLost(network: Network) = update()
        override fun onCapabilitiesChanged(network: Network, capabilities: NetworkCapabilities) = update()
    }

    fun start() {
        update()
        connectivity.registerDefaultNetworkCallback(callback)
    }

    fun stop() = connectivity.unregisterNetworkCallback(callback)

    @Synchronized
    private fun update() {
        val capabilities = connectivity.activeNetwork?.let { connectivity.getNetworkCapabilities(it) }
        val now = capabilities != null &&
            capabilities.hasCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET) &&
            capabilities.hasCapability(NetworkCapabilities.NET_CAPABILITY_VALIDATED)
        if (now == online) return
        online = now
        repository.setNetworkState(now)
        policy.onNetworkChanged(now)
    }
}
