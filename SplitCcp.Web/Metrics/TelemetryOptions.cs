using System.ComponentModel.DataAnnotations;
using OpenTelemetry.Exporter;

namespace SplitCcp.Web.Metrics;

/// <summary>
/// Where the portal sends its traces and metrics over OTLP, from <c>SplitCcp:Telemetry</c>. Off unless
/// <see cref="OtlpEndpoint"/> is set: then nothing of OpenTelemetry is registered at all.
/// </summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string SectionName = "SplitCcp:Telemetry";

    /// <summary>
    /// The collector's base address, such as <c>http://otel-collector:4318</c>; over HTTP the portal posts to its
    /// <c>/v1/traces</c> and <c>/v1/metrics</c>. Empty counts as unset, as an empty variable in a compose file would.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><see cref="OtlpExportProtocol.HttpProtobuf"/> (port 4318 by convention) or <see cref="OtlpExportProtocol.Grpc"/> (4317).</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.HttpProtobuf;

    internal Uri? Endpoint => Uri.TryCreate(OtlpEndpoint?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint) && Endpoint is null)
        {
            yield return new ValidationResult($"{SectionName}:OtlpEndpoint must be an http:// or https:// address, such as http://otel-collector:4318.",
                [nameof(OtlpEndpoint)]);
        }
    }
}
