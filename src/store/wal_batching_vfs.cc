// src/store/wal_batching_vfs.cc
//
// How the frames stay safe. SQLite writes a commit's frames to the WAL, then
// publishes them by writing the new WAL-index header into shared memory:
// first its second copy, then a memory barrier (xShmBarrier on the database
// file), then its first copy; a reader trusts the header only when both
// copies agree. So the frames must be in the file before that barrier. They
// are passed on
//   - when the page after a commit frame's header is written (the frame
//     header's second word, "database size after commit", is non-zero only
//     in a commit frame), so a failed write fails the commit with SQLite's
//     own error;
//   - otherwise, at the latest, in the database file's xShmBarrier, which
//     cannot report an error: if that write fails the process aborts rather
//     than publish frames that are not in the file (a crash loses nothing
//     that was acknowledged; the WAL-index is rebuilt from the file);
//   - before any other use of the WAL file (read, sync, truncate, size, file
//     control, close), before a write that does not continue them, and when
//     more than kMaxPending bytes are waiting.
#include "store/wal_batching_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "store/db.h"

namespace vipcare::store {
namespace {

constexpr char kVfsName[] = "vipcare-wal-batching";
// WAL file format (https://www.sqlite.org/fileformat.html#walformat).
constexpr int kWalHeaderBytes = 32;
constexpr int kFrameHeaderBytes = 24;
constexpr int kCommitSizeOffset = 4;  // big-endian u32: database pages after a commit, else 0
// A large transaction (an import's batch) is passed on in pieces of this size.
constexpr size_t kMaxPending = size_t{4} << 20;
// The unix VFS writes at most 0x1ffff bytes per call (it masks the length to
// 17 bits and reports a short write as SQLITE_FULL), so the frames are passed
// on in 124 KiB pieces: 31 pages of 4 KiB with their headers.
constexpr size_t kMaxWrite = size_t{124} << 10;

struct File {
  sqlite3_file base;  // what SQLite holds; must come first
  sqlite3_file* real;  // the wrapped VFS's file, stored right after this struct
  File* wal;  // on a main database file: its open WAL file, if any
  File* db;   // on a WAL file: its main database file, if known
  // On a WAL file: bytes written by SQLite and not yet passed on, which
  // belong at file offset pending_at.
  std::vector<char>* pending;
  sqlite3_int64 pending_at;
  bool commit_header_written;  // the last write was a commit frame's header
};

// SQLite allocates szOsFile bytes for a File; the real file follows it.
constexpr size_t kRealOffset = (sizeof(File) + 15) / 16 * 16;

sqlite3_vfs* g_real_vfs = nullptr;

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

int Flush(File* wal) {
  if (wal->pending == nullptr || wal->pending->empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  const size_t size = wal->pending->size();
  for (size_t done = 0; done < size && rc == SQLITE_OK; done += kMaxWrite) {
    const size_t n = std::min(kMaxWrite, size - done);
    rc = wal->real->pMethods->xWrite(wal->real, wal->pending->data() + done, static_cast<int>(n),
                                     wal->pending_at + static_cast<sqlite3_int64>(done));
  }
  wal->pending->clear();
  return rc;
}

bool IsCommitFrameHeader(const void* data, int amount, sqlite3_int64 offset) {
  if (amount != kFrameHeaderBytes || offset < kWalHeaderBytes) return false;
  const auto* b = static_cast<const unsigned char*>(data) + kCommitSizeOffset;
  return (b[0] | b[1] | b[2] | b[3]) != 0;
}

// --- methods shared by every file: pass through -------------------------------

int Close(sqlite3_file* f) {
  auto* file = reinterpret_cast<File*>(f);
  int rc = SQLITE_OK;
  if (file->pending != nullptr) {  // a WAL file
    rc = Flush(file);
    if (file->db != nullptr && file->db->wal == file) file->db->wal = nullptr;
    delete file->pending;
    file->pending = nullptr;
  } else if (file->wal != nullptr) {  // a database file whose WAL is still open
    file->wal->db = nullptr;
  }
  const int close_rc = file->real->pMethods->xClose(file->real);
  return rc != SQLITE_OK ? rc : close_rc;
}
int Read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  return Real(f)->pMethods->xRead(Real(f), out, amount, offset);
}
int Write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  return Real(f)->pMethods->xWrite(Real(f), data, amount, offset);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) { return Real(f)->pMethods->xSync(Real(f), flags); }
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
// Shared memory came with version 2 of the methods, memory mapping with 3.
bool Has(sqlite3_file* f, int version) { return Real(f)->pMethods->iVersion >= version; }
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  if (!Has(f, 2)) return SQLITE_IOERR;
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  if (!Has(f, 2)) return SQLITE_IOERR;
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) {
  if (Has(f, 2)) Real(f)->pMethods->xShmBarrier(Real(f));
}
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  if (!Has(f, 2)) return SQLITE_OK;
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
int Fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  if (!Has(f, 3)) {
    *out = nullptr;  // "not mapped": SQLite reads the page instead
    return SQLITE_OK;
  }
  return Real(f)->pMethods->xFetch(Real(f), offset, amount, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  if (!Has(f, 3)) return SQLITE_OK;
  return Real(f)->pMethods->xUnfetch(Real(f), offset, page);
}

// --- the main database file: its barrier passes its WAL's frames on first -----

void DbShmBarrier(sqlite3_file* f) {
  auto* file = reinterpret_cast<File*>(f);
  if (file->wal != nullptr && Flush(file->wal) != SQLITE_OK) std::abort();
  ShmBarrier(f);
}

