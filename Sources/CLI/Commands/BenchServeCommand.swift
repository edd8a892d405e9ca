import ArgumentParser
import Foundation
import SentimentServerTools

/// `sentiment bench serve`: throughput and latency of a running server on loopback, at several concurrencies.
struct BenchServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load a running server on loopback: requests/s, texts/s, p50/p99 latency per concurrency.",
        discussion: """
            Start the server first (e.g. `sentiment serve --demo`), then run this. Each level keeps N keep-alive \
            connections sending POST /v1/classify back to back for --duration seconds. Loopback addresses only.
            """
    )

    @Option(help: "Server address (loopback only).") var host = "127.0.0.1"
    @Option(help: "Server port.") var port = 8080
    @Option(help: "Comma-separated concurrency levels.") var concurrency = "1,8,32"
    @Option(help: "Seconds per level (at most 120).") var duration = 10.0
    @Option(help: "Texts per request.") var textsPerRequest = 1
    @Option(help: "Model id (default: the server's default classifier).") var model: String?

    func validate() throws {
        guard LoopbackHTTPClient.isLoopback(host) else { throw ValidationError("--host must be a loopback address") }
        guard duration > 0, duration <= 120 else { throw ValidationError("--duration must be in (0, 120]") }
        guard levels.count > 0, levels.allSatisfy({ (1...256).contains($0) }) else {
            throw ValidationError("--concurrency: comma-separated integers in 1...256")
        }
        guard (1...256).contains(textsPerRequest) else { throw ValidationError("--texts-per-request must be 1...256") }
    }

    var levels: [Int] { concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() async throws {
        var generator = LoadGenerator(port: port)
        generator.host = host
        generator.textsPerRequest = textsPerRequest
        generator.model = model
        let probe = try await LoopbackHTTPClient.send(host: host, port: port, path: "/readyz")
        guard probe.status == 200 else { throw ValidationError("server at \(host):\(port) is not ready: \(probe.text)") }
        print("server \(host):\(port), \(textsPerRequest) text(s) per request, \(duration) s per level")
        print(
            "concurrency  requests    req/s   texts/s   p50 ms   p99 ms   max ms  errors  mean batch"
        )
        for level in levels {
            let result = try await generator.run(concurrency: level, duration: .milliseconds(Int64(duration * 1000)))
            print(
                String(
                    format: "%11d %9d %8.1f %9.1f %8.2f %8.2f %8.2f %7d %11.2f", level, result.requests,
                    result.requestsPerSecond, result.textsPerSecond, result.percentile(50), result.percentile(99),
                    result.latencies.last ?? .nan, result.errors, result.meanBatchSize
                )
            )
        }
    }
}
