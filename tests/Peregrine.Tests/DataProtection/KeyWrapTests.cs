using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.Extensions.Logging.Abstractions;
using Peregrine.DataProtection;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.DataProtection;

/// <summary>Data Protection keys at rest: wrapped under the server secret, readable through a rotation, re-wrapped after it.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class KeyWrapTests : IDisposable
{
    private const string Old = "the-old-server-secret-0123456789";
    private const string New = "the-new-server-secret-9876543210";

    private static readonly XElement Secret = new("masterKey", new XElement("value", "c2VjcmV0LWtleS1tYXRlcmlhbA=="));

    private readonly TestDirectory _directory = new("peregrine-keyring");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void AWrappedKeyOpensWithTheSameSecretOnly()
    {
        var wrapped = ServerSecretKeyWrap.Wrap(Secret, new ServerKeyRing(Old, []));

        Assert.DoesNotContain("c2VjcmV0", wrapped.ToString(), StringComparison.Ordinal);
        Assert.Equal(Secret.ToString(), ServerSecretKeyWrap.Unwrap(wrapped, new ServerKeyRing(Old, [])).ToString());
        var error = Assert.Throws<CryptographicException>(() => ServerSecretKeyWrap.Unwrap(wrapped, new ServerKeyRing(New, [])));
        Assert.Contains(ServerKeyRing.IdOf(Old), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Old, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyIdEditedInTheFileFailsAuthentication()
    {
        var keys = new ServerKeyRing(New, [Old]);
        var wrapped = ServerSecretKeyWrap.Wrap(Secret, new ServerKeyRing(Old, []));
        wrapped.SetAttributeValue("keyId", ServerKeyRing.IdOf(New));

        Assert.ThrowsAny<CryptographicException>(() => ServerSecretKeyWrap.Unwrap(wrapped, keys));
    }

    [Fact]
    public void DuringARotationTheRingIsReWrappedUnderTheNewSecretAndThenNeedsOnlyIt()
    {
        var before = new KeyRingDirectory(_directory.Path, new ServerKeyRing(Old, []), NullLogger<KeyRingDirectory>.Instance);
        before.StoreElement(KeyElement(ServerSecretKeyWrap.Wrap(Secret, new ServerKeyRing(Old, []))), "key-1");

        var rotating = new KeyRingDirectory(_directory.Path, new ServerKeyRing(New, [Old]), NullLogger<KeyRingDirectory>.Instance);
        var read = rotating.GetAllElements().Single();

        var after = new ServerKeyRing(New, []);
        var stored = XElement.Load(Path.Combine(_directory.Path, "key-1.xml"));
        var wrapped = stored.Descendants(ServerSecretKeyWrap.ElementName).Single();
        Assert.Equal(ServerKeyRing.IdOf(New), ServerSecretKeyWrap.KeyIdOf(wrapped));
        Assert.Equal(Secret.ToString(), ServerSecretKeyWrap.Unwrap(wrapped, after).ToString());
        Assert.Equal(stored.ToString(), read.ToString());
        Assert.Empty(Directory.GetFiles(_directory.Path, "*.tmp"));
    }

    [Fact]
    public void AKeyIsNeverOverwrittenByAnotherWithTheSameName()
    {
        var ring = new KeyRingDirectory(_directory.Path, new ServerKeyRing(New, []), NullLogger<KeyRingDirectory>.Instance);
        ring.StoreElement(new XElement("key", "first"), "key-1");

        Assert.Throws<IOException>(() => ring.StoreElement(new XElement("key", "second"), "key-1"));
        Assert.Equal("first", ring.GetAllElements().Single().Value);
    }

    [Fact]
    public void AFriendlyNameThatIsNotAPlainNameCannotLeaveTheFolder()
    {
        var ring = new KeyRingDirectory(_directory.Combine("ring"), new ServerKeyRing(New, []), NullLogger<KeyRingDirectory>.Instance);

        ring.StoreElement(new XElement("key", "x"), "../../escaped");

        Assert.Single(Directory.GetFiles(_directory.Combine("ring"), "*.xml"));
        Assert.Empty(Directory.GetFiles(_directory.Path, "*.xml"));
    }

    // The shape Data Protection stores: the encryptor's element inside <encryptedSecret> inside the key's descriptor.
    private static XElement KeyElement(XElement wrapped) =>
        new("key", new XAttribute("id", Guid.NewGuid()), new XElement("descriptor", new XElement("encryptedSecret", wrapped)));
}
