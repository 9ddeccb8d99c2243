using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SplitCcp.Core.Aws;

namespace SplitCcp.Tests.Core.Aws;

/// <summary>
/// A real web server (Kestrel on a free loopback port) standing in for where the CCP pages are published: each request
/// is answered by the test's handler, and its path is recorded.
/// </summary>
internal sealed class LoopbackSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackSite(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public ConcurrentQueue<string> Paths { get; } = new();

    public static async Task<LoopbackSite> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        LoopbackSite? site = null;
        app.Run(context =>
        {
            site!.Paths.Enqueue(context.Request.Path.Value ?? "");
            return handler(context);
        });
        await app.StartAsync();
        site = new LoopbackSite(app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
        return site;
    }

    /// <summary>Answers with a body and content type.</summary>
    public static async Task Serve(HttpContext context, byte[] body, string contentType, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Accepts the request and never answers, until the client gives up.</summary>
    public static async Task NeverAnswer(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// A client that sends every request to this site, keeping its path and Host header: it stands in for DNS, so the
    /// pages' https:// address reaches the loopback server (over plain HTTP) through the production fetcher's own handler.
    /// </summary>
    public HttpClient Client() => new(new ToLoopback(Address)) { Timeout = Timeout.InfiniteTimeSpan };

    public async ValueTask DisposeAsync()
    {
        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(stopping.Token);
        }

        await _app.DisposeAsync();
    }

    private sealed class ToLoopback(Uri address) : DelegatingHandler(HttpPublishedSite.CreateHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // Standing in for DNS, this sends a public name to the loopback server: a connection the portal's fetcher allows.
            var original = request.RequestUri!;
            request.Options.Set(HttpPublishedSite.LocalAllowed, true);
            request.Headers.Host = original.Host;
            request.RequestUri = new Uri(address, original.PathAndQuery);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
