using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SplitCcp.Web.Health;

/// <summary>
/// The readiness answer as plain text: the overall status on the first line, then, when not healthy, one line per failing
/// check with its reason, so whoever reads a 503 learns why without the logs.
/// </summary>
internal static class ReadyResponse
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries
            .Where(entry => entry.Value.Status != HealthStatus.Healthy)
            .Select(entry => $"{entry.Key}: {entry.Value.Description ?? entry.Value.Status.ToString()}")
            .Prepend(report.Status.ToString());
        return context.Response.WriteAsync(string.Join('\n', lines));
    }
}
