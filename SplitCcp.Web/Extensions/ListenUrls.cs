namespace SplitCcp.Web.Extensions;

/// <summary>The addresses the host will listen on, read from configuration as the host reads them.</summary>
internal static class ListenUrls
{
    /// <summary>urls (ASPNETCORE_URLS, --urls), else HTTP_PORTS and HTTPS_PORTS, else Kestrel's own default.</summary>
    public static List<string> Configured(IConfiguration configuration)
    {
        static IEnumerable<string> Split(string? value) => (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        var urls = Split(configuration[WebHostDefaults.ServerUrlsKey]).ToList();
        if (urls.Count == 0)
        {
            urls.AddRange(Split(configuration[WebHostDefaults.HttpPortsKey]).Select(p => $"http://*:{p}"));
            urls.AddRange(Split(configuration[WebHostDefaults.HttpsPortsKey]).Select(p => $"https://*:{p}"));
        }

        // Kestrel's own default when nothing is configured.
        return urls.Count > 0 ? urls : ["http://localhost:5000"];
    }

    /// <summary>True when the portal itself serves HTTPS: an https URL or port, or a Kestrel endpoint with one (which replaces the URLs).</summary>
    public static bool IncludeHttps(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"] ?? "").ToList();
        return (endpoints.Count > 0 ? endpoints : Configured(configuration))
            .Any(url => url.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
    }
}
