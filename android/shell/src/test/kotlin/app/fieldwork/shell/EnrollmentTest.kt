package app.fieldwork.shell

import kotlinx.coroutines.test.runTest
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Files
import kotlin.time.Duration.Companion.seconds

/** Enrollment through the view model, against the real office over HTTP and HTTPS. */
class EnrollmentTest : ShellTest() {
    @Test
    fun aTechnicianEntersTheCodeAndThePhoneIsEnrolled() = runTest(timeout = 90.seconds) {
        val office = office().start()
        office.technician("t1")
        office.job("J-1", "t1")
        val phone = phone()
        var afterEnroll = 0
        val vm = owned(EnrollmentViewModel(phone.repository, defaultDeviceName = "Pixel 8", afterEnroll = { afterEnroll++ }))
        assertNull(vm.state.await { !it.checking }.enrolled)

        vm.enroll().join()
        assertEquals(MessageKey.ENROLL_FIELDS_MISSING, vm.state.value.message?.key)

        vm.onServerUrlChanged(office.url + "/")
        vm.onCodeChanged("NOT-A-CODE")
        vm.enroll().join()
        assertEquals(MessageKey.ENROLL_CODE_REJECTED, vm.state.value.message?.key)
        assertNull(vm.state.value.enrolled)

        vm.onCodeChanged(" ${office.enrollCode("t1")} ")
        assertNull(vm.state.value.message, "typing clears the message")
        vm.enroll().join()
        val enrolled = vm.state.value
        assertEquals("t1", enrolled.enrolled?.technician)
        assertEquals(office.url, enrolled.enrolled?.serverUrl)
        assertEquals("", enrolled.code, "a used code is not kept")
        assertEquals(1, afterEnroll)

        // Enrolled phones start on the job list: a new view model finds the enrollment.
        val again = owned(EnrollmentViewModel(phone.repository, defaultDeviceName = "Pixel 8"))
        assertEquals(enrolled.enrolled, again.state.await { !it.checking }.enrolled)
        assertEquals(1uL, phone.repository.sync().downloaded)
    }

    @Test
    fun anUntrustedCertificateIsATlsProblemAndTheOfficeCaFixesIt() = runTest(timeout = 90.seconds) {
        val pki = Pki.create(dir.resolve("pki"))
        val office = office(pki).start()
        office.technician("t1")
        val phone = phone()
        val vm = owned(EnrollmentViewModel(phone.repository, defaultDeviceName = "Pixel 8", defaultServerUrl = office.url))
        vm.state.await { !it.checking }

        vm.onCodeChanged("ANY-CODE")
        vm.enroll().join()
        val refused = vm.state.value.message
        assertEquals(MessageKey.TLS, refused?.key, "not Offline: $refused")
        assertNotNull(refused?.shownDetail)

        vm.onServerCaChanged(Files.readString(pki.caPem))
        vm.onCodeChanged(office.enrollCode("t1"))
        vm.enroll().join()
        assertEquals("t1", vm.state.value.enrolled?.technician, "${vm.state.value.message}")
        assertTrue(phone.repository.sync().requests >= 1uL)
    }
}
