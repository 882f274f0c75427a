import Foundation

/// The bundled OpenAPI document, served at `/api/v1/openapi.yaml`.
public enum APISpec {
    public static var yaml: String? {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else { return nil }
        return try? String(contentsOf: url, encoding: .utf8)
    }
}
