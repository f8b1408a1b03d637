using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace VggSharp.Interop.Pickle;

/// <summary>
/// Reads one Python pickle (protocols 2 to 5) without executing anything: it knows only the opcodes that build plain
/// data (None, booleans, integers, floats, strings, bytes, tuples, lists, dicts, the memo), and hands the three that
/// would run code in Python (globals, calls, persistent ids) to an <see cref="IPickleHost"/> with an allow-list.
/// Every other opcode (INST, OBJ, NEWOBJ, EXT*, the text protocol's) is refused by name. Values come back as null,
/// bool, long, <see cref="BigInteger"/>, double, string, byte[], object?[] (tuples), List&lt;object?&gt;,
/// <see cref="PickleDict"/> and whatever the host returns.
/// </summary>
internal static class PickleReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads one pickle from <paramref name="input"/>, up to and including its STOP opcode.</summary>
    public static object? Read(PickleInput input, IPickleHost host, PickleLimits limits)
    {
        var machine = new Machine(input, host, limits);
        return machine.Run();
    }

    private sealed class Machine(PickleInput input, IPickleHost host, PickleLimits limits)
    {
        private readonly List<object?> _stack = [];
        private readonly Stack<int> _marks = new();
        private readonly Dictionary<long, object?> _memo = [];
        private long _opcodeOffset;
        private byte _opcode;

        public object? Run()
        {
            while (true)
            {
                _opcodeOffset = input.FileOffset;
                _opcode = input.TakeByte("an opcode");
                switch (_opcode)
                {
                    case 0x80: // PROTO
                        int protocol = input.TakeByte("the protocol number");
                        if (protocol > 5) throw Fail($"pickle protocol {protocol} is newer than 5");
                        break;
                    case 0x95: // FRAME: a hint for buffering; the bytes that follow are read as usual.
                        BinaryPrimitives.ReadUInt64LittleEndian(input.Take(8, "a frame length"));
                        break;
                    case (byte)'.': // STOP
                        if (_marks.Count > 0) throw Fail("STOP with a MARK still open");
                        if (_stack.Count != 1) throw Fail($"STOP with {_stack.Count} items on the stack instead of one");
                        return _stack[0];
                    case (byte)'(': // MARK
                        if (_marks.Count >= limits.MaxMarks) throw Fail($"more than {limits.MaxMarks} nested MARKs");
                        _marks.Push(_stack.Count);
                        break;
                    case (byte)'0': // POP: pops a MARK if one is on top, as Python does.
                        if (_marks.Count > 0 && _marks.Peek() == _stack.Count) _marks.Pop();
                        else Pop();
                        break;
                    case (byte)'1': // POP_MARK
                        PopMark();
                        break;
                    case (byte)'N': Push(null); break;
                    case 0x88: Push(true); break; // NEWTRUE
                    case 0x89: Push(false); break; // NEWFALSE
                    case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(input.Take(4, "BININT"))); break;
                    case (byte)'K': Push((long)input.TakeByte("BININT1")); break;
                    case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(input.Take(2, "BININT2"))); break;
                    case 0x8a: // LONG1: little-endian two's complement of up to 255 bytes.
                        Push(Integer(input.Take(input.TakeByte("LONG1's length"), "LONG1")));
                        break;
                    case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(input.Take(8, "BINFLOAT"))); break;
                    case (byte)'X': Push(Text(input.Take(BinaryPrimitives.ReadUInt32LittleEndian(input.Take(4, "a string length")), "a string"))); break;
                    case 0x8c: Push(Text(input.Take(input.TakeByte("a string length"), "a string"))); break; // SHORT_BINUNICODE
                    case 0x8d: Push(Text(input.Take(Length(input.Take(8, "a string length")), "a string"))); break; // BINUNICODE8
                    case (byte)'U': Push(Python2String(input.Take(input.TakeByte("a string length"), "a string"))); break; // SHORT_BINSTRING (Python 2 str)
                    case (byte)'T': Push(Python2String(input.Take(BinaryPrimitives.ReadInt32LittleEndian(input.Take(4, "a string length")), "a string"))); break; // BINSTRING
                    case (byte)'C': Push(input.Take(input.TakeByte("a bytes length"), "bytes").ToArray()); break; // SHORT_BINBYTES
                    case (byte)'B': Push(input.Take(BinaryPrimitives.ReadUInt32LittleEndian(input.Take(4, "a bytes length")), "bytes").ToArray()); break;
                    case 0x8e: Push(input.Take(Length(input.Take(8, "a bytes length")), "bytes").ToArray()); break; // BINBYTES8
                    case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                    case (byte)'t': Push(PopMark().ToArray()); break; // TUPLE
                    case 0x85: Push(new[] { Pop() }); break; // TUPLE1
                    case 0x86: // TUPLE2
                    {
                        var second = Pop();
                        Push(new[] { Pop(), second });
                        break;
                    }
                    case 0x87: // TUPLE3
                    {
                        var third = Pop();
                        var second = Pop();
                        Push(new[] { Pop(), second, third });
                        break;
                    }
                    case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                    case (byte)'l': Push(PopMark()); break; // LIST
                    case (byte)'a': // APPEND
                    {
                        var item = Pop();
                        Top<List<object?>>("APPEND").Add(item);
                        break;
                    }
                    case (byte)'e': // APPENDS
                    {
                        var items = PopMark();
                        Top<List<object?>>("APPENDS").AddRange(items);
                        break;
                    }
                    case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
                    case (byte)'d': // DICT
                    {
                        var dict = new PickleDict();
                        SetItems(dict, PopMark());
                        Push(dict);
                        break;
                    }
                    case (byte)'s': // SETITEM
                    {
                        var value = Pop();
                        var key = Pop();
                        Top<PickleDict>("SETITEM").Set(key, value);
                        break;
                    }
                    case (byte)'u': // SETITEMS
                    {
                        var items = PopMark();
                        SetItems(Top<PickleDict>("SETITEMS"), items);
                        break;
                    }
                    case (byte)'q': Memoize(input.TakeByte("BINPUT's index")); break;
                    case (byte)'r': Memoize(BinaryPrimitives.ReadUInt32LittleEndian(input.Take(4, "LONG_BINPUT's index"))); break;
                    case 0x94: Memoize(_memo.Count); break; // MEMOIZE
                    case (byte)'h': Push(Recall(input.TakeByte("BINGET's index"))); break;
                    case (byte)'j': Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(input.Take(4, "LONG_BINGET's index")))); break;
                    case (byte)'c': // GLOBAL: "module\nname\n"
                    {
                        string module = Text(input.TakeLine(limits.MaxGlobalLineBytes, "a GLOBAL's module"));
                        string name = Text(input.TakeLine(limits.MaxGlobalLineBytes, "a GLOBAL's name"));
                        Push(host.ResolveGlobal(module, name));
                        break;
                    }
                    case 0x93: // STACK_GLOBAL
                    {
                        var name = Pop();
                        var module = Pop();
                        if (module is not string m || name is not string n) throw Fail($"STACK_GLOBAL needs two strings, found {Describe(module)} and {Describe(name)}");
                        Push(host.ResolveGlobal(m, n));
                        break;
                    }
                    case (byte)'R': // REDUCE
                    {
                        var arguments = Pop() as object?[] ?? throw Fail("REDUCE needs a tuple of arguments");
                        var callable = Pop();
                        Push(host.Reduce(callable, arguments));
                        break;
                    }
                    case (byte)'b': // BUILD: only an OrderedDict's attributes (a state_dict's _metadata).
                    {
                        var state = Pop();
                        var target = Top<object>("BUILD");
                        if (target is not PickleDict dict || state is not PickleDict attributes)
                            throw Fail($"BUILD sets the state of {Describe(target)} to {Describe(state)}; only a dict's attributes may be set");
                        dict.Attributes = attributes;
                        break;
                    }
                    case (byte)'Q': Push(host.PersistentLoad(Pop())); break; // BINPERSID
                    default:
                        throw Fail($"opcode {Name(_opcode)} is not allowed: a state_dict needs only plain data, tensors and storages");
                }
            }
        }

        private void Push(object? value)
        {
            if (_stack.Count >= limits.MaxStackItems) throw Fail($"more than {limits.MaxStackItems} items on the stack");
            _stack.Add(value);
        }

        private object? Pop()
        {
            int floor = _marks.Count > 0 ? _marks.Peek() : 0;
            if (_stack.Count <= floor) throw Fail("stack underflow");
            var value = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            return value;
        }

        private List<object?> PopMark()
        {
            if (_marks.Count == 0) throw Fail("no MARK to pop to");
            int mark = _marks.Pop();
            var items = _stack.GetRange(mark, _stack.Count - mark);
            _stack.RemoveRange(mark, _stack.Count - mark);
            return items;
        }

        private T Top<T>(string operation) where T : class
        {
            int floor = _marks.Count > 0 ? _marks.Peek() : 0;
            if (_stack.Count <= floor) throw Fail("stack underflow");
            return _stack[^1] as T ?? throw Fail($"{operation} applied to {Describe(_stack[^1])}");
        }

        private void SetItems(PickleDict dict, List<object?> items)
        {
            if (items.Count % 2 != 0) throw Fail($"an odd number of items ({items.Count}) for a dict's keys and values");
            for (int i = 0; i < items.Count; i += 2) dict.Set(items[i], items[i + 1]);
        }

        private void Memoize(long index)
        {
            int floor = _marks.Count > 0 ? _marks.Peek() : 0;
            if (_stack.Count <= floor) throw Fail("memoizing with nothing on the stack");
            if (!_memo.ContainsKey(index) && _memo.Count >= limits.MaxMemoEntries) throw Fail($"more than {limits.MaxMemoEntries} memo entries");
            _memo[index] = _stack[^1];
        }

        private object? Recall(long index) =>
            _memo.TryGetValue(index, out var value) ? value : throw Fail($"memo entry {index} was never stored");

        private long Length(ReadOnlySpan<byte> bytes)
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            return length > long.MaxValue ? throw Fail($"length {length} is out of range") : (long)length;
        }

        private static object Integer(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length == 0) return 0L;
            if (bytes.Length <= 8)
            {
                // Sign-extend from the top byte.
                long value = (sbyte)bytes[^1] < 0 ? -1L : 0L;
                for (int i = bytes.Length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
                return value;
            }
            return new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        }

        private string Text(ReadOnlySpan<byte> bytes)
        {
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Fail("a string is not valid UTF-8");
            }
        }

        private string Python2String(ReadOnlySpan<byte> bytes) =>
            Ascii.IsValid(bytes) ? Encoding.ASCII.GetString(bytes) : throw Fail("a Python 2 string is not ASCII");

        private WeightsFormatException Fail(string problem) =>
            new(input.Path, $"pickle at byte {_opcodeOffset} ({Name(_opcode)}): {problem}");

        private static string Name(byte opcode) => opcode switch
        {
            (byte)'I' => "INT", (byte)'L' => "LONG", (byte)'F' => "FLOAT", (byte)'S' => "STRING", (byte)'V' => "UNICODE",
            (byte)'p' => "PUT", (byte)'g' => "GET", (byte)'P' => "PERSID", (byte)'i' => "INST", (byte)'o' => "OBJ",
            0x81 => "NEWOBJ", 0x92 => "NEWOBJ_EX", 0x82 => "EXT1", 0x83 => "EXT2", 0x84 => "EXT4", 0x8b => "LONG4",
            0x8f => "EMPTY_SET", 0x90 => "ADDITEMS", 0x91 => "FROZENSET", 0x96 => "BYTEARRAY8", 0x97 => "NEXT_BUFFER",
            0x98 => "READONLY_BUFFER", (byte)'2' => "DUP",
            (byte)'.' => "STOP", (byte)'R' => "REDUCE", (byte)'b' => "BUILD", (byte)'Q' => "BINPERSID", (byte)'c' => "GLOBAL",
            0x93 => "STACK_GLOBAL", (byte)'s' => "SETITEM", (byte)'u' => "SETITEMS", (byte)'a' => "APPEND", (byte)'e' => "APPENDS",
            (byte)'t' => "TUPLE", (byte)'d' => "DICT", (byte)'l' => "LIST", (byte)'h' => "BINGET", (byte)'j' => "LONG_BINGET",
            (byte)'q' => "BINPUT", (byte)'r' => "LONG_BINPUT", 0x94 => "MEMOIZE", 0x80 => "PROTO", 0x95 => "FRAME",
            (byte)'0' => "POP", (byte)'1' => "POP_MARK", (byte)'(' => "MARK",
            _ => opcode is >= 0x20 and < 0x7f ? $"'{(char)opcode}' (0x{opcode:x2})" : $"0x{opcode:x2}",
        };
    }

    /// <summary>A short description of a value's type for error messages (never its contents, which may be cyclic).</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        bool => "a bool",
        long or BigInteger => "an int",
        double => "a float",
        string => "a str",
        byte[] => "bytes",
        object?[] tuple => $"a tuple of {tuple.Length}",
        List<object?> => "a list",
        PickleDict => "a dict",
        _ => value.ToString() ?? value.GetType().Name,
    };
}
