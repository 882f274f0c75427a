import Hummingbird
import Prometheus

/// Counts answered requests by method and status class for `/metrics`.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        self.registry.makeCounter(
            name: "braid_master_http_requests_total",
            labels: [("method", request.method.rawValue), ("status", "\(response.status.code / 100)xx")]
        ).increment()
        return response
    }
}
