using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SplitCcp.Core.Notifications;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Sandbox;
using SplitCcp.Tests.Core.Notifications;
using SplitCcp.Tests.Infrastructure;
using SplitCcp.Web.Metrics;

namespace SplitCcp.Tests.Web;

/// <summary>The OTLP export, at the HTTP boundary: a real receiver on loopback, fed by the portal's exporters.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Otlp_EndpointSet_PostsThePortalsSpansAndMetricsAsProtobufToTheReceiver()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var app = await CheckADemoTenantAsync("SplitCcp:Telemetry:OtlpEndpoint", receiver);

        app.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000).ShouldBeTrue();
        app.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000).ShouldBeTrue();

        receiver.Requests.ShouldNotBeEmpty();
        receiver.Requests.ShouldAllBe(r => r.ContentType == "application/x-protobuf");
        var traces = string.Concat(receiver.Received("traces"));
        traces.ShouldContain("drift check");
        traces.ShouldContain("sts/GetCallerIdentity", customMessage: "an AWS call's span, named service/Operation");
        traces.ShouldContain("aws-api");
        var metrics = string.Concat(receiver.Received("metrics"));
        foreach (var instrument in new[] { "splitccp.aws.calls", "splitccp.drift.check.duration", "splitccp.drift.pass.running" })
        {
            metrics.ShouldContain(instrument);
        }
    }

    /// <summary>For Slack and Teams the address's path is the credential: a trace must not carry it to the collector.</summary>
    [Fact]
    public async Task Otlp_WebhookSent_ItsSpanShowsTheHostButNotTheAddresssPath()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var webhook = await WebhookReceiver.StartAsync();
        using var app = new SplitCcpWebFactory().WithSetting("SplitCcp:Telemetry:OtlpEndpoint", receiver.Address.ToString());
        var notifications = app.Services.GetRequiredService<NotificationService>();
        var saved = (await notifications.CreateAsync(app.Operator(), NotificationDeliveryTests.Input(webhook.Url + "/T0001/B0002/s3cretPart") with { AllTenants = true }))
            .ShouldBeOfType<EndpointSaveResult.Saved>().Result;

        (await notifications.SendTestAsync(app.Operator(), saved.Endpoint.Id)).ShouldNotBeNull().State.ShouldBe(DeliveryState.Delivered);
        app.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000).ShouldBeTrue();

        webhook.Received.ShouldHaveSingleItem().Path.ShouldBe("/hook/T0001/B0002/s3cretPart");
        var traces = string.Concat(receiver.Received("traces"));
        traces.ShouldContain(new Uri(webhook.Url).Authority, customMessage: "the webhook call has its span, with the host");
        traces.ShouldNotContain("s3cretPart");
        traces.ShouldNotContain("T0001");
    }

    [Fact]
    public async Task Otlp_NoEndpoint_RegistersNothingOfOpenTelemetryAndSendsNothing()
    {
        await using var receiver = await OtlpReceiver.StartAsync();

        // OpenTelemetry's own variable is not the portal's switch: without SplitCcp:Telemetry:OtlpEndpoint nothing reads it.
        using var app = await CheckADemoTenantAsync("OTEL_EXPORTER_OTLP_ENDPOINT", receiver);

        app.Services.GetService<TracerProvider>().ShouldBeNull();
        app.Services.GetService<MeterProvider>().ShouldBeNull();
        (await app.CreateApiClient(SplitCcpWebFactory.AdminToken).GetStringAsync("/metrics")).ShouldContain("splitccp_aws_calls_total{service=\"sts\"}",
            customMessage: "the metrics are recorded all the same");

        // Stopping the portal flushes any exporter there is: one that had read the variable would send now.
        await app.DisposeAsync();
        receiver.Requests.ShouldBeEmpty();
    }

    /// <summary>A portal with the receiver's address in that setting, after a drift check of a demo tenant (AWS calls included).</summary>
    private static async Task<SplitCcpWebFactory> CheckADemoTenantAsync(string setting, OtlpReceiver receiver)
    {
        var app = new SplitCcpWebFactory().WithSetting(setting, receiver.Address.ToString());
        var tenant = await app.Services.GetRequiredService<DemoTenants>().CreateAsync(app.Operator());
        (await app.Services.GetRequiredService<DriftChecker>().CheckAsync(tenant.Id, CancellationToken.None)).ShouldNotBeNull();
        return app;
    }

    [Theory]
    [InlineData("collector:4318")]
    [InlineData("ftp://collector:4318")]
    [InlineData("not an address")]
    public void Validate_EndpointNotHttp_FailsNamingTheSetting(string endpoint)
    {
        var errors = new TelemetryOptions { OtlpEndpoint = endpoint }.Validate(new ValidationContext(new object())).ToList();

        errors.ShouldHaveSingleItem().ErrorMessage.ShouldNotBeNull().ShouldContain("SplitCcp:Telemetry:OtlpEndpoint");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("http://collector:4318")]
    [InlineData("https://collector.example/otlp/")]
    public void Validate_EndpointUnsetOrHttp_Passes(string? endpoint) =>
        new TelemetryOptions { OtlpEndpoint = endpoint }.Validate(new ValidationContext(new object())).ShouldBeEmpty();
}
