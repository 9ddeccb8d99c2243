using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace SplitCcp.Core.Notifications;

/// <summary>
/// Webhooks: one HTTPS POST of the notification in the endpoint's format, with a time limit, signed with the endpoint's
/// secret (<c>X-SplitCcp-Signature: sha256=…</c> over <c>{timestamp}.{body}</c>, the timestamp in
/// <c>X-SplitCcp-Timestamp</c>). Redirects are not followed, no cookie or credential is sent, and no connection is made to
/// a link-local, multicast or unspecified address, nor to a private network's unless the portal allows it, whatever the
/// host name resolves to. Its own client, not one from a
/// client factory, whose logging would write each URL (a Slack or Teams URL is itself a credential) to the log.
/// </summary>
public sealed class WebhookChannel : INotificationChannel, IDisposable
{
    public const string SignatureHeader = "X-SplitCcp-Signature";
    public const string TimestampHeader = "X-SplitCcp-Timestamp";
    public const string EventHeader = "X-SplitCcp-Event";
    public const string DeliveryHeader = "X-SplitCcp-Delivery";

    /// <summary>How much of an answer is read; the log keeps less.</summary>
    private const int MaxResponseBytes = 4096;

    private readonly HttpClient _http;
    private readonly EndpointSecrets _secrets;
    private readonly IOptionsMonitor<NotificationOptions> _options;
    private readonly TimeProvider _time;

    public WebhookChannel(EndpointSecrets secrets, IOptionsMonitor<NotificationOptions> options, TimeProvider time)
    {
        _secrets = secrets;
        _options = options;
        _time = time;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            Credentials = null,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = (context, ct) => ScreenedConnection.ConnectAsync(
                context, address => NotificationRules.Refusal(address, _options.CurrentValue.AllowPrivateNetworks) is null,
                (host, address) => new RefusedAddressException(host, address, _options.CurrentValue.AllowPrivateNetworks), ct),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("SplitCcp-Webhooks", "1.0"));
    }

    public NotificationChannel Channel => NotificationChannel.Webhook;

    public async Task<DeliveryAttempt> SendAsync(NotificationEndpoint endpoint, Notification notification, CancellationToken ct)
    {
        var body = WebhookPayloads.Render(endpoint.Format, notification);
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, _secrets.UrlOf(endpoint)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(EventHeader, notification.Event.ToString());
        request.Headers.Add(DeliveryHeader, notification.DeliveryId.ToString());
        request.Headers.Add(TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(SignatureHeader, EndpointSecrets.Sign(_secrets.Unprotect(endpoint.ProtectedSecret), timestamp, body));

        var timeout = _options.CurrentValue.Timeout;
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            return Judge(response, await ReadStartAsync(response, limit.Token));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return new DeliveryAttempt(AttemptOutcome.RetryLater, null, null, $"No answer within {Describe(timeout)}.");
        }
        catch (HttpRequestException ex) when (ex.InnerException is RefusedAddressException refused)
        {
            return new DeliveryAttempt(AttemptOutcome.Refused, null, null, refused.Message);
        }
        catch (HttpRequestException ex)
        {
            return new DeliveryAttempt(AttemptOutcome.RetryLater, null, null, $"Could not reach {request.RequestUri!.Authority}: {ex.Message}");
        }
    }

    public void Dispose() => _http.Dispose();

    private DeliveryAttempt Judge(HttpResponseMessage response, string? text)
    {
        var code = (int)response.StatusCode;
        return code switch
        {
            >= 200 and < 300 => new DeliveryAttempt(AttemptOutcome.Delivered, code, text, null),
            429 => new DeliveryAttempt(AttemptOutcome.RetryLater, code, text, "The endpoint asked to slow down (429).", RetryAfter(response)),
            >= 500 => new DeliveryAttempt(AttemptOutcome.RetryLater, code, text, $"The endpoint failed ({code} {response.ReasonPhrase})."),
            >= 300 and < 400 => new DeliveryAttempt(AttemptOutcome.Refused, code, text,
                $"The endpoint redirected to {response.Headers.Location?.GetLeftPart(UriPartial.Authority) ?? "another address"}; webhooks are not redirected, so give the address it redirects to."),
            _ => new DeliveryAttempt(AttemptOutcome.Refused, code, text, $"The endpoint refused the delivery ({code} {response.ReasonPhrase}); it is not sent again."),
        };
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - _time.GetUtcNow(),
        _ => null,
    };

    /// <summary>The start of the answer, as text: enough to tell what the receiver said, never all of a large body.</summary>
    private static async Task<string?> ReadStartAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxResponseBytes];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0)
        {
            read += n;
        }

        return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static string Describe(TimeSpan span) => span.TotalSeconds >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0} ms");

    /// <summary>The endpoint's host resolved only to addresses no webhook is sent to.</summary>
    private sealed class RefusedAddressException(string host, IPAddress? address, bool allowPrivateNetworks)
        : IOException(address is null ? $"{host} resolves to no address." : $"{host} resolves to {address}, {NotificationRules.Refusal(address, allowPrivateNetworks)}.");
}
