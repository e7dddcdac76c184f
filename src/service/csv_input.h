// src/service/csv_input.h
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <fmt/format.h>
#include <functional>
#include <optional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// Reading the CSV files staff bring from Excel (member and transaction
// imports): the encoding (UTF-8 or the GBK Chinese Excel writes), blanks
// including the ideographic space, and libcsv's records with their line
// numbers as the spreadsheet shows them.
namespace vipcare::service::csv_input {

char AsciiLower(char c);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// Strips ASCII blanks and the ideographic space U+3000 that Chinese input
// methods type, from both ends.
std::string_view Trim(std::string_view s);
// The offset of the first byte that does not start a well-formed UTF-8
// sequence (overlong forms and surrogates included), or npos.
size_t FirstInvalidUtf8(std::string_view s);
// The 1-based line of `offset` in `text`.
size_t LineOfOffset(std::string_view text, size_t offset);
// The file as UTF-8 without a byte-order mark. `encoding` is "utf-8", "gbk"
// (read as GB18030, its superset) or "auto" (UTF-8 unless the bytes are not
// UTF-8). kInvalidArgument on "encoding" naming the line of the first bad byte.
Result<std::string> DecodeToUtf8(std::string bytes, std::string_view encoding);
// Everything `in` holds.
std::string ReadAll(std::istream& in);

// Fields of the records libcsv completed, stored back to back so that a
// record costs no allocation of its own.
class RecordBuffer {
 public:
  struct Record {
    size_t line;
    size_t first_field;
    size_t field_count;
  };

  static void OnField(void* data, size_t len, void* self) {
    static_cast<RecordBuffer*>(self)->AddField(static_cast<const char*>(data), len);
  }
  static void OnRecordEnd(int terminator, void* self) {
    static_cast<RecordBuffer*>(self)->EndRecord(terminator);
  }

  const std::vector<Record>& records() const { return records_; }
  std::string_view Field(size_t index) const {
    size_t begin = index == 0 ? 0 : ends_[index - 1];
    return std::string_view(text_).substr(begin, ends_[index] - begin);
  }
  // The number of the record libcsv is in the middle of.
  size_t current_line() const { return lines_ + 1; }
  // Drops the records already handled; keeps the record being built.
  void ClearCompleted() {
    size_t keep_from =
        records_.empty() ? 0 : records_.back().first_field + records_.back().field_count;
    size_t text_from = keep_from == 0 ? 0 : ends_[keep_from - 1];
    text_.erase(0, text_from);
    ends_.erase(ends_.begin(), ends_.begin() + long(keep_from));
    for (auto& e : ends_) e -= text_from;
    records_.clear();
    row_first_ = 0;
  }

 private:
  void AddField(const char* data, size_t len) {
    if (len > 0) text_.append(data, len);
    ends_.push_back(text_.size());
  }
  // With CSV_REPALL_NL libcsv reports every line end, so blank lines count
  // (their numbers match the spreadsheet's rows); the LF of a CRLF arrives as
  // an empty report right after the CR and is not a line of its own.
  void EndRecord(int terminator) {
    size_t count = ends_.size() - row_first_;
    if (count == 0) {
      bool lf_of_crlf = terminator == '\n' && last_terminator_ == '\r';
      last_terminator_ = terminator;
      if (!lf_of_crlf && terminator != -1) ++lines_;
      return;
    }
    last_terminator_ = terminator;
    records_.push_back({++lines_, row_first_, count});
    row_first_ = ends_.size();
  }

  std::string text_;
  std::vector<size_t> ends_;  // end offset in text_ of each field
  std::vector<Record> records_;
  size_t row_first_ = 0;  // index in ends_ of the first field of the record being built
  size_t lines_ = 0;
  int last_terminator_ = 0;
};

// Matches a header row to an import's columns. `defs` is indexed by column
// and each has `english` (matched case-insensitively, blanks and '-' read as
// '_'), `chinese` (up to three exact names, the first canonical) and
// `required`. Fills `order` with the column of each field and `names` with
// each column's name as the file writes it. kInvalidArgument naming the
// header field: an unknown name (the message lists `expected`), a column
// twice, or a required column missing (named in the file's language).
template <class Def, size_t N>
Status MatchHeader(const std::vector<std::string_view>& fields, const std::array<Def, N>& defs,
                   size_t line, std::string_view expected, std::vector<size_t>& order,
                   std::array<std::string, N>& names) {
  order.clear();
  std::array<bool, N> seen{};
  size_t chinese = 0;
  for (auto name : fields) {
    std::string key(name);
    for (char& c : key) c = (c == ' ' || c == '-') ? '_' : AsciiLower(c);
    std::optional<size_t> column;
    for (size_t i = 0; i < N; ++i) {
      const auto& def = defs[i];
      if (key == def.english) {
        column = i;
      } else if (!name.empty() &&
                 std::find(def.chinese.begin(), def.chinese.end(), name) != def.chinese.end()) {
        column = i;
        ++chinese;
      }
    }
    if (!column) {
      return Error::Invalid(std::string(name),
                            fmt::format("line {}: unknown column (expected names like {})", line,
                                        expected));
    }
    if (seen[*column]) {
      return Error::Invalid(std::string(name), fmt::format("line {}: column appears twice", line));
    }
    seen[*column] = true;
    order.push_back(*column);
    names[*column] = std::string(name);
  }
  for (size_t i = 0; i < N; ++i) {
    if (defs[i].required && !seen[i]) {
      std::string name(chinese * 2 > fields.size() ? defs[i].chinese[0] : defs[i].english);
      return Error::Invalid(name, fmt::format("line {}: required column is missing", line));
    }
  }
  return Ok{};
}

// Parses `text` as strict CSV (libcsv) in chunks of about a megabyte, and
// after each chunk and at the end hands the records completed so far to
// `handle`, which takes them (RecordBuffer::ClearCompleted) and may stop the
// parse with an error. A syntax error (an unclosed quote, text after a
// closing quote) is kInvalidArgument naming its line.
Status ParseRecords(std::string_view text, const std::function<Status(RecordBuffer&)>& handle);

}  // namespace vipcare::service::csv_input
