using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Peregrine.Resume;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Resume;

/// <summary>
/// A real Api process (its own <c>TMPDIR</c>, a short parse limit) shared by one test per hostile résumé file. Each
/// gets a friendly refusal, leaves nothing outside the uploader's tree (nor any staged upload inside it, nor a changed
/// résumé), and the process keeps serving: another user signs in and uploads a real résumé afterwards.
/// </summary>
public sealed class HostileUploadServer : IAsyncLifetime
{
    public TestDirectory Data { get; } = new("peregrine-hostile-data");

    public TestDirectory Tmp { get; } = new("peregrine-hostile-tmp");

    public ApiServer Server { get; private set; } = null!;

    // 6 s: the slow PDF took 10 s to parse on a quiet CI run, inside the 12 s this was, and came back "no text" instead
    // of stopped; a good résumé parses in well under a second plus the helper's start.
    public async Task InitializeAsync() =>
        Server = await ApiServer.StartAsync(Data.Path, ("TMPDIR", Tmp.Path), ("Resume__ParseTimeout", "00:00:06"));

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Data.Dispose();
        Tmp.Dispose();
    }
}

[Trait(Category.Name, Category.Service)]
public sealed class HostileResumeUploadTests(HostileUploadServer host) : IClassFixture<HostileUploadServer>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task AZipBombInADocxIsRefusedWithoutInflating()
    {
        var bomb = HostileResumeFiles.DocxZipBomb(inflatedMegabytes: 1024);
        Assert.True(bomb.Length < 3 * 1024 * 1024, $"the bomb is {bomb.Length} bytes; it must be small enough to pass the upload limit");

        await AssertRefusedAsync(bomb, "bomb.docx", ResumeFailure.UnsafePackage, StatusCodes.Status422UnprocessableEntity);
    }

    [Fact]
    public async Task AnOdtWithExternalEntitiesIsRefusedWithoutFetchingOrReadingThem()
    {
        await using var site = await LoopbackHttpServer.StartAsync(app => app.MapGet("/secret", () => "SECRET-FROM-THE-NETWORK"));
        var canary = Path.Combine(host.Tmp.Path, "..", $"peregrine-canary-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(canary, "SECRET-FROM-A-FILE");
        try
        {
            var odt = HostileResumeFiles.OdtWithExternalEntities(new Uri(site.Address, "/secret"), Path.GetFullPath(canary));

            var body = await AssertRefusedAsync(odt, "entities.odt", ResumeFailure.UnsafeXml, StatusCodes.Status422UnprocessableEntity);

            Assert.Equal(0, site.AcceptedConnections);
            Assert.DoesNotContain("SECRET", body, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(canary);
        }
    }

    [Fact]
    public async Task ATruncatedPdfGetsTheDamagedFileMessage() =>
        await AssertRefusedAsync(HostileResumeFiles.TruncatedPdf(0.5), "cut.pdf", ResumeFailure.MalformedPdf, StatusCodes.Status422UnprocessableEntity);

    [Fact]
    public async Task AFiftyMegabyteFileIsRefusedForItsSizeWithoutBeingKept()
    {
        using var content = new StreamContent(HostileResumeFiles.Huge(50L * 1024 * 1024));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");

        await AssertRefusedAsync(content, "huge.pdf", ResumeFailure.TooLarge, StatusCodes.Status413PayloadTooLarge);
    }

    [Fact]
    public async Task APdfThatTakesLongToParseIsStoppedAtTheTimeLimit()
    {
        var slow = HostileResumeFiles.SlowPdf();
        Assert.True(slow.Length < 64 * 1024, $"the slow PDF is {slow.Length} bytes; it must be tiny");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await AssertRefusedAsync(slow, "slow.pdf", ResumeFailure.TimedOut, StatusCodes.Status422UnprocessableEntity);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the refusal and the next user's upload took {clock.Elapsed}");
    }

    private Task<string> AssertRefusedAsync(byte[] file, string name, ResumeFailure failure, int status) =>
        AssertRefusedAsync(new ByteArrayContent(file), name, failure, status);

    /// <summary>Uploads as a new user; checks the answer, the trees and the temp folder, then that the process still serves.</summary>
    private async Task<string> AssertRefusedAsync(HttpContent file, string name, ResumeFailure failure, int status)
    {
        var user = Guid.NewGuid().ToString();
        using var client = host.Server.CreateClient(user);
        client.Timeout = Bound;
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        var tree = Path.Combine(host.Data.Path, user);
        var outside = Snapshot(host.Data.Path, except: tree).Concat(Snapshot(host.Tmp.Path)).ToList();
        var inside = Snapshot(tree);

        using var form = new MultipartFormDataContent { { file, "file", name } };
        using var response = await client.PostAsync("/peregrine/api/settings/resume/upload", form);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        var problem = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal(ResumeFailures.Message(failure, new ResumeOptions().MaxUploadBytes), problem.GetProperty("detail").GetString());
        Assert.False(problem.GetProperty("ok").GetBoolean());
        AssertSame(outside, Snapshot(host.Data.Path, except: tree).Concat(Snapshot(host.Tmp.Path)).ToList(), "outside the user's tree");
        AssertSame(inside, Snapshot(tree), "the user's tree");
        Assert.Equal(JsonValueKind.False, (await client.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/resume")).GetProperty("exists").ValueKind);

        using var other = host.Server.CreateClient(Guid.NewGuid().ToString());
        other.Timeout = Bound;
        using var fine = await ResumeApiTests.UploadAsync(other, ResumeFiles.Docx(ResumeFiles.DataEngineer), "cv.docx");
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        return body;
    }

    /// <summary>
    /// Every file and folder under <paramref name="root"/> (but <paramref name="except"/>), with file sizes; a DB's own
    /// files by name only (SQLite sizes its WAL as it likes), and not the runtime's diagnostics socket. Nor the task
    /// runner's queued-work marker: an earlier test's accepted résumé queued work for its user, and the runner removes
    /// that user's marker whenever it finishes, which may be in the middle of this test.
    /// </summary>
    private static List<string> Snapshot(string root, string? except = null) =>
        !Directory.Exists(root)
            ? []
            : [.. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
                .Where(path => except is null || !path.StartsWith(except + Path.DirectorySeparatorChar, StringComparison.Ordinal) && path != except)
                .Where(path => !Path.GetFileName(path).StartsWith("dotnet-diagnostic-", StringComparison.Ordinal))
                .Where(path => Path.GetFileName(path) != Peregrine.Tasks.QueuedWorkMarkers.FileName)
                .Select(path => File.Exists(path) && !Path.GetFileName(path).StartsWith("staging.db", StringComparison.Ordinal) ? $"{path} {new FileInfo(path).Length}" : path)
                .Order(StringComparer.Ordinal)];

    private static void AssertSame(List<string> before, List<string> after, string where) =>
        Assert.True(before.SequenceEqual(after), $"{where} changed: gone [{string.Join(", ", before.Except(after))}], new [{string.Join(", ", after.Except(before))}]");
}
