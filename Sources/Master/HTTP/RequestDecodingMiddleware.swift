import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Turns failures the generated code raises before a handler runs (a missing or malformed body,
/// a query value that is not a number, an integer out of range) into a 400 `Error` body naming the
/// cause. Without it the runtime answers a bare 500, which blames the server for a bad request.
struct RequestDecodingMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        metadata: ServerRequestMetadata,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch let error as ServerError {
            // No decoded input means the request itself could not be read: the client's fault.
            let clientFault = error.operationInput == nil
            let cause = "\(error.causeDescription): \(Self.describe(error.underlyingError))"
            let status: HTTPResponse.Status = clientFault ? .badRequest : .internalServerError
            let code = clientFault ? "bad_request" : "internal"
            return Self.response(status, code: code, message: "\(operationID): \(cause)")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            "missing field \(Self.path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            "\(Self.path(context.codingPath)): \(context.debugDescription)"
        default:
            "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    static func response(_ status: HTTPResponse.Status, code: String, message: String) -> (HTTPResponse, HTTPBody?) {
        let data = ErrorResponse.body(code: code, message: message)
        var response = HTTPResponse(status: status)
        response.headerFields[.contentType] = "application/json"
        return (response, HTTPBody(data))
    }
}
