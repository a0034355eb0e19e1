package app.fieldwork.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.selection.toggleable
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.fieldwork.shell.EnrollmentState
import app.fieldwork.shell.EnrollmentViewModel

/** What the technician does on the enrollment screen. */
sealed interface EnrollmentEvent {
    data class ServerUrl(val value: String) : EnrollmentEvent
    data class Code(val value: String) : EnrollmentEvent
    data class DeviceName(val value: String) : EnrollmentEvent
    data class ServerCa(val pem: String) : EnrollmentEvent
    data object Scan : EnrollmentEvent
    data object Submit : EnrollmentEvent
}

@Composable
fun EnrollmentRoute(vm: EnrollmentViewModel, actions: PlatformActions) {
    val state by vm.state.collectAsStateWithLifecycle()
    EnrollmentScreen(state) { event ->
        when (event) {
            is EnrollmentEvent.ServerUrl -> vm.onServerUrlChanged(event.value)
            is EnrollmentEvent.Code -> vm.onCodeChanged(event.value)
            is EnrollmentEvent.DeviceName -> vm.onDeviceNameChanged(event.value)
            is EnrollmentEvent.ServerCa -> vm.onServerCaChanged(event.pem)
            EnrollmentEvent.Scan -> vm.scan(actions::scanQr)
            EnrollmentEvent.Submit -> vm.enroll()
        }
    }
}

/**
 * Setting up the phone: scan the QR code of the office's devices page (it fills the address and
 * the code), or type them; name the phone; for an office with its own certificate authority,
 * paste its certificate (PEM).
 */
@Composable
fun EnrollmentScreen(state: EnrollmentState, onEvent: (EnrollmentEvent) -> Unit) {
    // Shown when the office's own CA was pasted before, or the technician asks for it.
    var ownCa by rememberSaveable { mutableStateOf(state.serverCa.isNotEmpty()) }
    FieldScreen(
        title = localized(R.string.enroll_title),
        onBack = null,
        bottomBar = {
            ActionBar(above = { MessageBanner(state.message) }) {
                PrimaryAction(localized(R.string.enroll_submit), { onEvent(EnrollmentEvent.Submit) }, Modifier.weight(1f), enabled = state.canSubmit)
            }
        },
    ) { padding ->
        Column(
            Modifier.fillMaxSize().padding(padding).verticalScroll(rememberScrollState()).padding(FieldDimens.Margin),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            Text(localized(R.string.enroll_intro), style = MaterialTheme.typography.bodyLarge)
            // Scanning is the quick way: first, the whole width.
            SecondaryAction(localized(R.string.enroll_scan), { onEvent(EnrollmentEvent.Scan) }, Modifier.fillMaxWidth(), enabled = !state.busy, icon = FieldIcons.QrCode)
            OutlinedTextField(
                state.serverUrl, { onEvent(EnrollmentEvent.ServerUrl(it)) },
                label = { Text(localized(R.string.enroll_server)) }, singleLine = true, modifier = Modifier.fillMaxWidth(),
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri),
            )
            OutlinedTextField(
                state.code, { onEvent(EnrollmentEvent.Code(it)) },
                label = { Text(localized(R.string.enroll_code)) }, singleLine = true, modifier = Modifier.fillMaxWidth(),
            )
            OutlinedTextField(
                state.deviceName, { onEvent(EnrollmentEvent.DeviceName(it)) },
                label = { Text(localized(R.string.enroll_device_name)) }, singleLine = true, modifier = Modifier.fillMaxWidth(),
            )
            Row(
                Modifier.fillMaxWidth().heightIn(min = 56.dp).toggleable(value = ownCa, role = Role.Switch, onValueChange = { ownCa = it }),
                verticalAlignment = Alignment.CenterVertically,
            ) {
                Text(localized(R.string.enroll_own_ca), Modifier.weight(1f), style = MaterialTheme.typography.bodyLarge)
                Switch(checked = ownCa, onCheckedChange = null)
            }
            if (ownCa) {
                OutlinedTextField(
                    state.serverCa, { onEvent(EnrollmentEvent.ServerCa(it)) },
                    label = { Text(localized(R.string.enroll_server_ca)) },
                    placeholder = { Text("-----BEGIN CERTIFICATE-----") },
                    minLines = 4, maxLines = 8, modifier = Modifier.fillMaxWidth(),
                )
            }
        }
    }
}
