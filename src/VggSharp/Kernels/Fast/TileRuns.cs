namespace VggSharp.Kernels.Fast;

/// <summary>The runs of consecutive tiles of one tile row that make up a block, in tile order.</summary>
internal readonly struct TileRuns(WinogradGeometry g, int first, int count)
{
    public Enumerator GetEnumerator() => new(g, first, count);

    public struct Enumerator(WinogradGeometry g, int first, int count)
    {
        private int _position = -1, _length;

        public TileRun Current { get; private set; }

        public bool MoveNext()
        {
            _position = _position < 0 ? 0 : _position + _length;
            if (_position >= count) return false;
            int tile = first + _position;
            int image = tile / g.TilesPerImage, inImage = tile % g.TilesPerImage;
            int row = inImage / g.TilesX, column = inImage % g.TilesX;
            _length = Math.Min(g.TilesX - column, count - _position);
            Current = new TileRun(image, row, column, _length, _position);
            return true;
        }
    }
}
