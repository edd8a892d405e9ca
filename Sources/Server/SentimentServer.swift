import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The HTTP server: `makeApplication()` builds the Hummingbird application (routes, middleware, batchers' shutdown
/// service); `run()` serves until SIGTERM/SIGINT, draining in-flight requests before exiting.
///
/// Typical use (what `sentiment serve` does):
/// ```
/// let server = SentimentServer(configuration: configuration, logger: logger)
/// server.host.install(registry)        // may also happen later, e.g. after loading models in the background
/// try await server.run()
/// ```
public struct SentimentServer: Sendable {
    public let configuration: ServerConfiguration
    public let host: ModelHost
    public let metrics: ServerMetrics
    public let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "sentiment.server")) {
        self.configuration = configuration
        self.metrics = ServerMetrics()
        self.host = ModelHost(limits: configuration.batching, metrics: metrics)
        self.logger = logger
    }

    /// The application. `onServerRunning` gets the bound port (useful with port 0).
    public func makeApplication(
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        let routes = APIRoutes(host: host, configuration: configuration, metrics: metrics)
        router.add(
            middleware: RequestMiddleware(metrics: metrics, allowedMethods: APIRoutes.methods)
        )
        routes.register(on: router)
        let logger = self.logger
        return Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: configuration.serverName
            ),
            services: [ModelHostService(host: host, logger: logger)],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("listening", metadata: ["host": .string(configuration.host), "port": .stringConvertible(port)])
                await onServerRunning(port)
            },
            logger: logger
        )
    }

    /// Serve until SIGTERM or SIGINT, then shut down gracefully. Throws `ServerResourceError` at once when the
    /// resource bundle (the page, openapi.json) is not beside the executable.
    public func run() async throws {
        _ = try ServerResources.bundled()
        try await makeApplication().runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// Run the server in this process while `body` runs against its port, then shut it down gracefully
    /// (tests, and `sentiment bench serve --in-process`).
    public func withRunningServer<Result: Sendable>(
        _ body: @escaping @Sendable (_ port: Int) async throws -> Result
    ) async throws -> Result {
        _ = try ServerResources.bundled()
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = makeApplication { port in portContinuation.yield(port) }
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger)
        )
        return try await withThrowingTaskGroup(of: Result?.self) { tasks in
            tasks.addTask {
                defer { portContinuation.finish() }  // a server that fails to start must not leave us waiting
                try await group.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await tasks.waitForAll()  // rethrows why the server stopped
                throw CancellationError()
            }
            let outcome: Swift.Result<Result, any Error>
            do { outcome = .success(try await body(port)) } catch { outcome = .failure(error) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try outcome.get()
        }
    }
}
