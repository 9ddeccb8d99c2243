using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Web.Api;

/// <summary>
/// Lists as CSV (RFC 4180) as well as JSON: <c>?format=csv</c>, or an <c>Accept</c> header that prefers <c>text/csv</c>, on a
/// list route; always on its download twin under <c>/export</c>, which the pages' "Download CSV" buttons link to. The
/// columns are the JSON's: a header row of its property names, then per item the same values the JSON has (its scalar
/// properties only: a nested list stays in the JSON). UTF-8, CRLF line ends, quoted where RFC 4180 needs it, and a text that
/// a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return) starts with an apostrophe.
/// </summary>
internal static class Csv
{
    public const string MediaType = "text/csv";

    private static readonly SearchValues<char> s_quoted = SearchValues.Create(",\"\r\n");
    private static readonly SearchValues<char> s_formulaStart = SearchValues.Create("=+-@\t\r");

    /// <summary>Marks a route that answers CSV only: a download for the pages, a UTF-8 byte order mark first so spreadsheets read it as UTF-8.</summary>
    public static readonly object Download = new DownloadRoute();

    /// <summary>
    /// The list as CSV when the request asks for it (<paramref name="csv"/> says the file's name and reads every row the list's
    /// filters match, not one page), else the JSON <paramref name="json"/> makes; 400 for a <c>format</c> other than
    /// <c>json</c> or <c>csv</c>.
    /// </summary>
    public static async Task<IResult> OrJsonAsync<T>(HttpContext http, Func<Task<IResult>> json, Func<Task<CsvRows<T>>> csv)
    {
        var download = http.GetEndpoint()?.Metadata.GetMetadata<DownloadRoute>() is not null;
        switch (download ? "csv" : Format(http.Request))
        {
            case "csv":
                var (name, rows) = await csv();
                var today = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                return new CsvFile<T>(rows, $"{name}-{today}.csv", download);
            case "json":
                return await json();
            default:
                return ApiResults.ValidationFailed(new Dictionary<string, string[]> { ["format"] = ["Ask for 'json' or 'csv'."] });
        }
    }

    /// <summary>The address of a page's download: <c>/export</c> and the list's path, with the filters that are set.</summary>
    public static string DownloadHref(string path, params (string Name, string? Value)[] filters)
    {
        var query = filters.Where(f => !string.IsNullOrWhiteSpace(f.Value)).Select(f => $"{f.Name}={Uri.EscapeDataString(f.Value!.Trim())}").ToList();
        return $"/export{path}{(query.Count > 0 ? "?" + string.Join('&', query) : "")}";
    }

    /// <summary>A tenant's file name: its slug and what the file holds, such as <c>acme-audit</c>.</summary>
    public static async Task<string> TenantFileNameAsync(TenantService tenants, AuthorizedTenant tenant, string what, CancellationToken ct) =>
        $"{(await tenants.GetAsync(tenant, ct))?.Slug ?? "tenant"}-{what}";

    /// <summary>One cell: a would-be formula neutralised with a leading apostrophe, then quoted if it holds a comma, quote or line break.</summary>
    public static string Cell(string value)
    {
        if (value.Length > 0 && s_formulaStart.Contains(value[0]))
        {
            value = "'" + value;
        }

        return value.AsSpan().ContainsAny(s_quoted) ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    /// <summary>json or csv, from <c>format</c> when given, else from <c>Accept</c>: csv when it rates text/csv at least as high as JSON.</summary>
    private static string Format(HttpRequest request)
    {
        if (request.Query.TryGetValue("format", out var format))
        {
            return format.ToString().ToLowerInvariant();
        }

        var accept = request.GetTypedHeaders().Accept;
        double Quality(string mediaType) => accept.Where(a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase)).Select(a => a.Quality ?? 1).DefaultIfEmpty(0).Max();
        return Quality(MediaType) > 0 && Quality(MediaType) >= Quality("application/json") ? "csv" : "json";
    }

    private sealed class DownloadRoute;

    /// <summary>Writes the rows as they are read, never the whole list in memory; no cache keeps it (<c>no-store</c>): it is a copy of the portal's records for whoever asked.</summary>
    private sealed class CsvFile<T>(IAsyncEnumerable<T> rows, string fileName, bool byteOrderMark) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var options = httpContext.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            var type = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
            var columns = type.Properties.Where(p => IsScalar(p.PropertyType)).Select(p => p.Name).ToList();

            var response = httpContext.Response;
            response.ContentType = $"{MediaType}; charset=utf-8; header=present";
            response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = fileName }.ToString();
            response.Headers.CacheControl = "no-store";
            await using var writer = new StreamWriter(response.Body, new UTF8Encoding(byteOrderMark), bufferSize: 16 * 1024);
            writer.NewLine = "\r\n";
            await writer.WriteLineAsync(string.Join(',', columns.Select(Cell)));
            await foreach (var row in rows.WithCancellation(httpContext.RequestAborted))
            {
                var json = JsonSerializer.SerializeToElement(row, type);
                await writer.WriteLineAsync(string.Join(',', columns.Select(c => Cell(json.TryGetProperty(c, out var value) ? Text(value) : ""))));
            }
        }

        private static string Text(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => value.GetRawText(),
        };

        private static bool IsScalar(Type type)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime)
                || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(TimeSpan);
        }
    }
}

/// <summary>What a list route writes as CSV: the file's name, without date or extension, and the rows.</summary>
internal sealed record CsvRows<T>(string Name, IAsyncEnumerable<T> Rows)
{
    public CsvRows(string name, IEnumerable<T> rows)
        : this(name, rows.ToAsyncEnumerable())
    {
    }
}
