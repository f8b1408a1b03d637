using System.Numerics;
using System.Text;
using VggSharp.Interop;
using VggSharp.Interop.Pickle;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>The restricted unpickler: plain data in, every code path by name out, and every limit enforced.</summary>
public class PickleReaderTests
{
    /// <summary>Allows one global, "test.allowed", which returns its arguments; persistent ids come back as they are.</summary>
    private sealed class TestHost : IPickleHost
    {
        public object ResolveGlobal(string module, string name) =>
            module == "test" && name == "allowed" ? "token" : throw new WeightsFormatException("test", $"global {module}.{name} refused");

        public object? Reduce(object? callable, object?[] arguments) =>
            callable is "token" ? arguments : throw new WeightsFormatException("test", "call refused");

        public object PersistentLoad(object? id) => new List<object?> { "persistent", id };
    }

    private static object? Read(byte[] pickle, PickleLimits? limits = null) =>
        PickleReader.Read(PickleInput.FromBytes(pickle, "test", 0, int.MaxValue), new TestHost(), limits ?? new PickleLimits());

    private static string Refusal(byte[] pickle, PickleLimits? limits = null) =>
        Assert.Throws<WeightsFormatException>(() => Read(pickle, limits)).Problem;

    private static byte[] P(params object[] parts) => [.. parts.SelectMany(p => p switch
    {
        string s => Encoding.Latin1.GetBytes(s),
        byte b => [b],
        int i => [(byte)i],
        byte[] bytes => bytes,
        _ => throw new ArgumentException("part"),
    })];

    [Fact]
    public void ARepeatedKeyKeepsItsPlaceAndTakesTheLastValue()
    {
        // {'a': 1, 'b': 2} then 'a': 3, as Python's dict does.
        var dict = Assert.IsType<PickleDict>(Read(P(0x80, 2, "}(X\u0001\u0000\u0000\u0000aK\u0001X\u0001\u0000\u0000\u0000bK\u0002X\u0001\u0000\u0000\u0000aK\u0003u.")));

        Assert.Equal(["a", "b"], dict.Entries.Select(e => (string)e.Key!));
        Assert.Equal([3L, 2L], dict.Entries.Select(e => (long)e.Value!));
    }

    [Fact]
    public void ValuesHaveTheirPythonTypes()
    {
        byte[] pickle = P(0x80, 2, "]q\u0000(K\u0001J", new byte[] { 0xFE, 0xFF, 0xFF, 0xFF }, 0x8a, 9, new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0x40 },
            "G", BitConverter.GetBytes(1.5).Reverse().ToArray(), 0x88, "NC\u0002xy", 0x8c, 2, new byte[] { 0xC3, 0xA9 }, 0x85, "h\u0000e.");

        var list = Assert.IsType<List<object?>>(Read(pickle));

