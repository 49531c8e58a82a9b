package org.plateau.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MklKernelsTest {

    @Test
    void avx2KernelsOnlyForAmdUnderLinuxWhenTheUserSetNothing() {
        assertEquals(Optional.of("AVX2"), MklKernels.choice("Linux", "amd64", "AuthenticAMD", null));
        assertEquals(Optional.of("AVX2"), MklKernels.choice("Linux", "x86_64", "AuthenticAMD", null));
        // Intel keeps MKL's choice (its AVX-512 kernels would be lost)
        assertEquals(Optional.empty(), MklKernels.choice("Linux", "amd64", "GenuineIntel", null));
        assertEquals(Optional.empty(), MklKernels.choice("Linux", "amd64", "", null));
        // the user's value wins, whatever it is
        assertEquals(Optional.empty(), MklKernels.choice("Linux", "amd64", "AuthenticAMD", "AUTO"));
        assertEquals(Optional.empty(), MklKernels.choice("Linux", "amd64", "AuthenticAMD", "AVX2"));
        // no MKL to steer elsewhere
        assertEquals(Optional.empty(), MklKernels.choice("Linux", "aarch64", "", null));
        assertEquals(Optional.empty(), MklKernels.choice("Mac OS X", "x86_64", "", null));
        assertEquals(Optional.empty(), MklKernels.choice("Windows 11", "amd64", "AuthenticAMD", null));
    }

    @Test
    void theVendorIsTheOneInCpuinfo() throws Exception {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        assumeTrue(Files.isReadable(cpuinfo), "needs /proc/cpuinfo (Linux)");
        Optional<String> listed;
        try (var lines = Files.lines(cpuinfo)) {
            listed = lines.filter(l -> l.startsWith("vendor_id")).map(l -> l.split(":", 2)[1].strip()).findFirst();
        }
        assertEquals(listed.orElse(""), MklKernels.cpuVendor());
    }

    /** Native code reads the C environment, which Java's System.getenv does not see change. */
    interface CLibrary extends Library {
        String getenv(String name);
    }

    @Test
    void aModelLoadedSetsWhatMklReadsBeforeItsFirstProduct() {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "the C environment is read through glibc here");
        try (Gpt2 model = Gpt2.random(new Gpt2Config(2, 2, 16, 32, 8, 1e-5), 1, ai.djl.Device.cpu())) {
            assertEquals(2, model.config().nLayer()); // the class is loaded, and with it the setting
        }
        String seen = Native.load("c", CLibrary.class).getenv(MklKernels.VARIABLE);
        String user = System.getenv(MklKernels.VARIABLE);
        boolean amd = "AuthenticAMD".equals(MklKernels.cpuVendor()) && System.getProperty("os.arch").equals("amd64");
        if (user != null) {
            assertEquals(user, seen, "the user's value is kept");
            assertTrue(MklKernels.describe().contains("set by the user"), MklKernels.describe());
        } else if (amd) {
            assertEquals("AVX2", seen);
            assertTrue(MklKernels.describe().startsWith("MKL_CBWR=AVX2"), MklKernels.describe());
        } else {
            assertEquals(null, seen);
            assertFalse(MklKernels.describe().contains("AVX2"), MklKernels.describe());
        }
    }
}
