using System.Runtime.InteropServices;

namespace VggSharp.Distributed;

/// <summary>
/// The few entry points and predefined handles of Open MPI's C API (mpi.h of Open MPI 4 and 5, soname libmpi.so.40)
/// that data-parallel training uses, bound at run time so that a process not launched by mpirun never loads libmpi.
/// Open MPI's handles (MPI_COMM_WORLD, MPI_DOUBLE, MPI_SUM...) are the addresses of exported globals
/// (ompi_mpi_comm_world...), so they are looked up as symbols rather than compiled in as constants.
/// </summary>
internal sealed unsafe partial class MpiLibrary
{
    /// <summary>The library's soname, as Debian's libopenmpi3 package installs it.</summary>
    public const string SharedObject = "libmpi.so.40";

    public const int Success = 0;
    public const int ThreadSerialized = 2;
    public const int MaxErrorString = 256;

    /// <summary>MPI_IN_PLACE: the receive buffer is also the send buffer.</summary>
    public static readonly nint InPlace = 1;

    private const int RtldNow = 2, RtldGlobal = 0x100;

    private MpiLibrary(nint handle)
    {
        nint Export(string name) => NativeLibrary.TryGetExport(handle, name, out nint address)
            ? address
            : throw new InvalidOperationException($"{SharedObject} has no symbol {name}: it is not Open MPI 4 or later.");

        InitThread = (delegate* unmanaged<int*, nint, int, int*, int>)Export("MPI_Init_thread");
        Finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        CommRank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
        CommDup = (delegate* unmanaged<nint, nint*, int>)Export("MPI_Comm_dup");
        CommFree = (delegate* unmanaged<nint*, int>)Export("MPI_Comm_free");
        CommSetErrorHandler = (delegate* unmanaged<nint, nint, int>)Export("MPI_Comm_set_errhandler");
        Iallreduce = (delegate* unmanaged<nint, void*, int, nint, nint, nint, nint*, int>)Export("MPI_Iallreduce");
        Ibcast = (delegate* unmanaged<void*, int, nint, int, nint, nint*, int>)Export("MPI_Ibcast");
        Test = (delegate* unmanaged<nint*, int*, nint, int>)Export("MPI_Test");
        Abort = (delegate* unmanaged<nint, int, int>)Export("MPI_Abort");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Export("MPI_Error_string");
        CommWorld = Export("ompi_mpi_comm_world");
        Float = Export("ompi_mpi_float");
        Double = Export("ompi_mpi_double");
        Byte = Export("ompi_mpi_byte");
        OpSum = Export("ompi_mpi_op_sum");
        ErrorsReturn = Export("ompi_mpi_errors_return");
    }

    public delegate* unmanaged<int*, nint, int, int*, int> InitThread { get; }
    public delegate* unmanaged<int> Finalize { get; }
    public delegate* unmanaged<nint, int*, int> CommRank { get; }
    public delegate* unmanaged<nint, int*, int> CommSize { get; }
    public delegate* unmanaged<nint, nint*, int> CommDup { get; }
    public delegate* unmanaged<nint*, int> CommFree { get; }
    public delegate* unmanaged<nint, nint, int> CommSetErrorHandler { get; }

    /// <summary>MPI_Iallreduce(sendbuf, recvbuf, count, datatype, op, comm, request).</summary>
    public delegate* unmanaged<nint, void*, int, nint, nint, nint, nint*, int> Iallreduce { get; }

    /// <summary>MPI_Ibcast(buffer, count, datatype, root, comm, request).</summary>
    public delegate* unmanaged<void*, int, nint, int, nint, nint*, int> Ibcast { get; }

    /// <summary>MPI_Test(request, flag, status); the status is always MPI_STATUS_IGNORE (null).</summary>
    public delegate* unmanaged<nint*, int*, nint, int> Test { get; }

    public delegate* unmanaged<nint, int, int> Abort { get; }
    public delegate* unmanaged<int, byte*, int*, int> ErrorString { get; }

    public nint CommWorld { get; }
    public nint Float { get; }
    public nint Double { get; }
    public nint Byte { get; }
    public nint OpSum { get; }
    public nint ErrorsReturn { get; }

    /// <summary>
    /// Loads libmpi with RTLD_GLOBAL: Open MPI loads its transports as plugins that resolve their symbols against
    /// libmpi's, which fails if libmpi's symbols are private to the handle that loaded it (dlopen's default).
    /// </summary>
    public static MpiLibrary Load()
    {
        nint handle = Dlopen(SharedObject, RtldNow | RtldGlobal);
        if (handle == 0)
        {
            string reason = Marshal.PtrToStringUTF8(Dlerror()) ?? "unknown reason";
            throw new InvalidOperationException(
                $"This process was launched by mpirun but {SharedObject} could not be loaded ({reason}); install Open MPI (Debian: openmpi-bin libopenmpi3).");
        }
        return new MpiLibrary(handle);
    }

    /// <summary>The library's description of an MPI error code.</summary>
    public string Describe(int code)
    {
        byte* text = stackalloc byte[MaxErrorString + 1];
        int length = 0;
        return ErrorString(code, text, &length) == Success ? Marshal.PtrToStringUTF8((nint)text, Math.Clamp(length, 0, MaxErrorString)) : $"MPI error {code}";
    }

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Dlopen(string file, int mode);

    [LibraryImport("libc", EntryPoint = "dlerror")]
    private static partial nint Dlerror();
}
