using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using SplitCcp.Core.Security;
using SplitCcp.Core.Security.KeyRing;
using SplitCcp.Core.Tenants;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Security;

/// <summary>The Data Protection key ring in the database, encrypted with a key file kept elsewhere.</summary>
public sealed class KeyRingProtectionTests : IAsyncDisposable
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string KeyFileSetting = "SplitCcp:DataProtection:KeyFile";

    private readonly string _keys = Path.Combine(Path.GetTempPath(), "splitccp-tests", Guid.NewGuid().ToString("N"));
    private readonly List<CoreTestHost> _hosts = [];

    public KeyRingProtectionTests() => Directory.CreateDirectory(_keys);

    [Fact]
    public async Task KeyFileConfigured_KeyRingInTheDatabaseHoldsNoPlainMasterKey()
    {
        var host = await StartAsync(new() { [KeyFileSetting] = NewKeyFile("portal.key") });
        await StoreSecretAsync(host);

        var keys = await KeyRingAsync(host.ConnectionString);

        keys.ShouldNotBeEmpty();
        keys.ShouldAllBe(xml => !xml.Contains("<masterKey") && xml.Contains("<encryptedSecret"));
    }

    [Fact]
    public async Task CertificateConfigured_KeyRingIsEncryptedAndReadBackAfterARestart()
    {
        var settings = new Dictionary<string, string?>
        {
            ["SplitCcp:DataProtection:CertificatePath"] = TestCertificates.WritePfx(Path.Combine(_keys, "portal.pfx"), "pfx-Passw0rd", "SplitCcp Data Protection"),
            ["SplitCcp:DataProtection:CertificatePassword"] = "pfx-Passw0rd",
        };
        var host = await StartAsync(settings);
        var tenant = await StoreSecretAsync(host);

        await host.RestartAsync();

        (await host.Tenants.GetSecretAccessKeyAsync(tenant.Id, default)).ShouldBe(Secret);
        (await KeyRingAsync(host.ConnectionString)).ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            xml => xml.ShouldNotContain("<masterKey"),
            xml => xml.ShouldContain("<EncryptedData"));
    }

    [Fact]
    public async Task CopyOfTheDatabaseAlone_CannotDecryptAStoredSecret()
    {
        var host = await StartAsync(new() { [KeyFileSetting] = NewKeyFile("portal.key") });
        await StoreSecretAsync(host);
        var stored = (string)(await host.QueryScalarAsync("SELECT ProtectedSecretAccessKey FROM Tenants WHERE Slug = 'acme'"))!;

        // A copy each: a portal locks the database it runs on.
        var withoutKeyFile = await StartAsync(new() { ["SplitCcp:Storage:ConnectionString"] = await CopyDatabaseAsync(host, "copy.db") });
        var withAnotherKeyFile = await StartAsync(new()
        {
            ["SplitCcp:Storage:ConnectionString"] = await CopyDatabaseAsync(host, "another-copy.db"),
            [KeyFileSetting] = NewKeyFile("other.key"),
        });

        Should.Throw<CryptographicException>(() => withoutKeyFile.Services.GetRequiredService<SecretProtector>().Unprotect(stored));
        Should.Throw<CryptographicException>(() => withAnotherKeyFile.Services.GetRequiredService<SecretProtector>().Unprotect(stored));
        host.Services.GetRequiredService<SecretProtector>().Unprotect(stored).ShouldBe(Secret, "the portal with its key file still reads it");
    }

    [Fact]
    public async Task KeysWrittenBeforeProtection_StillDecryptAndNewKeysAreEncrypted()
    {
        var host = await StartAsync();
        var tenant = await StoreSecretAsync(host);
        (await KeyRingAsync(host.ConnectionString)).ShouldHaveSingleItem().ShouldContain("<masterKey", customMessage: "written before protection was configured");

        await host.RestartAsync(settings: new Dictionary<string, string?> { [KeyFileSetting] = NewKeyFile("portal.key") });
        var now = DateTimeOffset.UtcNow;
        host.Services.GetRequiredService<IKeyManager>().CreateNewKey(now, now.AddDays(90));

        (await host.Tenants.GetSecretAccessKeyAsync(tenant.Id, default)).ShouldBe(Secret);
        var keys = await KeyRingAsync(host.ConnectionString);
        keys.Count.ShouldBe(2);
        keys.Count(xml => xml.Contains("<encryptedSecret") && !xml.Contains("<masterKey")).ShouldBe(1);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Validate_KeyFileMissingOutsideDevelopment_FailsNamingTheSetting(string environment)
    {
        var missing = Path.Combine(_keys, "missing.key");

        var result = Validator(environment).Validate(null, new KeyRingOptions { KeyFile = missing });

        result.Failed.ShouldBeTrue();
        result.FailureMessage!.ShouldContain(KeyFileSetting);
        File.Exists(missing).ShouldBeFalse();
    }

    [Fact]
    public void Validate_KeyFileNotA256BitKey_Fails()
    {
        var path = Path.Combine(_keys, "short.key");
        File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));

        Validator("Production").Validate(null, new KeyRingOptions { KeyFile = path }).FailureMessage!.ShouldContain("16 bytes, not 32");
    }

    [Fact]
    public void Validate_ProductionWithoutProtection_FailsUnlessExplicitlyAllowed()
    {
        var validator = Validator("Production");

        validator.Validate(null, new KeyRingOptions()).Failed.ShouldBeTrue();
        validator.Validate(null, new KeyRingOptions { AllowUnprotectedKeys = true }).Succeeded.ShouldBeTrue();
        validator.Validate(null, new KeyRingOptions { KeyFile = NewKeyFile("portal.key") }).Succeeded.ShouldBeTrue();
        Validator("Development").Validate(null, new KeyRingOptions()).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public async Task GenerateKeyFile_MissingKeyFile_IsCreatedOwnerOnly()
    {
        var path = Path.Combine(_keys, "generated.key");

        var host = await StartAsync(new() { [KeyFileSetting] = path, ["SplitCcp:DataProtection:GenerateKeyFile"] = "true" });
        await StoreSecretAsync(host);

        Convert.FromBase64String((await File.ReadAllTextAsync(path)).Trim()).Length.ShouldBe(32);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        (await KeyRingAsync(host.ConnectionString)).ShouldAllBe(xml => !xml.Contains("<masterKey"));
    }

    [Fact]
    public async Task GenerateKeyFile_ReplicasCreatingTheSameKeyFileAtOnce_AllReadOneWholeKey()
    {
        // Replicas sharing a key folder start together: none may read the file another is still writing, or keep a key of its own.
        for (var round = 0; round < 20; round++)
        {
            var path = Path.Combine(_keys, $"shared-{round}.key");
            using var start = new Barrier(8);

            var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return KeyFile.ReadOrCreate(path);
            })));

            keys.Select(Convert.ToBase64String).Distinct().ShouldHaveSingleItem();
            Convert.ToBase64String(keys[0]).ShouldBe((await File.ReadAllTextAsync(path)).Trim());
            Directory.EnumerateFiles(_keys).Where(f => Path.GetFileName(f).Contains($"shared-{round}.key", StringComparison.Ordinal))
                .ShouldHaveSingleItem("no draft is left beside the key file");
        }
    }

    [Fact]
    public async Task GenerateKeyFile_KeyFileAnotherReplicaHasCreatedButNotYetWritten_IsWaitedForNotReportedBroken()
    {
        var path = Path.Combine(_keys, "being-written.key");
        Directory.CreateDirectory(_keys);
        await File.WriteAllTextAsync(path, string.Empty);
        var written = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var reading = Task.Run(() => KeyFile.ReadOrCreate(path, TimeSpan.FromSeconds(10)));
        await Task.Delay(300);
        reading.IsCompleted.ShouldBeFalse("an empty key file is the moment between another replica's create and its write");
        await File.WriteAllTextAsync(path, written + "\n");

        Convert.ToBase64String(await reading).ShouldBe(written);
    }

    [Fact]
    public void GenerateKeyFile_KeyFileThatStaysUnusable_IsReportedWithWhatIsWrong()
    {
        var path = Path.Combine(_keys, "broken.key");
        Directory.CreateDirectory(_keys);
        File.WriteAllText(path, "not a key");

        Should.Throw<CryptographicException>(() => KeyFile.ReadOrCreate(path, TimeSpan.FromMilliseconds(200)))
            .Message.ShouldContain("is not base64");
        File.ReadAllText(path).ShouldBe("not a key", "a file the operator made is never replaced");
    }

    private static KeyRingOptionsValidator Validator(string environment) => new(new HostingEnvironment { EnvironmentName = environment });

    private async Task<CoreTestHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var host = await CoreTestHost.StartAsync(settings);
        _hosts.Add(host);
        return host;
    }

    /// <summary>A key file as the README tells an operator to make one: 32 random bytes in base64.</summary>
    private string NewKeyFile(string name)
    {
        var path = Path.Combine(_keys, name);
        File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        return path;
    }

    private static async Task<TenantView> StoreSecretAsync(CoreTestHost host)
    {
        var @operator = await host.CreateOperatorAsync();
        var tenant = await host.CreateTenantAsync(@operator.Principal, CoreTestHost.SandboxInput("acme") with
        {
            AccessMode = nameof(AwsAccessMode.AccessKeys),
            AccessKeyId = "AKIAIOSFODNN7EXAMPLE",
            SecretAccessKey = Secret,
        });
        (await host.Tenants.GetSecretAccessKeyAsync(tenant.Id, default)).ShouldBe(Secret);
        return tenant;
    }

    /// <summary>What someone who copied the database file would have: a consistent snapshot of it, nothing else.</summary>
    private async Task<string> CopyDatabaseAsync(CoreTestHost host, string name)
    {
        var copy = Path.Combine(_keys, name);
        await using (var connection = new SqliteConnection(host.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "VACUUM INTO $path";
            command.Parameters.AddWithValue("$path", copy);
            await command.ExecuteNonQueryAsync();
        }

        return $"Data Source={copy}";
    }

    private static async Task<List<string>> KeyRingAsync(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Xml FROM DataProtectionKeys";
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_keys, recursive: true);
    }
}
