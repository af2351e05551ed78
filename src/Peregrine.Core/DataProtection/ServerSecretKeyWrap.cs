using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Storage;

namespace Peregrine.DataProtection;

/// <summary>
/// Encrypts Data Protection keys at rest with AES-256-GCM under a key derived from the server secret
/// (HMAC-SHA256(CF_SERVER_SECRET, purpose)), so the key files on the shared data root are useless without the secret.
/// The wrapped element names the server secret's key id, which is what makes it rotation-aware: a key wrapped under a
/// previous secret still opens while that secret is in <c>CF_SERVER_SECRET_PREVIOUS</c>, and <see cref="KeyRingDirectory"/>
/// re-wraps it under the current one the next time the ring is read.
/// </summary>
public static class ServerSecretKeyWrap
{
    public static readonly XNamespace Namespace = "urn:peregrine:data-protection";
    public static readonly XName ElementName = Namespace + "wrappedKey";

    private const string Purpose = "peregrine data protection key wrap v1";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public static XElement Wrap(XElement plaintext, ServerKeyRing keys)
    {
        var key = keys.DerivePurposeKey(keys.CurrentId, Purpose)!;
        var clear = Encoding.UTF8.GetBytes(plaintext.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = new byte[NonceBytes + clear.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(key, TagBytes))
        {
            aes.Encrypt(nonce, clear, sealedBytes.AsSpan(NonceBytes, clear.Length), sealedBytes.AsSpan(NonceBytes + clear.Length), AssociatedData(keys.CurrentId));
        }

        CryptographicOperations.ZeroMemory(clear);
        CryptographicOperations.ZeroMemory(key);
        return new XElement(ElementName, new XAttribute("keyId", keys.CurrentId), new XAttribute("version", 1), Convert.ToBase64String(sealedBytes));
    }

    public static XElement Unwrap(XElement wrapped, ServerKeyRing keys)
    {
        var keyId = KeyIdOf(wrapped) ?? throw new CryptographicException("A wrapped Data Protection key names no server secret key id.");
        var key = keys.DerivePurposeKey(keyId, Purpose)
            ?? throw new CryptographicException(
                $"A Data Protection key is wrapped under server secret key id {keyId}, which neither CF_SERVER_SECRET nor CF_SERVER_SECRET_PREVIOUS has.");
        var sealedBytes = Convert.FromBase64String(wrapped.Value);
        if (sealedBytes.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("A wrapped Data Protection key is truncated.");
        }

        var clearLength = sealedBytes.Length - NonceBytes - TagBytes;
        var clear = new byte[clearLength];
        try
        {
            using (var aes = new AesGcm(key, TagBytes))
            {
                aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, clearLength), sealedBytes.AsSpan(NonceBytes + clearLength), clear, AssociatedData(keyId));
            }

            return XElement.Parse(Encoding.UTF8.GetString(clear));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clear);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public static string? KeyIdOf(XElement wrapped) => wrapped.Attribute("keyId")?.Value;

    // Binds the ciphertext to the key id it claims, so an edited keyId attribute fails authentication.
    private static byte[] AssociatedData(string keyId) => Encoding.UTF8.GetBytes($"{Purpose} {keyId}");
}

/// <summary>What Data Protection calls to encrypt each new key before <see cref="KeyRingDirectory"/> stores it.</summary>
public sealed class ServerSecretXmlEncryptor(ServerKeyRing keys) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
        new(ServerSecretKeyWrap.Wrap(plaintextElement, keys), typeof(ServerSecretXmlDecryptor));
}

/// <summary>Created by Data Protection from the type name stored with each key, hence the service-provider constructor.</summary>
public sealed class ServerSecretXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) =>
        ServerSecretKeyWrap.Unwrap(encryptedElement, services.GetRequiredService<IOptions<PeregrineOptions>>().Value.ServerKeys());
}
