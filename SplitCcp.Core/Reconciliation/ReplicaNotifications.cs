using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Core.Reconciliation;

/// <summary>
/// Carries what open pages show live between portal replicas on one PostgreSQL database. This process's apply changes,
/// drift checks and drift passes go out with <c>pg_notify</c> on one channel, marked with this process's origin; a
/// connection of its own <c>LISTEN</c>s for the other replicas' and raises them on the local notifiers, its own ignored.
/// An apply's end arrives as a change only: the check that follows an apply is the work of the replica that ran it. When
/// the connection drops it is opened again after a pause that grows to <see cref="LastRetry"/>; what was sent meanwhile is
/// missed. With SQLite, one portal, it does nothing.
/// </summary>
public sealed partial class ReplicaNotifications(
    ApplyNotifier applies, DriftNotifier drift, IOptions<StorageOptions> storage, TimeProvider time, ILogger<ReplicaNotifications> logger)
    : BackgroundService
{
    /// <summary>The channel every replica sends on and listens to.</summary>
    public const string ChannelName = "splitccp_live";

    /// <summary>The listening connection's <c>application_name</c>, as <c>pg_stat_activity</c> shows it.</summary>
    public const string ListenerName = "SplitCcp live updates";

    private const int MaxPerSend = 500;
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromSeconds(1);
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    // Sent in the background, so a notifier never waits for the database; the oldest go when it is away for long.
    private readonly Channel<string> _outbox = Channel.CreateBounded<string>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly Guid _origin = Guid.NewGuid();

    /// <summary>The longest pause before the listening connection is opened again.</summary>
    public static TimeSpan LastRetry { get; } = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (storage.Value.Engine != StorageProvider.PostgreSql)
        {
            return;
        }

        applies.Published += OnApplyChanged;
        drift.CheckPublished += OnChecked;
        drift.PassPublished += OnPassChanged;
        try
        {
            await using var source = NpgsqlDataSource.Create(storage.Value.PostgreSqlConnectionString);
            await Task.WhenAll(SendAsync(source, stoppingToken), ListenAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            applies.Published -= OnApplyChanged;
            drift.CheckPublished -= OnChecked;
            drift.PassPublished -= OnPassChanged;
        }
    }

    private void OnApplyChanged(Guid tenantId, Guid applyId) => Send(new Message(_origin, Kind.Apply, tenantId, applyId));

    private void OnChecked(Guid tenantId) => Send(new Message(_origin, Kind.Check, tenantId));

    private void OnPassChanged(DriftPassInfo pass) => Send(new Message(_origin, Kind.Pass, Pass: pass));

    private void Send(Message message) => _outbox.Writer.TryWrite(JsonSerializer.Serialize(message, s_json));

    /// <summary>Sends what is waiting, in one statement; a batch the database refuses is logged and dropped.</summary>
    private async Task SendAsync(NpgsqlDataSource source, CancellationToken ct)
    {
        while (await _outbox.Reader.WaitToReadAsync(ct))
        {
            var payloads = new List<string>();
            while (payloads.Count < MaxPerSend && _outbox.Reader.TryRead(out var payload))
            {
                payloads.Add(payload);
            }

            try
            {
                await using var command = source.CreateCommand("SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS p(payload, n) ORDER BY n");
                command.Parameters.Add(new NpgsqlParameter { Value = ChannelName });
                command.Parameters.Add(new NpgsqlParameter { Value = payloads.Distinct(StringComparer.Ordinal).ToArray() });
                await command.ExecuteNonQueryAsync(ct);
            }
#pragma warning disable CA1031 // Live updates are a courtesy to open pages: one batch lost must not stop the next.
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
#pragma warning restore CA1031
            {
                LogSendFailed(logger, ex, payloads.Count);
            }
        }
    }

    /// <summary>Listens on a connection of its own until the portal stops, opening it again whenever it drops.</summary>
    private async Task ListenAsync(CancellationToken ct)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(storage.Value.ConnectionString)
        {
            ApplicationName = ListenerName,
            Pooling = false,

            // Asks the server now and then while nothing arrives, so a connection that silently died is noticed.
            KeepAlive = 30,
        }.ConnectionString;
        var retry = s_firstRetry;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += OnNotification;
                await connection.OpenAsync(ct);
                await using (var listen = new NpgsqlCommand($"LISTEN {ChannelName}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }

                retry = s_firstRetry;
                while (true)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Whatever ended the connection, the live updates must come back once the database does.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogListenerLost(logger, ex, retry.TotalSeconds);
            }

            await Task.Delay(retry, time, ct);
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        try
        {
            var message = JsonSerializer.Deserialize<Message>(e.Payload, s_json);
            if (message is null || message.Origin == _origin)
            {
                return;
            }

            switch (message)
            {
                case { Kind: Kind.Apply, TenantId: { } tenantId, ApplyId: { } applyId }:
                    applies.NotifyFromReplica(tenantId, applyId);
                    break;
                case { Kind: Kind.Check, TenantId: { } tenantId }:
                    drift.NotifyFromReplica(tenantId);
                    break;
                case { Kind: Kind.Pass, Pass: { } pass }:
                    drift.NotifyFromReplica(pass);
                    break;
            }
        }
#pragma warning disable CA1031 // A message that cannot be read, or a page that fails on it, must not end the listening.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogReceiveFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} live updates could not be sent to the other replicas.")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The connection that hears the other replicas' live updates failed; it is opened again in {Seconds} s.")]
    private static partial void LogListenerLost(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "A live update from another replica could not be passed on here.")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception);

    private enum Kind
    {
        Apply,
        Check,
        Pass,
    }

    /// <summary>One event as it travels: small, well under PostgreSQL's 8,000-byte limit for a payload.</summary>
    private sealed record Message(Guid Origin, Kind Kind, Guid? TenantId = null, Guid? ApplyId = null, DriftPassInfo? Pass = null);
}
