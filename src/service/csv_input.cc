#include "service/csv_input.h"

#include <csv.h>
#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <stdexcept>

namespace vipcare::service::csv_input {
namespace {

// Owns an iconv descriptor.
class Iconv {
 public:
  Iconv(const char* to, const char* from) : cd_(iconv_open(to, from)) {
    if (cd_ == reinterpret_cast<iconv_t>(-1)) {
      // glibc ships GB18030; its absence is a broken installation, not user input.
      throw std::runtime_error(fmt::format("iconv cannot convert {} to {}", from, to));
    }
  }
  ~Iconv() { iconv_close(cd_); }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

// GB18030 is a superset of GBK (and of GB2312), so it reads whatever Chinese
// Excel wrote.
Result<std::string> GbkToUtf8(const std::string& in) {
  Iconv cd("UTF-8", "GB18030");
  std::string out(in.size() + in.size() / 2 + 16, '\0');
  char* in_ptr = const_cast<char*>(in.data());
  size_t in_left = in.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  while (in_left > 0) {
    if (iconv(cd.get(), &in_ptr, &in_left, &out_ptr, &out_left) != size_t(-1)) continue;
    if (errno == E2BIG) {
      size_t used = size_t(out_ptr - out.data());
      out.resize(out.size() * 2);
      out_ptr = out.data() + used;
      out_left = out.size() - used;
      continue;
    }
    size_t offset = size_t(in_ptr - in.data());
    return Error::Invalid("encoding",
                          fmt::format("line {}: the bytes are not GBK text (is the file in another "
                                      "encoding?)",
                                      LineOfOffset(in, offset)));
  }
  out.resize(size_t(out_ptr - out.data()));
  return out;
}

// Returns the file as UTF-8 without a byte-order mark.

}  // namespace

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// Strips ASCII blanks and the ideographic space U+3000 that Chinese input
// methods type, from both ends.
std::string_view Trim(std::string_view s) {
  constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  for (;;) {
    if (!s.empty() &&
        (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
      s.remove_prefix(1);
    } else if (s.substr(0, 3) == kIdeographicSpace) {
      s.remove_prefix(3);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() &&
        (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
      s.remove_suffix(1);
    } else if (s.size() >= 3 && s.substr(s.size() - 3) == kIdeographicSpace) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

// Returns the offset of the first byte that does not start a well-formed UTF-8
// sequence (overlong forms and surrogates included), or npos.
size_t FirstInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    uint32_t min;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

size_t LineOfOffset(std::string_view text, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
  }
  return line;
}

Result<std::string> DecodeToUtf8(std::string bytes, std::string_view encoding) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  bool gbk;
  if (EqualsIgnoreCase(encoding, "utf-8") || EqualsIgnoreCase(encoding, "utf8")) {
    gbk = false;
  } else if (EqualsIgnoreCase(encoding, "gbk") || EqualsIgnoreCase(encoding, "gb18030") ||
             EqualsIgnoreCase(encoding, "gb2312")) {
    gbk = true;
  } else if (EqualsIgnoreCase(encoding, "auto")) {
    gbk = std::string_view(bytes).substr(0, 3) != kBom &&
          FirstInvalidUtf8(bytes) != std::string_view::npos;
  } else {
    return Error::Invalid("encoding", "must be utf-8, gbk or auto");
  }
  if (gbk) return GbkToUtf8(bytes);
  if (std::string_view(bytes).substr(0, 3) == kBom) bytes.erase(0, 3);
  if (size_t bad = FirstInvalidUtf8(bytes); bad != std::string_view::npos) {
    return Error::Invalid("encoding",
                          fmt::format("line {}: the bytes are not UTF-8 text (try encoding gbk)",
                                      LineOfOffset(bytes, bad)));
  }
  return bytes;
}

std::string ReadAll(std::istream& in) {
  std::string data;
  // A file's size is known up front; growing the string by doubling would
  // copy a large file several times.
  if (auto start = in.tellg(); start != std::streampos(-1) && in.seekg(0, std::ios::end)) {
    auto end = in.tellg();
    in.seekg(start);
    if (end != std::streampos(-1) && end > start) data.reserve(size_t(end - start));
  }
  in.clear();
  std::array<char, 1 << 16> buf;
  while (in.read(buf.data(), buf.size()) || in.gcount() > 0) {
    data.append(buf.data(), size_t(in.gcount()));
  }
  return data;
}

Status ParseRecords(std::string_view text, const std::function<Status(RecordBuffer&)>& handle) {
  constexpr size_t kParseChunk = 1 << 20;
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
    throw std::runtime_error("libcsv could not be initialised");
  }
  struct Free {
    csv_parser* p;
    ~Free() { csv_free(p); }
  } free_parser{&parser};
  RecordBuffer buffer;
  const auto malformed = [&] {
    return Error::Invalid("", fmt::format("line {}: malformed CSV (a quoted field is not closed "
                                          "or has text after its closing quote)",
                                          buffer.current_line()));
  };
  for (size_t pos = 0; pos < text.size(); pos += kParseChunk) {
    size_t len = std::min(kParseChunk, text.size() - pos);
    if (csv_parse(&parser, text.data() + pos, len, RecordBuffer::OnField,
                  RecordBuffer::OnRecordEnd, &buffer) != len) {
      return malformed();
    }
    VIPCARE_TRY(handle(buffer));
  }
  if (csv_fini(&parser, RecordBuffer::OnField, RecordBuffer::OnRecordEnd, &buffer) != 0) {
    return malformed();
  }
  return handle(buffer);
}

}  // namespace vipcare::service::csv_input
