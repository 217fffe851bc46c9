using System.Net;
using Isthmus.Operator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Isthmus.Operator.Telemetry;

/// <summary>
/// Exports the operator's metrics and traces and answers the kubelet's probes: a small Kestrel server on
/// <c>--metrics-host</c>:<c>--metrics-port</c> with <c>/metrics</c> (Prometheus text format), <c>/healthz</c>
/// (liveness: 200 while the process serves) and <c>/readyz</c> (readiness, see <see cref="OperatorReadiness"/>:
/// 200 or 503); on <c>--health-port</c>, when set, only <c>/healthz</c> and <c>/readyz</c>; and, when
/// <c>--otlp-endpoint</c> is set, OTLP export of metrics and traces. Without any of them, nothing runs.
/// </summary>
public sealed class TelemetryEndpoint : IAsyncDisposable
{
    private readonly WebApplication? _app;
    private readonly MeterProvider? _meters;
    private readonly TracerProvider? _tracer;

    private TelemetryEndpoint(WebApplication? app, MeterProvider? meters, TracerProvider? tracer)
    {
        _app = app;
        _meters = meters;
        _tracer = tracer;
    }

    /// <summary>The liveness probe's path.</summary>
    public const string LivenessPath = "/healthz";

    /// <summary>The readiness probe's path.</summary>
    public const string ReadinessPath = "/readyz";

    /// <summary>The Prometheus scrape path.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Starts the exporters the options ask for; with both ports 0 no HTTP endpoint runs.</summary>
    public static async Task<TelemetryEndpoint> StartAsync(OperatorOptions options, OperatorReadiness readiness, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(readiness);
        var resource = ResourceBuilder.CreateDefault().AddService("isthmus-operator", serviceInstanceId: options.Identity);
        TracerProvider? tracer = null;
        if (options.OtlpEndpoint is { } traceEndpoint)
        {
            tracer = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource(OperatorTelemetry.Name)
                .AddOtlpExporter(o => o.Endpoint = traceEndpoint)
                .Build();
        }
        if (options.MetricsPort <= 0 && options.HealthPort <= 0)
        {
            MeterProvider? meters = null;
            if (options.OtlpEndpoint is { } endpoint)
            {
                meters = Sdk.CreateMeterProviderBuilder()
                    .SetResourceBuilder(resource)
                    .AddMeter(OperatorTelemetry.Name)
                    .AddOtlpExporter(o => o.Endpoint = endpoint)
                    .Build();
            }
            return new TelemetryEndpoint(null, meters, tracer);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (options.MetricsPort > 0)
            {
                if (options.MetricsHost is "*" or "+" or "")
                {
                    kestrel.ListenAnyIP(options.MetricsPort);
                }
                else if (options.MetricsHost == "localhost")
                {
                    kestrel.ListenLocalhost(options.MetricsPort);
                }
                else
                {
                    kestrel.Listen(IPAddress.Parse(options.MetricsHost), options.MetricsPort);
                }
            }
            if (options.HealthPort > 0)
            {
                // The kubelet probes the pod's address.
                kestrel.ListenAnyIP(options.HealthPort);
            }
        });
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("isthmus-operator", serviceInstanceId: options.Identity))
            .WithMetrics(m =>
            {
                m.AddMeter(OperatorTelemetry.Name).AddPrometheusExporter();
                if (options.OtlpEndpoint is { } endpoint)
                {
                    m.AddOtlpExporter(o => o.Endpoint = endpoint);
                }
            });
        var app = builder.Build();
        if (options.HealthPort > 0)
        {
            // The health port answers the probes only.
            app.Use((context, next) =>
                context.Connection.LocalPort == options.HealthPort && context.Request.Path != LivenessPath && context.Request.Path != ReadinessPath
                    ? Results.NotFound().ExecuteAsync(context)
                    : next(context));
        }
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        app.MapGet(LivenessPath, () => Results.Text("ok\n"));
        app.MapGet(ReadinessPath, () => readiness.IsReady
            ? Results.Text(readiness.Describe())
            : Results.Text(readiness.Describe(), statusCode: StatusCodes.Status503ServiceUnavailable));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new TelemetryEndpoint(app, null, tracer);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        _meters?.Dispose();
        _tracer?.Dispose();
    }
}
