using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SplitCcp.Tests.Web;

/// <summary>An OTLP/HTTP receiver on a free loopback port: accepts every POST to <c>/v1/{signal}</c> and keeps its body.</summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<OtlpRequest> Requests { get; } = new();

    public Uri Address => new(_app.Urls.Single());

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new OtlpReceiver(builder.Build());
        receiver._app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await (request.Headers.ContentEncoding == "gzip" ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body).CopyToAsync(body);
            receiver.Requests.Enqueue(new OtlpRequest(signal, request.ContentType, body.ToArray()));
            return Results.Ok();
        });
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>The bodies posted for the signal (<c>traces</c>, <c>metrics</c>) as text: protobuf keeps names as plain UTF-8.</summary>
    public IReadOnlyList<string> Received(string signal) =>
        Requests.Where(r => r.Signal == signal).Select(r => Encoding.UTF8.GetString(r.Body)).ToList();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

internal sealed record OtlpRequest(string Signal, string? ContentType, byte[] Body);
