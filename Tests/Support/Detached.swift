import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `path` with `arguments` to completion through posix_spawn and waitpid, giving it only
/// stdin from /dev/null, stdout and stderr into `output` (or /dev/null), and no blocked signal.
/// For tools that leave a daemon behind (pcscd, `pg_ctl start`): under Foundation's Process the
/// daemon would inherit the socket Process watches for its child's end, and every pipe another
/// test is reading, so neither would ever see an end; and the test process's blocked SIGTERM.
/// Answers the exit status, or nil when the tool could not be started.
public func runDetached(_ path: String, _ arguments: [String], output: String? = nil) -> Int32? {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    for fd: Int32 in [1, 2] {
        posix_spawn_file_actions_addopen(&actions, fd, output ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
    }
    // Nothing else (glibc's posix_spawn_file_actions_addclosefrom_np, which Swift's Glibc module does not show).
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np"),
          unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3) == 0 else { return nil }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    guard posix_spawn(&pid, path, &actions, &attributes, argv, environ) == 0 else { return nil }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}
