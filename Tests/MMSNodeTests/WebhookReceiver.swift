import Foundation
import Testing

/// A chain's message gateway for the tests: a real HTTP server on 127.0.0.1 (Python's, started
/// as its own process) that answers 503 to the first `failFirst` attempts at each message key,
/// then 200, and writes down every attempt and every message it accepted.
final class WebhookReceiver {
    let port: Int
    private let process: Process
    private let log: String

    struct Accepted: Equatable { let key: String; let phone: String; let text: String }

    init(directory: String, failFirst: Int) throws {
        log = directory + "/gateway-\(UUID().uuidString).jsonl"
        let portFile = log + ".port"
        let script = """
            import http.server, json, sys
            log, port_file, fail_first = sys.argv[1], sys.argv[2], int(sys.argv[3])
            tries = {}
            class Gateway(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                    key = self.headers.get('Idempotency-Key', '')
                    tries[key] = tries.get(key, 0) + 1
                    ok = tries[key] > fail_first
                    with open(log, 'a') as f:
                        f.write(json.dumps({'key': key, 'attempt': tries[key], 'accepted': ok, 'phone': body['phone'], 'text': body['text']}, ensure_ascii=False) + '\\n')
                    self.send_response(200 if ok else 503)
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                def log_message(self, *args): pass
            server = http.server.HTTPServer(('127.0.0.1', 0), Gateway)
            open(port_file, 'w').write(str(server.server_address[1]))
            server.serve_forever()
            """
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, log, portFile, String(failFirst)]
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap(Int.init) == nil { usleep(50_000) }
        port = try #require((try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap(Int.init), "the gateway did not start")
    }

    private func lines() -> [[String: Any]] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func attempts() -> [String] { lines().compactMap { $0["key"] as? String } }

    func accepted() -> [Accepted] {
        lines().filter { $0["accepted"] as? Bool == true }.map { Accepted(key: $0["key"] as! String, phone: $0["phone"] as! String, text: $0["text"] as! String) }
    }

    /// SIGKILL: the test process blocks SIGTERM and its children inherit the mask.
    func stop() { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
}
