using Amazon.Runtime;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Tests.Integration.Aws;

public sealed class StsGatewayTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [Fact]
    public async Task GetCallerIdentityAsync_AgainstMoto_ReturnsTheAccountAndArn()
    {
        var caller = new RecordingAwsCaller("eu-west-2");
        using var sts = new StsGateway(new BasicAWSCredentials("AKIASTSGATEWAYTEST01", "sts-gateway-test-secret"), "eu-west-2", moto.Endpoint.ToString(), caller);

        var identity = await sts.GetCallerIdentityAsync(CancellationToken.None);

        identity.Account.ShouldBe(RecordingAwsCaller.MotoAccountId);
        identity.Arn.ShouldStartWith($"arn:aws:sts::{RecordingAwsCaller.MotoAccountId}:");
        identity.UserId.ShouldNotBeNullOrEmpty();
        caller.Operations.ShouldBe([StsOperations.GetCallerIdentity]);
    }
}
