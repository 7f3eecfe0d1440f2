import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The terminal the till runs on: raw keyboard input, the alternate screen, and the promise that
/// the terminal is given back as it was — on exit, on Ctrl-C, on SIGTERM and on a crash (the
/// signal handlers restore it before the process dies).
public final class Terminal: @unchecked Sendable {
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var active: sig_atomic_t = 0
    nonisolated(unsafe) static var resized: sig_atomic_t = 0
    /// Static bytes: a signal handler must not allocate.
    static let leave: StaticString = "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l"

    public init() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TillFailure("The till needs a terminal (run it in a console, not with its input or output redirected).")
        }
        guard tcgetattr(STDIN_FILENO, &Terminal.saved) == 0 else { throw TillFailure("Cannot read the terminal's settings: \(String(cString: strerror(errno))).") }
    }

    /// Raw input (no echo, no line editing, Ctrl-C as a key), output still translating newlines.
    public func enter() {
        var raw = Terminal.saved
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        Self.installHandlers()
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw)
        Terminal.active = 1
        write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[2J")
    }

    /// Gives the terminal back as it was. Safe to call twice.
    public func leave() {
        guard Terminal.active == 1 else { return }
        Terminal.restoreNow()
    }

    /// Only async-signal-safe calls: used from signal handlers too.
    static func restoreNow() {
        Terminal.active = 0
        _ = Glibc.write(STDOUT_FILENO, leave.utf8Start, leave.utf8CodeUnitCount)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &Terminal.saved)
    }

    static func installHandlers() {
        for sig in [SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGTRAP] {
            signal(sig) { received in
                if Terminal.active == 1 { Terminal.restoreNow() }
                signal(received, SIG_DFL)
                raise(received)
            }
        }
        signal(SIGWINCH) { _ in Terminal.resized = 1 }
        signal(SIGPIPE, SIG_IGN)
    }

    /// True once after the window changed size.
    public func takeResize() -> Bool {
        guard Terminal.resized == 1 else { return false }
        Terminal.resized = 0
        return true
    }

    public var size: (columns: Int, rows: Int) {
        var ws = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 else { return (80, 24) }
        return (Int(ws.ws_col), Int(ws.ws_row))
    }

    public func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR || errno == EAGAIN { continue } else { return } }
            bytes = bytes.dropFirst(n)
        }
    }

    /// Draws a whole screen in one write (no flicker), each line at its row.
    public func draw(_ lines: [TillScreen.Line]) {
        var frame = "\u{1B}[H"
        for (row, line) in lines.enumerated() {
            let style = switch line.style {
            case .plain: "\u{1B}[0m"
            case .bar: "\u{1B}[0;7m"
            case .error: "\u{1B}[0;1;31m"
            case .highlight: "\u{1B}[0;1m"
            }
            frame += "\u{1B}[\(row + 1);1H" + style + line.text + "\u{1B}[0m"
        }
        write(frame)
    }
}

/// A till that cannot start or go on: the message says why.
public struct TillFailure: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
