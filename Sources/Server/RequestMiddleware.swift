import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Outermost middleware: gives each request an id (echoing a sane `X-Request-ID`), turns every thrown error into
/// the JSON error body, records request metrics, and writes one structured access-log line.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let metrics: ServerMetrics
    /// Method of each route: another method there is 405 (with `Allow`), an unknown path 404.
    let allowedMethods: [String: String]

    static let requestIDField = HTTPField.Name("X-Request-ID")!

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let requestID = request.headers[Self.requestIDField].flatMap(Self.acceptableID) ?? Self.newID()
        var context = context
        // Hummingbird's per-request log key, now holding the id the client sees (and may have chosen).
        context.logger[metadataKey: "hb.request.id"] = .string(requestID)

        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            var apiError = APIError.from(error, request: request)
            let allowed = allowedMethods[request.uri.path]
            if apiError.code == "not_found", allowed != nil {
                apiError = .methodNotAllowed(request.method.rawValue, request.uri.path)
            }
            if apiError.status.code >= 500 && apiError.status != .serviceUnavailable {
                context.logger.error("request failed", metadata: ["error": .string(String(describing: error))])
            }
            response = apiError.response()
            if response.status == .methodNotAllowed, let allowed { response.headers[.allow] = allowed }
        }
        response.headers[Self.requestIDField] = requestID

        let elapsed = ContinuousClock.now - started
        // The matched route pattern keeps metric cardinality bounded; unmatched paths share one series.
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        metrics.recordRequest(route: route, method: request.method.rawValue, status: response.status.code, duration: elapsed)
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(String(format: "%.2f", elapsed.milliseconds)),
            ]
        )
        return response
    }

    /// Client-supplied ids are logged and echoed, so keep them short and plain.
    static func acceptableID(_ id: String) -> String? {
        guard (1...128).contains(id.utf8.count),
            id.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "-_.:".unicodeScalars.contains($0)) })
        else { return nil }
        return id
    }

    static func newID() -> String {
        UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16).description
    }
}
