import Foundation
import Hummingbird
import NIOCore
import SentimentCore

/// Every error the API returns, as `{"error": {"code": ..., "message": ...}}` with a fitting status.
/// `code` is stable and machine-readable; `message` says what to fix (which field, which limit).
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Seconds, for 503 answers (`Retry-After`).
    public var retryAfter: Int?

    public init(status: HTTPResponse.Status, code: String, message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    // 400: the request cannot be read.
    static func invalidJSON(_ detail: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_json", message: "Request body is not valid JSON: \(detail)")
    }
    static func invalidUTF8() -> APIError {
        APIError(status: .badRequest, code: "invalid_utf8", message: "Request body is not valid UTF-8.")
    }
    static func invalidRequest(_ detail: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_request", message: detail)
    }
    // 404 / 405.
    static func notFound(_ path: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: "No route for \(path). See /openapi.json.")
    }
    static func methodNotAllowed(_ method: String, _ path: String) -> APIError {
        APIError(status: .methodNotAllowed, code: "method_not_allowed", message: "\(method) is not allowed on \(path).")
    }
    static func modelNotFound(_ name: String, task: String, available: [String]) -> APIError {
        APIError(
            status: .notFound, code: "model_not_found",
            message: "No \(task) model named '\(name)'. Available: \(available.sorted().joined(separator: ", "))."
        )
    }
    // 413.
    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, code: "body_too_large", message: "Request body exceeds \(limit) bytes.")
    }
    // 422: readable, but breaks a rule.
    static func unprocessable(_ code: String, _ message: String) -> APIError {
        APIError(status: .unprocessableContent, code: code, message: message)
    }
    // 503.
    static func overloaded(retryAfter: Int) -> APIError {
        APIError(
            status: .serviceUnavailable, code: "overloaded",
            message: "The server is at capacity (queue full). Retry after \(retryAfter) s.", retryAfter: retryAfter
        )
    }
    static func shuttingDown() -> APIError {
        APIError(
            status: .serviceUnavailable, code: "shutting_down", message: "The server is shutting down.", retryAfter: 1
        )
    }
    static func notReady() -> APIError {
        APIError(status: .serviceUnavailable, code: "not_ready", message: "Models are still loading.", retryAfter: 1)
    }
    // 500.
    static func internalError(_ detail: String) -> APIError {
        APIError(status: .internalServerError, code: "internal", message: "Internal error: \(detail)")
    }

    /// Map anything a handler threw to the API's error vocabulary.
    /// (Over-long bodies never get here: `RequestDecoding` reads every body and answers 413 itself.)
    static func from(_ error: any Error, request: Request) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as BatchInputError:
            // One input of the request was refused by the model (422 naming it) or made it fail (as that error).
            if let rejection = error.underlying as? any InputRejection, let code = rejection.rejectionCode {
                return .unprocessable(code, rejection.rejectionMessage(textName: "texts[\(error.index)]") + ".")
            }
            return from(error.underlying, request: request)
        case BatcherError.queueFull(let seconds): return .overloaded(retryAfter: seconds)
        case BatcherError.shuttingDown: return .shuttingDown()
        case let error as HTTPError where error.status == .notFound: return .notFound(request.uri.path)
        case let error as HTTPError:
            return APIError(status: error.status, code: "http_\(error.status.code)", message: error.body ?? "\(error.status)")
        default: return .internalError(String(describing: error))
        }
    }

    func response() -> Response {
        struct Envelope: Encodable {
            struct Body: Encodable {
                var code: String
                var message: String
            }
            var error: Body
        }
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        let data = (try? JSONEncoder().encode(Envelope(error: .init(code: code, message: message)))) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
