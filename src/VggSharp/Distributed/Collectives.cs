using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using VggSharp.Layers;

namespace VggSharp.Distributed;

/// <summary>Operations of a data-parallel job built on <see cref="ICommunicator"/>'s primitives.</summary>
public static class Collectives
{
    /// <summary>
    /// Rank 0's <paramref name="value"/> on every rank, sent as JSON in the form <paramref name="typeInfo"/> gives (the
    /// other ranks' argument is ignored).
    /// </summary>
    public static T BroadcastJson<T>(this ICommunicator communicator, T? value, JsonTypeInfo<T> typeInfo, string operation)
    {
        byte[] payload = communicator.Rank == 0 ? JsonSerializer.SerializeToUtf8Bytes(value, (JsonTypeInfo)typeInfo) : [];
        long[] length = [payload.Length];
        communicator.Broadcast(MemoryMarshal.AsBytes(length.AsSpan()), 0, operation);
        if (communicator.Rank != 0) payload = new byte[checked((int)length[0])];
        communicator.Broadcast(payload, 0, operation);
        return JsonSerializer.Deserialize(payload, typeInfo)
            ?? throw new InvalidOperationException($"Rank 0 sent nothing for {operation}: {Encoding.UTF8.GetString(payload)}");
    }

    /// <summary>Copies rank 0's bytes of every entry into the other ranks' (the entries must match in order and size on all ranks).</summary>
    public static void BroadcastState(this ICommunicator communicator, IEnumerable<StateEntry> entries)
    {
        foreach (var entry in entries)
        {
            string operation = $"sending {entry.Key} from rank 0";
            if (entry.IsOnHost)
            {
                communicator.Broadcast(entry.Bytes, 0, operation);
                continue;
            }
            // A device's state goes through the host.
            var staged = entry.HostBytes().ToArray();
            communicator.Broadcast(staged, 0, operation);
            entry.CopyFrom(staged);
        }
    }

    /// <summary>
    /// Whether every rank's <paramref name="entries"/> hold the same bits as rank 0's, by a checksum of each rank's
    /// bytes compared on all ranks (so every rank gets the same answer).
    /// </summary>
    public static bool StateAgrees(this ICommunicator communicator, IEnumerable<StateEntry> entries)
    {
        ulong local = Checksum(entries);
        ulong[] reference = [local];
        communicator.Broadcast(MemoryMarshal.AsBytes(reference.AsSpan()), 0, "comparing the replicas' state");
        double[] disagreeing = [reference[0] == local ? 0 : 1];
        communicator.Sum(disagreeing, "comparing the replicas' state");
        return disagreeing[0] == 0;
    }

    /// <summary>A 64-bit checksum of the entries' keys and bytes (multiply-rotate over 8-byte words).</summary>
    internal static ulong Checksum(IEnumerable<StateEntry> entries)
    {
        const ulong Prime = 0x9E3779B97F4A7C15UL;
        ulong hash = 0;
        void Mix(ulong word) => hash = (ulong.RotateLeft(hash ^ word, 29) * Prime) + 1;
        foreach (var entry in entries)
        {
            foreach (char c in entry.Key) Mix(c);
            var bytes = entry.HostBytes();
            foreach (ulong word in MemoryMarshal.Cast<byte, ulong>(bytes)) Mix(word);
            for (int i = bytes.Length & ~7; i < bytes.Length; i++) Mix(bytes[i]);
            Mix((ulong)bytes.Length);
        }
        return hash;
    }
}
