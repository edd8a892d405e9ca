import Foundation
import Hummingbird
import NIOCore

/// Reads a JSON request body under the server's limits, turning every way it can be wrong into an `APIError`:
/// too large (413), not UTF-8 / not JSON / wrong types (400).
struct RequestDecoding: Sendable {
    let configuration: ServerConfiguration

    func decode<Body: Decodable>(_ type: Body.Type, from request: Request) async throws -> Body {
        let limit = configuration.maxBodyBytes
        // Refuse early on a declared length, before reading anything.
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        }
        let bytes = buffer.readableBytesView
        // JSONDecoder would report bad UTF-8 as generic corruption; say exactly what is wrong.
        if String(validating: bytes, as: UTF8.self) == nil { throw APIError.invalidUTF8() }
        if bytes.isEmpty { throw APIError.invalidJSON("the body is empty") }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw Self.describe(error)
        }
    }

    /// DecodingError → 400 with the JSON path of the offending field.
    static func describe(_ error: DecodingError) -> APIError {
        func path(_ codingPath: [any CodingKey]) -> String {
            let parts = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
            return parts.isEmpty ? "the body" : "'" + String(parts.joined().drop { $0 == "." }) + "'"
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .invalidJSON(context.debugDescription)
        case .dataCorrupted(let context):
            return .invalidRequest("Invalid value at \(path(context.codingPath)): \(context.debugDescription)")
        case .keyNotFound(let key, let context):
            return .invalidRequest("Missing field '\(key.stringValue)' in \(path(context.codingPath)).")
        case .typeMismatch(let type, let context):
            return .invalidRequest("Wrong type at \(path(context.codingPath)): expected \(Self.jsonName(type)).")
        case .valueNotFound(let type, let context):
            return .invalidRequest("Null at \(path(context.codingPath)): expected \(Self.jsonName(type)).")
        @unknown default:
            return .invalidRequest("\(error)")
        }
    }

    private static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Float.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is [String].Type, is [Any].Type: return "an array"
        default: return type is any Collection.Type ? "an array" : "an object"
        }
    }

    /// The rules every list of texts follows (422 with which rule and which text).
    func validate(texts: [String]) throws {
        if texts.isEmpty { throw APIError.unprocessable("empty_texts", "'texts' must contain at least one text.") }
        if texts.count > configuration.maxTextsPerRequest {
            throw APIError.unprocessable(
                "too_many_texts",
                "'texts' has \(texts.count) texts; the limit is \(configuration.maxTextsPerRequest) per request."
            )
        }
        for (index, text) in texts.enumerated() {
            if text.allSatisfy(\.isWhitespace) {
                throw APIError.unprocessable("empty_text", "texts[\(index)] is empty.")
            }
            // Count bounded work: stop at the limit instead of counting a huge text fully.
            if text.utf8.count > configuration.maxTextLength
                && text.unicodeScalars.dropFirst(configuration.maxTextLength).isEmpty == false
            {
                throw APIError.unprocessable(
                    "text_too_long",
                    "texts[\(index)] is longer than \(configuration.maxTextLength) characters (Unicode code points)."
                )
            }
        }
    }
}