// --- the WAL file: writes are collected, everything else passes them on first --

int WalWrite(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  auto* wal = reinterpret_cast<File*>(f);
  auto& pending = *wal->pending;
  if (!pending.empty() &&
      offset != wal->pending_at + static_cast<sqlite3_int64>(pending.size())) {
    if (const int rc = Flush(wal); rc != SQLITE_OK) return rc;
  }
  if (pending.empty()) wal->pending_at = offset;
  const auto* bytes = static_cast<const char*>(data);
  try {
    pending.insert(pending.end(), bytes, bytes + amount);
  } catch (const std::bad_alloc&) {
    // Nothing may be thrown through SQLite; write through instead.
    if (const int rc = Flush(wal); rc != SQLITE_OK) return rc;
    return Write(f, data, amount, offset);
  }
  const bool commit_page = wal->commit_header_written && amount != kFrameHeaderBytes;
  wal->commit_header_written = IsCommitFrameHeader(data, amount, offset);
  if (commit_page || pending.size() >= kMaxPending) return Flush(wal);
  return SQLITE_OK;
}
int WalRead(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  if (const int rc = Flush(reinterpret_cast<File*>(f)); rc != SQLITE_OK) return rc;
  return Read(f, out, amount, offset);
}
int WalTruncate(sqlite3_file* f, sqlite3_int64 size) {
  if (const int rc = Flush(reinterpret_cast<File*>(f)); rc != SQLITE_OK) return rc;
  return Truncate(f, size);
}
int WalSync(sqlite3_file* f, int flags) {
  if (const int rc = Flush(reinterpret_cast<File*>(f)); rc != SQLITE_OK) return rc;
  return Sync(f, flags);
}
int WalFileSize(sqlite3_file* f, sqlite3_int64* size) {
  if (const int rc = Flush(reinterpret_cast<File*>(f)); rc != SQLITE_OK) return rc;
  return FileSize(f, size);
}
int WalFileControl(sqlite3_file* f, int op, void* arg) {
  if (const int rc = Flush(reinterpret_cast<File*>(f)); rc != SQLITE_OK) return rc;
  return FileControl(f, op, arg);
}

constexpr sqlite3_io_methods kPlainMethods = {
    3,     Close,       Read,   Write,     Truncate,   Sync,     FileSize, Lock,
    Unlock, CheckReservedLock, FileControl, SectorSize, DeviceCharacteristics,
    ShmMap, ShmLock,     ShmBarrier, ShmUnmap, Fetch, Unfetch};
constexpr sqlite3_io_methods kDbMethods = {
    3,     Close,       Read,   Write,     Truncate,   Sync,     FileSize, Lock,
    Unlock, CheckReservedLock, FileControl, SectorSize, DeviceCharacteristics,
    ShmMap, ShmLock,     DbShmBarrier, ShmUnmap, Fetch, Unfetch};
constexpr sqlite3_io_methods kWalMethods = {
    3,     Close,       WalRead, WalWrite, WalTruncate, WalSync, WalFileSize, Lock,
    Unlock, CheckReservedLock, WalFileControl, SectorSize, DeviceCharacteristics,
    ShmMap, ShmLock,     ShmBarrier, ShmUnmap, Fetch, Unfetch};

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* file = reinterpret_cast<File*>(f);
  std::memset(file, 0, sizeof(File));
  file->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
  const int rc = g_real_vfs->xOpen(g_real_vfs, name, file->real, flags, out_flags);
  // SQLite calls xClose exactly when pMethods is set, whether or not the open
  // succeeded; ours must follow the real file's.
  if (file->real->pMethods == nullptr) {
    file->base.pMethods = nullptr;
    return rc;
  }
  if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0) {
    file->pending = new (std::nothrow) std::vector<char>();
    if (file->pending == nullptr) {
      file->base.pMethods = &kPlainMethods;  // xClose closes the real file
      return SQLITE_NOMEM;
    }
    // The database file of a connection opened through this VFS is a File too.
    file->db = reinterpret_cast<File*>(sqlite3_database_file_object(name));
    if (file->db != nullptr) file->db->wal = file;
    file->base.pMethods = &kWalMethods;
  } else if ((flags & SQLITE_OPEN_MAIN_DB) != 0) {
    file->base.pMethods = &kDbMethods;
  } else {
    file->base.pMethods = &kPlainMethods;
  }
  return rc;
}

sqlite3_vfs* Register() {
  g_real_vfs = sqlite3_vfs_find(nullptr);
  // The wrapper keeps every VFS-level method of the real one (their state is
  // reached through pAppData and mxPathname, copied with them) and replaces
  // only how files are opened.
  static sqlite3_vfs vfs = *g_real_vfs;
  vfs.pNext = nullptr;
  vfs.zName = kVfsName;
  vfs.szOsFile = static_cast<int>(kRealOffset) + g_real_vfs->szOsFile;
  vfs.xOpen = Open;
  if (const int rc = sqlite3_vfs_register(&vfs, 0); rc != SQLITE_OK) {
    throw DbError(DbError::Kind::kOther,
                  std::string("sqlite: cannot register a VFS: ") + sqlite3_errstr(rc));
  }
  return &vfs;
}

}  // namespace

const char* WalBatchingVfs() {
  static sqlite3_vfs* vfs = Register();
  return vfs->zName;
}

}  // namespace vipcare::store
