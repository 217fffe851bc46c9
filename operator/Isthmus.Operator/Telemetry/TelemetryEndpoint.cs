using System.Net;
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
/// Exports the operator's metrics and traces: a small Kestrel server on <c>--metrics-host</c>:<c>--metrics-port</c>
/// with <c>/metrics</c> (Prometheus text format) and <c>/healthz</c> (liveness), and, when
/// <c>--otlp-endpoint</c> is set, OTLP export of metrics and traces. Without either, nothing runs.
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

    /// <summary>Starts the exporters the options ask for; port 0 disables the HTTP endpoint.</summary>
    public static async Task<TelemetryEndpoint> StartAsync(OperatorOptions options, CancellationToken cancellationToken)
    {
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
        if (options.MetricsPort <= 0)
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
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/healthz", () => Results.Text("ok\n"));
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