        Assert.Equal(1L, list[0]);
        Assert.Equal(-2L, list[1]);
        Assert.Equal(BigInteger.Pow(2, 70), list[2]);
        Assert.Equal(1.5, list[3]);
        Assert.Equal(true, list[4]);
        Assert.Null(list[5]);
        Assert.Equal("xy"u8.ToArray(), list[6]);
        Assert.Equal(new object?[] { "é" }, list[7]);
        Assert.Same(list, list[8]); // a list that holds itself, through the memo
    }

    [Fact]
    public void ProtocolFiveFramesAndStackGlobalsRead()
    {
        byte[] body = P(0x8c, 4, "test", 0x94, 0x8c, 7, "allowed", 0x94, 0x93, 0x94, "K\u0007", 0x85, 0x94, "R", 0x94, ".");
        byte[] pickle = P(0x80, 5, 0x95, BitConverter.GetBytes((long)body.Length), body);

        Assert.Equal(new object?[] { 7L }, Read(pickle));
    }

    [Fact]
    public void PersistentIdsAndBuildOnDictsGoThroughTheHost()
    {
        Assert.Equal(new List<object?> { "persistent", "k" }, Read(P(0x80, 2, "X\u0001\u0000\u0000\u0000kQ.")));
        var dict = Assert.IsType<PickleDict>(Read(P(0x80, 2, "}}X\u0001\u0000\u0000\u0000aK\u0001sb.")));
        Assert.True(dict.Attributes!.TryGetValue("a", out var value) && value is 1L);
    }

    [Theory]
    [InlineData("cos\nsystem\n", "global os.system refused")]
    [InlineData("cposix\nsystem\n", "global posix.system refused")]
    [InlineData("X\u0001\u0000\u0000\u0000fX\u0001\u0000\u0000\u0000g\u0093", "global f.g refused")]
    public void GlobalsOutsideTheAllowListAreRefused(string body, string problem)
    {
        Assert.Equal(problem, Refusal(P(0x80, 2, body, "X\u0002\u0000\u0000\u0000lsX\u0001\u0000\u0000\u0000R.")));
    }

    [Theory]
    [InlineData((byte)'i', "INST")]
    [InlineData((byte)'o', "OBJ")]
    [InlineData((byte)0x81, "NEWOBJ")]
    [InlineData((byte)0x92, "NEWOBJ_EX")]
    [InlineData((byte)0x82, "EXT1")]
    [InlineData((byte)'S', "STRING")]
    [InlineData((byte)'P', "PERSID")]
    [InlineData((byte)'2', "DUP")]
    [InlineData((byte)0x8f, "EMPTY_SET")]
    [InlineData((byte)0xff, "0xff")]
    public void OpcodesThatAStateDictDoesNotNeedAreRefusedByName(byte opcode, string name)
    {
        Assert.Equal($"pickle at byte 2 ({name}): opcode {name} is not allowed: a state_dict needs only plain data, tensors and storages",
            Refusal(P(0x80, 2, opcode, "N.")));
    }

    [Fact]
    public void CallingSomethingTheHostDidNotResolveIsRefused()
    {
        // A string pretending to be a callable.
        Assert.Equal("call refused", Refusal(P(0x80, 2, "X\u0001\u0000\u0000\u0000f)R.")));
    }

    [Theory]
    [InlineData("0.", "stack underflow")]
    [InlineData("(s.", "stack underflow")]
    [InlineData("Nu.", "no MARK to pop to")]
    [InlineData("NN.", "STOP with 2 items on the stack instead of one")]
    [InlineData("(N.", "STOP with a MARK still open")]
    [InlineData("h\u0005.", "memo entry 5 was never stored")]
    [InlineData("q\u0000.", "memoizing with nothing on the stack")]
    [InlineData("NK\u0001a.", "APPEND applied to None")]
    [InlineData("}(K\u0001u.", "an odd number of items (1) for a dict's keys and values")]
    [InlineData("]]b.", "BUILD sets the state of a list to a list; only a dict's attributes may be set")]
    [InlineData("NR.", "REDUCE needs a tuple of arguments")]
    public void MalformedPicklesAreRefusedWithTheReason(string body, string problem)
    {
        Assert.EndsWith(problem, Refusal(P(0x80, 2, body)));
    }

    [Fact]
    public void EveryTruncationIsRefused()
    {
        byte[] pickle = P(0x80, 2, "}q\u0000(X\u0001\u0000\u0000\u0000a]q\u0001(K\u0001J\u0001\u0002\u0003\u0004G", new byte[8], "C\u0002xyh\u0001eu.");
        Assert.IsType<PickleDict>(Read(pickle));
        for (int length = 0; length < pickle.Length; length++)
            Assert.StartsWith("truncated", Refusal(pickle[..length]));
    }

    [Fact]
    public void HugeLengthsAreCheckedBeforeAllocating()
    {
        Assert.StartsWith("truncated: the pickle needs 4294967295 bytes", Refusal(P(0x80, 2, "X\u00ff\u00ff\u00ff\u00ff.")));
        Assert.StartsWith("truncated: the pickle needs 9223372036854775807 bytes", Refusal(P(0x80, 4, 0x8e, BitConverter.GetBytes(long.MaxValue), ".")));
        Assert.Contains("is out of range", Refusal(P(0x80, 4, 0x8d, BitConverter.GetBytes(ulong.MaxValue), ".")));
        Assert.Contains("past the 16-byte limit on pickles",
            Assert.Throws<WeightsFormatException>(() => PickleReader.Read(PickleInput.FromBytes(P(0x80, 2, "X\u0020\u0000\u0000\u0000", new byte[33]), "test", 0, 16), new TestHost(), new PickleLimits())).Problem);
    }

    [Fact]
    public void TheStackMarksAndMemoAreCapped()
    {
        var limits = new PickleLimits { MaxStackItems = 10, MaxMarks = 3, MaxMemoEntries = 4 };
        Assert.EndsWith("more than 10 items on the stack", Refusal(P(0x80, 2, string.Concat(Enumerable.Repeat("N", 11)), "."), limits));
        Assert.EndsWith("more than 3 nested MARKs", Refusal(P(0x80, 2, "((((", "."), limits));
        Assert.EndsWith("more than 4 memo entries", Refusal(P(0x80, 2, "Nq\u0000q\u0001q\u0002q\u0003q\u0004."), limits));
        Assert.Null(Read(P(0x80, 2, "Nq\u0000q\u0000q\u0000q\u0000q\u0000q\u0000."), limits)); // rewriting one entry costs nothing
    }

    [Fact]
    public void DeepNestingCostsOneStackItemPerLevel()
    {
        // A list nested 50,000 deep without marks: within the stack cap it reads, without recursion.
        byte[] pickle = P(0x80, 2, string.Concat(Enumerable.Repeat("]", 50_000)), string.Concat(Enumerable.Repeat("a", 49_999)), ".");
        Assert.IsType<List<object?>>(Read(pickle));
        Assert.EndsWith("more than 100000 items on the stack", Refusal(P(0x80, 2, string.Concat(Enumerable.Repeat("]", 100_001)), ".")));
    }

    [Fact]
    public void NewerProtocolsAndBadTextAreRefused()
    {
        Assert.EndsWith("pickle protocol 6 is newer than 5", Refusal(P(0x80, 6, "N.")));
        Assert.EndsWith("a string is not valid UTF-8", Refusal(P(0x80, 2, "X\u0001\u0000\u0000\u0000\u00ff.")));
        Assert.EndsWith("a Python 2 string is not ASCII", Refusal(P(0x80, 2, "U\u0001\u00ff.")));
        Assert.EndsWith("a GLOBAL's module at byte 3 is longer than 1000 bytes", Refusal(P(0x80, 2, "c", new string('m', 2000), "\nn\n.")));
    }
}
