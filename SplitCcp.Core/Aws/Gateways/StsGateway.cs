using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace SplitCcp.Core.Aws.Gateways;

/// <summary><see cref="IStsGateway"/> on the official AWSSDK.SecurityToken client, through <see cref="IAwsCaller"/>.</summary>
public sealed class StsGateway : IStsGateway, IDisposable
{
    private readonly IAmazonSecurityTokenService _client;
    private readonly IAwsCaller _caller;
    private readonly bool _ownsClient;

    /// <summary>Uses <paramref name="client"/>, which the caller keeps and disposes.</summary>
    public StsGateway(IAmazonSecurityTokenService client, IAwsCaller caller)
    {
        _client = client;
        _caller = caller;
    }

    /// <summary>A client of its own for <paramref name="region"/>, or for an emulator at <paramref name="endpointUrl"/>.</summary>
    public StsGateway(AWSCredentials credentials, string region, string? endpointUrl, IAwsCaller caller)
        : this(new AmazonSecurityTokenServiceClient(credentials, AwsSdkCalls.Configure(new AmazonSecurityTokenServiceConfig(), region, endpointUrl)), caller)
    {
        _ownsClient = true;
    }

    public Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken ct) =>
        _caller.CallSdkAsync(StsOperations.GetCallerIdentity, null, async token =>
        {
            var response = await _client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), token);
            return new CallerIdentity(response.Account, response.Arn, response.UserId);
        }, ct);

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }
}
