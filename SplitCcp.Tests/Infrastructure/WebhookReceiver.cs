using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>
/// A webhook receiver on a free loopback port (Kestrel): keeps every request it gets, its headers and exact body bytes,
/// and answers each with the next of the answers the test queued, or 200 "ok" when none is left.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<WebhookAnswer> _answers = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>The receiver's address for a webhook: http://127.0.0.1:{port}/hook.</summary>
    public string Url => new Uri(new Uri(_app.Urls.Single()), "/hook").ToString();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        // A receiver stands for a service elsewhere: its requests must not show in the traces of a portal in this process,
        // which listens to ASP.NET Core's activities by their source's name.
        builder.Services.Replace(ServiceDescriptor.Singleton(new DiagnosticListener("SplitCcp.Tests.WebhookReceiver")));
        builder.Services.Replace(ServiceDescriptor.Singleton(new ActivitySource("SplitCcp.Tests.WebhookReceiver")));
        var receiver = new WebhookReceiver(builder.Build());
        receiver._app.Run(receiver.ReceiveAsync);
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>Answers the next requests with these, in order.</summary>
    public void Answer(params WebhookAnswer[] answers)
    {
        foreach (var answer in answers)
        {
            _answers.Enqueue(answer);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have come.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (Received.Count < count)
        {
            await Task.Delay(20, deadline.Token);
        }

        return [.. Received];
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Received.Enqueue(new ReceivedWebhook(context.Request.Method, context.Request.Path.Value ?? "", headers, body.ToArray()));
        var answer = _answers.TryDequeue(out var next) ? next : new WebhookAnswer(200, "ok");
        if (answer.Delay is { } delay)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }
}

/// <summary>How the receiver answers one request: a status, a body, after a delay.</summary>
internal sealed record WebhookAnswer(int Status, string Body = "", TimeSpan? Delay = null, string? RetryAfter = null);

/// <summary>One request the receiver got.</summary>
internal sealed record ReceivedWebhook(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}
