using System.Net;
using System.Security.Cryptography;
using Peregrine.Tests.Demo;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Backup.BackupZips;

namespace Peregrine.Tests.Web;

/// <summary>
/// The Data page restores over the same road as the restore endpoint: its upload is streamed into the user's tree under
/// the backup limits, never buffered by the framework's form reader (capped by Kestrel's 30 MB default, and spooled to
/// <c>TMPDIR</c>). Through real Kestrel, because that cap is Kestrel's.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class DataPageRestoreTests
{
    [Fact]
    public async Task ABackupPastKestrelsDefaultBodyLimitIsPreviewedAndRestoredOnTheDataPageWithNothingInTmp()
    {
        using var data = new TestDirectory();
        using var tmp = new TestDirectory("peregrine-tmpdir");
        var user = Guid.NewGuid().ToString();
        await using var server = await ApiServer.StartAsync(data.Path, ("TMPDIR", tmp.Path));
        using var browser = server.CreateBrowserClient(user);
        var zip = Create(
            ("config/user.yaml", Text("name: Restored Through The Page\n")),
            ("padding/large.bin", RandomNumberGenerator.GetBytes(31 * 1024 * 1024)));
        Assert.True(zip.Length > 30_000_000, $"the zip is {zip.Length} bytes; it must exceed Kestrel's 30 MB default");

        using var preview = await DemoForms.UploadAsync(browser, "/peregrine/settings/data", zip, "backup.zip");

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var previewPage = await preview.Content.ReadAsStringAsync();
        Assert.Contains("Check before restoring", previewPage, StringComparison.Ordinal);
        Assert.Contains("config/user.yaml", previewPage, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(tmp.Path, "ASPNETCORE_*", SearchOption.AllDirectories));

        using var restored = await DemoForms.SubmitPageFormAsync(browser, preview.RequestMessage!.RequestUri!.PathAndQuery, "restore");

        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Contains("Restore finished.", await restored.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var config = Path.Combine(data.Path, user, "peregrine", "config", "user.yaml");
        Assert.Equal("name: Restored Through The Page\n", await File.ReadAllTextAsync(config));
    }
}
