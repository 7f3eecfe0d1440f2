import Foundation
import Testing

/// A real wall clock set wrong for one process: a small library, built here with the system's C
/// compiler and preloaded into a node, that moves `CLOCK_REALTIME` (what `Date()`, TLS and the
/// node read) by `CLOCK_SHIM_OFFSET_MS` and leaves the monotonic clock alone, as a branch PC whose
/// date was set wrong would. (libfaketime does the same but hides the arguments from Swift programs.)
enum ClockShim {
    static let source = """
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <stdlib.h>
        #include <sys/time.h>
        #include <time.h>
        static long long offset(void) { const char *s = getenv("CLOCK_SHIM_OFFSET_MS"); return s ? atoll(s) : 0; }
        int clock_gettime(clockid_t id, struct timespec *ts) {
            static int (*real)(clockid_t, struct timespec *);
            if (!real) real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
            int r = real(id, ts);
            if (r == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) {
                long long ns = (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec + offset() * 1000000LL;
                ts->tv_sec = ns / 1000000000LL; ts->tv_nsec = ns % 1000000000LL;
            }
            return r;
        }
        int gettimeofday(struct timeval *tv, void *tz) {
            struct timespec ts; clock_gettime(CLOCK_REALTIME, &ts);
            if (tv) { tv->tv_sec = ts.tv_sec; tv->tv_usec = ts.tv_nsec / 1000; }
            return 0;
        }
        time_t time(time_t *t) { struct timespec ts; clock_gettime(CLOCK_REALTIME, &ts); if (t) *t = ts.tv_sec; return ts.tv_sec; }
        """

    /// Builds the library in `directory`; its path.
    static func build(in directory: String) throws -> String {
        let c = directory + "/clock-shim.c", library = directory + "/clock-shim.so"
        try source.write(toFile: c, atomically: true, encoding: .utf8)
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-shared", "-fPIC", "-o", library, c, "-ldl"]
        try cc.run()
        cc.waitUntilExit()
        try #require(cc.terminationStatus == 0, "the system's C compiler (cc) could not build the clock shim")
        return library
    }
}
