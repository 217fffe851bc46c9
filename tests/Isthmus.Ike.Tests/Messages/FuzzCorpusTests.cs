using Isthmus.Ike.Messages;

namespace Isthmus.Ike.Tests.Messages;

/// <summary>The fuzz seed corpus (tests/fuzz/corpus) is current and every seed decodes.</summary>
public class FuzzCorpusTests
{
    private static string CorpusDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Operator.sln")))
            {
                return Path.Combine(directory.FullName, "tests", "fuzz", "corpus");
            }
        }

        throw new DirectoryNotFoundException("repository root (Operator.sln) not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Seed_corpus_matches_the_sample_messages()
    {
        var directory = CorpusDirectory();
        var expected = SampleMessages.All().ToDictionary(sample => sample.Name + ".bin", sample => sample.Bytes);
        var actual = Directory.GetFiles(directory, "*.bin").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual);
        foreach (var (name, bytes) in expected)
        {
            // Regenerate with: dotnet run --project tests/fuzz/Isthmus.Ike.Fuzz -- --write-corpus tests/fuzz/corpus
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(directory, name))), $"{name} is out of date");
        }
    }

    [Fact]
    [Trait("RFC", "7296 3")]
    public void Every_seed_decodes_and_its_sk_body_parses_as_plaintext()
    {
        foreach (var file in Directory.GetFiles(CorpusDirectory(), "*.bin"))
        {
            Assert.True(IkeMessage.TryDecode(File.ReadAllBytes(file), out var message, out var error), $"{file}: {error}");
            foreach (var sk in message!.GetAll<EncryptedPayload>())
            {
                Assert.True(PayloadChain.TryRead(sk.Body, sk.InnerFirst, out _, out error, insideEncrypted: true), $"{file}: {error}");
            }
        }
    }
}
