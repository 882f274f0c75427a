import Hummingbird
import Prometheus

/// Counts answered requests by method and status class for `/metrics`.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        self.registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "braid", subsystem: "master", metricName: "http_requests", unitName: "total",
                helpText: "HTTP requests answered"),
            labels: [("method", request.method.rawValue), ("status", "\(response.status.code / 100)xx")]
        ).increment()
        return response
    }
}
