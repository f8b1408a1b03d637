using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace VggSharp.Interop.Numpy;

/// <summary>
/// The header of a NumPy .npy file (format versions 1.0 to 3.0): the magic "\x93NUMPY", the version, the header's
/// length, then a Python dict literal such as {'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3, 32, 32), }
/// padded with spaces and a newline so that the data starts on a 64-byte boundary. Only C-ordered little-endian
/// float32 ('&lt;f4') is accepted, and the shape must account for exactly the bytes that follow.
/// </summary>
internal static class NpyHeader
{
    /// <summary>The magic bytes every .npy file starts with.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The longest header read: NumPy's own reader refuses headers past 10,000 bytes by default.</summary>
    public const int MaxHeaderBytes = 1 << 20;

    private const int Alignment = 64;
    private const string Float32 = "<f4";

    /// <summary>The length of the fixed prefix before the dict: magic, version and a header length of 2 (version 1) or 4 bytes.</summary>
    public static int PrefixLength(int majorVersion) => Magic.Length + 2 + (majorVersion == 1 ? 2 : 4);

    /// <summary>
    /// Parses the dict <paramref name="text"/> of a file with <paramref name="dataBytes"/> bytes after the header;
    /// returns the shape. Anything else than C-ordered '&lt;f4' of exactly that size is a <see cref="WeightsFormatException"/>.
    /// </summary>
    public static long[] ParseDictionary(string text, long dataBytes, string path)
    {
        WeightsFormatException Fail(string problem) => new(path, $"npy header: {problem}");
        var parser = new Parser(text, Fail);
        string? descr = null;
        bool? fortran = null;
        long[]? shape = null;
        parser.Expect('{');
        while (!parser.TryTake('}'))
        {
            string key = parser.String();
            parser.Expect(':');
            switch (key)
            {
                case "descr" when descr is null: descr = parser.String(); break;
                case "fortran_order" when fortran is null: fortran = parser.Boolean(); break;
                case "shape" when shape is null: shape = parser.Tuple(); break;
                default: throw Fail($"unexpected or repeated key '{key}'");
            }
            if (!parser.TryTake(',')) { parser.Expect('}'); break; }
        }
        parser.End();
        if (descr is null || fortran is null || shape is null) throw Fail("it needs 'descr', 'fortran_order' and 'shape'");
        if (descr != Float32)
            throw Fail($"dtype '{descr}': only '<f4' (little-endian float32) is read; save the array with x.astype('<f4')");
        if (fortran.Value) throw Fail("the array is in Fortran order; save a C-ordered one (np.ascontiguousarray)");
        long elements = 1;
        foreach (long d in shape)
        {
            if (d != 0 && elements > long.MaxValue / sizeof(float) / d) throw Fail($"shape ({string.Join(", ", shape)}) overflows");
            elements *= d;
        }
        if (elements * sizeof(float) != dataBytes)
            throw new WeightsFormatException(path, $"{(elements * sizeof(float) > dataBytes ? "truncated: " : "")}shape ({string.Join(", ", shape)}) needs {elements * sizeof(float)} bytes of data but the file has {dataBytes}");
        return shape;
    }

    /// <summary>NumPy's name of little-endian int64, the type labels are written as.</summary>
    public const string Int64 = "<i8";

    /// <summary>
    /// The whole header (version 1.0) for a C-ordered array of <paramref name="shape"/>, of float32 unless
    /// <paramref name="descr"/> names another type (<see cref="Int64"/>).
    /// </summary>
    public static byte[] Format(IReadOnlyList<long> shape, string descr = Float32)
    {
        string dims = shape.Count == 1 ? $"{shape[0]}," : string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        int prefix = PrefixLength(1);
        int padded = (prefix + dict.Length + 1 + Alignment - 1) / Alignment * Alignment;
        string text = dict.PadRight(padded - prefix - 1) + "\n";
        var header = new byte[padded];
        Magic.CopyTo(header);
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)text.Length);
        Encoding.ASCII.GetBytes(text, header.AsSpan(prefix));
        return header;
    }

    /// <summary>A reader of the few Python literals a header holds: strings, True/False, tuples of integers.</summary>
    private sealed class Parser(string text, Func<string, WeightsFormatException> fail)
    {
        private int _position;

        public void Expect(char c)
        {
            if (!TryTake(c)) throw fail($"expected '{c}' at character {_position}");
        }

        public bool TryTake(char c)
        {
            SkipSpaces();
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }
            return false;
        }

        public string String()
        {
            SkipSpaces();
            if (_position >= text.Length || text[_position] is not ('\'' or '"')) throw fail($"expected a string at character {_position}");
            char quote = text[_position];
            int end = text.IndexOf(quote, _position + 1);
            if (end < 0) throw fail("a string is not closed");
            string value = text[(_position + 1)..end];
            _position = end + 1;
            return value;
        }

        public bool Boolean()
        {
            SkipSpaces();
            foreach (var (word, value) in new[] { ("True", true), ("False", false) })
            {
                if (string.CompareOrdinal(text, _position, word, 0, word.Length) == 0)
                {
                    _position += word.Length;
                    return value;
                }
            }
            throw fail($"expected True or False at character {_position}");
        }

        public long[] Tuple()
        {
            Expect('(');
            var values = new List<long>();
            while (!TryTake(')'))
            {
                SkipSpaces();
                int start = _position;
                while (_position < text.Length && char.IsAsciiDigit(text[_position])) _position++;
                if (!long.TryParse(text.AsSpan(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                    throw fail($"expected a non-negative integer at character {start}");
                if (values.Count == 32) throw fail("the shape has more than 32 dimensions");
                values.Add(value);
                if (!TryTake(',')) { Expect(')'); break; }
            }
            return [.. values];
        }

        public void End()
        {
            SkipSpaces();
            if (_position != text.Length) throw fail($"unexpected text after the dict at character {_position}");
        }

        private void SkipSpaces()
        {
            while (_position < text.Length && text[_position] is ' ' or '\n' or '\t' or '\r') _position++;
        }
    }
}
