using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using SplitCcp.Core.Observability;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Tests.Core.Aws;

namespace SplitCcp.Tests.Core.Reconciliation;

public sealed class ApplyMetricsTests
{
    [Fact]
    public async Task An_apply_that_succeeds_records_its_duration_and_each_step_and_spans_the_apply_with_its_steps_inside()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        using var recorded = new Recorded(host.Services);

        var apply = await host.ApplyAsync(tenant.Id);

        apply.State.ShouldBe(ApplyState.Succeeded);
        var duration = recorded.Duration.GetMeasurementSnapshot().ShouldHaveSingleItem();
        duration.Tags["state"].ShouldBe(nameof(ApplyState.Succeeded));
        duration.Value.ShouldBeGreaterThan(0);
        apply.Steps.Count(s => s.State == ApplyStepState.Succeeded).ShouldBeGreaterThan(0, "the demo's apply changes something");
        recorded.Steps(JournalPhase.Succeeded).ShouldBe(apply.Steps.Count(s => s.State == ApplyStepState.Succeeded));
        recorded.Steps(JournalPhase.Failed).ShouldBe(0);

        var span = recorded.Apply(apply.Id);
        span.Status.ShouldBe(ActivityStatusCode.Unset);
        span.GetTagItem("splitccp.apply.state").ShouldBe(nameof(ApplyState.Succeeded));
        var steps = recorded.Inside(span, "apply step");
        steps.Count(s => Equals(s.GetTagItem("splitccp.apply.step_outcome"), nameof(JournalPhase.Succeeded)))
            .ShouldBe(apply.Steps.Count(s => s.State == ApplyStepState.Succeeded));
        recorded.Inside(span).ShouldContain(s => s.Kind == ActivityKind.Client, "the AWS calls are inside the apply");
    }

    [Fact]
    public async Task An_apply_whose_step_AWS_refuses_fails_that_steps_span_and_the_applys_with_the_operators_message()
    {
        await using var host = await ReconciliationTestHost.StartAsync();
        var tenant = await host.CreateDemoAsync();
        await ApplyEngineTests.FillStackQuotaAsync(host, tenant);
        using var recorded = new Recorded(host.Services);

        var apply = await host.ApplyAsync(tenant.Id);

        apply.State.ShouldBe(ApplyState.Failed);
        recorded.Duration.GetMeasurementSnapshot().ShouldHaveSingleItem().Tags["state"].ShouldBe(nameof(ApplyState.Failed));
        recorded.Steps(JournalPhase.Failed).ShouldBe(1);
        var span = recorded.Apply(apply.Id);
        span.Status.ShouldBe(ActivityStatusCode.Error);
        span.StatusDescription.ShouldBe(apply.Error);
        var stack = apply.Steps.Single(s => s.ResourceKey == ResourceKeys.Stack);
        recorded.Inside(span, "apply step").Single(s => s.Status == ActivityStatusCode.Error).StatusDescription.ShouldBe(stack.Message);
    }

    /// <summary>What the host's apply engine records from now on: its instruments, and the portal's spans.</summary>
    private sealed class Recorded : IDisposable
    {
        private readonly List<Activity> _spans = [];
        private readonly ActivityListener _listener;
        private readonly MetricCollector<long> _steps;

        public Recorded(IServiceProvider services)
        {
            var meters = services.GetRequiredService<IMeterFactory>();
            Duration = new MetricCollector<double>(meters, PortalTelemetry.Name, ApplyMetrics.Duration);
            _steps = new MetricCollector<long>(meters, PortalTelemetry.Name, ApplyMetrics.Steps);
            _listener = AwsCallMetricsTests.Listen(_spans);
        }

        public MetricCollector<double> Duration { get; }

        public long Steps(JournalPhase outcome) =>
            _steps.GetMeasurementSnapshot().ContainsTags(new KeyValuePair<string, object?>("outcome", outcome.ToString())).EvaluateAsCounter();

        public Activity Apply(Guid applyId)
        {
            lock (_spans)
            {
                return _spans.Where(s => s.OperationName == "apply" && Equals(s.GetTagItem("splitccp.apply_id"), applyId)).ShouldHaveSingleItem();
            }
        }

        public List<Activity> Inside(Activity apply, string? name = null)
        {
            lock (_spans)
            {
                return _spans.Where(s => s.TraceId == apply.TraceId && s != apply && (name is null || s.OperationName == name)).ToList();
            }
        }

        public void Dispose()
        {
            _listener.Dispose();
            _steps.Dispose();
            Duration.Dispose();
        }
    }
}
