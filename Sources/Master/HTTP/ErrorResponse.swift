import Foundation
import HTTPTypes
import Hummingbird

/// The `Error` body (`{code, message, field}`) for answers the middleware gives before a request
/// reaches the generated handlers: 401, 413, 429.
enum ErrorResponse {
    static func make(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) -> Response {
        struct Body: Encodable { var code: String; var message: String }
        let data = (try? JSONEncoder().encode(Body(code: code, message: message))) ?? Data()
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
