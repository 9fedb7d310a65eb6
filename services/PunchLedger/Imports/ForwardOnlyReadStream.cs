namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>
/// What the import's read-once streams (an upload's chunks, a stored file's chunks, a workbook part under its size
/// limit, a sniffed prefix put back) have in common: readable front to back, never seekable, writable or measured.
/// </summary>
internal abstract class ForwardOnlyReadStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
