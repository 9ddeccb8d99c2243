using System.Collections.Concurrent;
using System.Reflection;
using Amazon.Runtime;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Aws.Signed;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Integration.Aws;

/// <summary>What the wire tests share: one HttpClient, a caller with tiny retry delays, signed clients for moto and the stub.</summary>
public static class AwsTestKit
{
    public const string AccountId = "123456789012";

    /// <summary>Retries happen, but after milliseconds, so the throttling tests run fast.</summary>
    public static readonly AwsRetryOptions FastRetry = new() { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    public static HttpClient Http { get; } = AwsSignedClient.CreateHttpClient();

    /// <summary>The client real accounts fetch their published pages with.</summary>
    public static HttpClient PagesHttp { get; } = HttpPublishedSite.CreateHttpClient();

    public static AwsCaller Caller(string region = AwsStub.Region)
    {
        // Limits far above what a test sends, so the rate limiter never slows a test down.
        var limits = new AwsRateLimitOptions();
        foreach (var service in limits.Services.Keys.ToList())
        {
            limits.Services[service] = new AwsRateLimit(1000, 1000);
        }

        return new AwsCaller(AccountId, region, new AwsRateLimiter(TimeProvider.System, limits.LimitFor), limits, new AwsRetry(FastRetry, TimeProvider.System), new AwsCallMetrics(new TestMeterFactory()));
    }

    /// <summary>
    /// A client that delivers every request to <paramref name="endpoint"/> (the stub) unchanged otherwise: it is addressed,
    /// and signed, for the real AWS host its Host header names, so a test sees which endpoint a request was meant for.
    /// </summary>
    public static HttpClient DeliveringTo(Uri endpoint) => new(new DeliveringHandler(endpoint) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false } });

    public static AwsSignedClient StubClient(AwsStub stub, AWSCredentials? credentials = null) =>
        new(Http, credentials ?? new BasicAWSCredentials(AwsStub.AccessKey, AwsStub.SecretKey), AwsStub.Region, stub.Endpoint);

    /// <summary>moto accepts any key; the region is the tenant's (global services are still signed for us-east-1).</summary>
    public static AwsSignedClient MotoClient(MotoServer moto, string region = "eu-west-2") =>
        new(Http, new BasicAWSCredentials("AKIAMOTOTESTING00001", "moto-testing-secret"), region, moto.Endpoint);

    /// <summary>The operations declared as static fields of one of AwsOperations.cs's classes (ConnectOperations, …).</summary>
    public static IReadOnlyList<AwsOperation> DeclaredIn(Type operations) =>
        [.. operations.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(AwsOperation)).Select(f => (AwsOperation)f.GetValue(null)!)];

    /// <summary>Every declared operation of every service.</summary>
    public static IReadOnlyList<AwsOperation> AllDeclared { get; } =
        [.. typeof(ConnectOperations).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(ConnectOperations).Namespace && t.IsAbstract && t.IsSealed && t.Name.EndsWith("Operations", StringComparison.Ordinal))
            .SelectMany(DeclaredIn)];

    /// <summary>
    /// Each recorded operation is one of the declared static fields (the same instance, not an equal copy), and together they
    /// are all of <paramref name="operations"/>' fields: the gateway calls nothing undeclared, and everything declared is used.
    /// </summary>
    public static void ShouldUseExactlyTheDeclared(this RecordingCaller caller, Type operations)
    {
        var undeclared = caller.Operations.Where(used => !AllDeclared.Any(declared => ReferenceEquals(declared, used))).Select(o => o.ToString()).Distinct().ToList();
        undeclared.ShouldBeEmpty("every operation passed to IAwsCaller must be a static field of AwsOperations.cs");
        var unused = DeclaredIn(operations).Where(declared => !caller.Operations.Any(used => ReferenceEquals(declared, used))).Select(o => o.ToString()).ToList();
        unused.ShouldBeEmpty($"the tour should call every operation of {operations.Name}");
    }
}

/// <summary>Sends a request to another address, keeping the Host header it was signed with.</summary>
internal sealed class DeliveringHandler(Uri endpoint) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Host ??= request.RequestUri!.Authority;
        request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = endpoint.Scheme, Host = endpoint.Host, Port = endpoint.Port }.Uri;
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>A test class whose gateways talk to a fresh <see cref="AwsStub"/> of its own, through a recording caller.</summary>
public abstract class StubbedGatewayTests : IAsyncLifetime
{
    protected RecordingCaller Caller { get; } = new(AwsTestKit.Caller());

    protected AwsStub Stub { get; private set; } = default!;

    public async Task InitializeAsync() => Stub = await AwsStub.StartAsync();

    public async Task DisposeAsync() => await Stub.DisposeAsync();

    /// <summary>Runs each scenario on a reset stub, then checks the gateway called exactly the declared operations of <paramref name="operations"/>.</summary>
    protected async Task TourAsync(Type operations, params Func<Task>[] scenarios)
    {
        foreach (var scenario in scenarios)
        {
            Stub.Reset();
            await scenario();
        }

        Caller.ShouldUseExactlyTheDeclared(operations);
    }
}

/// <summary>An <see cref="IAwsCaller"/> that records each operation it is given, then runs the call through the real caller.</summary>
public sealed class RecordingCaller(IAwsCaller inner) : IAwsCaller
{
    public ConcurrentQueue<AwsOperation> Operations { get; } = new();

    public Task<T> CallAsync<T>(AwsOperation operation, string? resource, Func<CancellationToken, Task<T>> operationCall, CancellationToken ct)
    {
        Operations.Enqueue(operation);
        return inner.CallAsync(operation, resource, operationCall, ct);
    }
}
