using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Persistence;

public sealed class StorageProbeTests : IAsyncLifetime
{
    private readonly StorageFaults _faults = new();
    private CoreTestHost _host = null!;

    private StorageProbe Probe => _host.Services.GetRequiredService<StorageProbe>();

    public async Task InitializeAsync() => _host = await CoreTestHost.StartAsync(configureServices: _faults.AddTo);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task CheckAsync_AskedAgainWithinTheInterval_AnswersTheLastProbeWithoutWritingAgain()
    {
        (await Probe.CheckAsync()).ShouldBeNull();
        _faults.ReadOnly();

        (await Probe.CheckAsync()).ShouldBeNull("a write now would have been refused");
        _host.Time.Advance(StorageProbe.Interval - TimeSpan.FromMilliseconds(1));
        (await Probe.CheckAsync()).ShouldBeNull();
        _host.Time.Advance(TimeSpan.FromMilliseconds(1));

        var fault = (await Probe.CheckAsync()).ShouldNotBeNull();
        fault.Kind.ShouldBe(StorageFaultKind.ReadOnly);
        fault.Cause.ShouldBe("attempt to write a readonly database");
    }

    [Fact]
    public async Task CheckAsync_DatabaseThatCannotGrow_SaysTheDiskIsFullUntilItCan()
    {
        // A probe made at start may still be running on a connection opened before the fault; asking waits for it to end.
        (await Probe.CheckAsync()).ShouldBeNull();
        _faults.DiskFull();
        _host.Time.Advance(StorageProbe.Interval);

        (await Probe.CheckAsync()).ShouldNotBeNull().Kind.ShouldBe(StorageFaultKind.DiskFull);
        _host.Services.GetRequiredService<StorageHealth>().Fault.ShouldNotBeNull().Reason.ShouldStartWith("The database cannot be written: the disk is full");

        _faults.Clear();
        _host.Time.Advance(StorageProbe.Interval);
        (await Probe.CheckAsync()).ShouldBeNull("the probe opens new connections, not those limited during the fault");
    }
}
