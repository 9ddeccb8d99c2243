using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SplitCcp.Core.Notifications;
using SplitCcp.Core.Observability;

namespace SplitCcp.Web.Metrics;

/// <summary>
/// OTLP export of the portal's spans (its own, and ASP.NET Core's and HttpClient's around and under them) and of its meter,
/// when <see cref="TelemetryOptions.OtlpEndpoint"/> is set. Logs are not exported: they stay with the host's logging.
/// </summary>
internal static class OtlpExport
{
    public static IHostApplicationBuilder AddOtlpExport(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>();
        if (options?.Endpoint is not { } endpoint)
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(PortalTelemetry.Name))
            .WithTracing(tracing => tracing
                .AddSource(PortalTelemetry.Name)
                .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation(http => http.EnrichWithHttpRequestMessage = HideWebhookPath)
                .AddOtlpExporter(otlp => Point(otlp, options.OtlpProtocol, endpoint, "v1/traces")))
            .WithMetrics(metrics => metrics
                .AddMeter(PortalTelemetry.Name)
                .AddOtlpExporter(otlp => Point(otlp, options.OtlpProtocol, endpoint, "v1/metrics")));
        return builder;
    }

    /// <summary>
    /// A webhook's span shows its address as scheme and host only: for Slack and Teams the path is the credential, and a
    /// trace goes to whoever runs the collector.
    /// </summary>
    private static void HideWebhookPath(System.Diagnostics.Activity activity, HttpRequestMessage request)
    {
        if (request.Headers.Contains(WebhookChannel.EventHeader) && request.RequestUri is { } address)
        {
            activity.SetTag("url.full", EndpointSecrets.Shown(address.AbsoluteUri));
        }
    }

    /// <summary>Scrapes and health probes every few seconds would drown the traces that matter.</summary>
    private static bool IsProbe(PathString path) => path.StartsWithSegments(MetricsEndpoint.Path) || path.StartsWithSegments("/healthz");

    /// <summary>An endpoint set in code is taken as it is, so over HTTP it must name the signal's path itself.</summary>
    private static void Point(OtlpExporterOptions otlp, OtlpExportProtocol protocol, Uri endpoint, string signalPath)
    {
        otlp.Protocol = protocol;
        otlp.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/"), signalPath)
            : endpoint;
    }
}
