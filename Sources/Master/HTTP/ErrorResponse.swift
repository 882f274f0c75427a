import Foundation
import HTTPTypes
import Hummingbird

/// The `Error` body (`{code, message, field}`) for answers the middleware gives before a request
/// reaches the generated handlers: 401, 413, 429.
enum ErrorResponse {
    /// The encoded `{code, message}` body, shared with the OpenAPI-level middleware.
    static func body(code: String, message: String) -> Data {
        struct Body: Encodable { var code: String; var message: String }
        return (try? JSONEncoder().encode(Body(code: code, message: message))) ?? Data()
    }

    static func make(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) -> Response {
        let data = Self.body(code: code, message: message)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
