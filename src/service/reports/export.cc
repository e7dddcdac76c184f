#include "service/reports/export.h"

#include <fmt/format.h>
#include <iconv.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace vipcare::service::reports {

using json = nlohmann::json;

namespace {

struct Col {
  std::string key, title, kind;
};

std::vector<Col> ColumnsOf(const json& report) {
  std::vector<Col> out;
  for (const auto& c : report.value("columns", json::array())) {
    out.push_back({c.value("key", ""), c.value("title", ""), c.value("kind", "text")});
  }
  return out;
}

// Fen as yuan "1234.50", keeping the sign.
std::string Yuan(int64_t fen) {
  const char* sign = fen < 0 ? "-" : "";
  const int64_t a = fen < 0 ? -fen : fen;
  return fmt::format("{}{}.{:02}", sign, a / 100, a % 100);
}

// Basis points as a percentage "45.45%".
std::string Percent(int64_t bp) {
  const char* sign = bp < 0 ? "-" : "";
  const int64_t a = bp < 0 ? -bp : bp;
  return fmt::format("{}{}.{:02}%", sign, a / 100, a % 100);
}

std::string CellText(const json& v, const std::string& kind) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "是" : "否";
  if (v.is_number_integer() && kind == "fen") return Yuan(v.get<int64_t>());
  if (v.is_number_integer() && kind == "bp") return Percent(v.get<int64_t>());
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v) out += (out.empty() ? "" : "；") + CellText(item, "text");
    return out;
  }
  return v.dump();
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// UTF-8 -> GBK; a character GBK has no code for becomes '?'.
std::string ToGbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("iconv has no GBK");
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* dst = out.data();
  size_t out_left = out.size();
  while (in_left > 0) {
    if (iconv(cd, &in, &in_left, &dst, &out_left) != static_cast<size_t>(-1)) break;
    if (errno == EILSEQ || errno == EINVAL) {
      // Skip one UTF-8 character and write '?'.
      size_t n = 1;
      while (n < in_left && (static_cast<unsigned char>(in[n]) & 0xC0) == 0x80) ++n;
      in += n;
      in_left -= n;
      if (out_left == 0) break;
      *dst++ = '?';
      --out_left;
    } else {
      break;  // E2BIG cannot happen: GBK is never longer than UTF-8 plus slack
    }
  }
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

std::string BaseName(const json& report) {
  return fmt::format("{}-{}-{}", report.value("name", "report"), report.value("from", ""),
                     report.value("to", ""));
}

std::string Csv(const json& report, const std::vector<Col>& cols) {
  std::string out;
  for (size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + CsvField(cols[i].title);
  out += "\r\n";
  auto line = [&](const json& row, bool totals) {
    for (size_t i = 0; i < cols.size(); ++i) {
      std::string cell = CellText(row.value(cols[i].key, json()), cols[i].kind);
      if (totals && i == 0 && cell.empty()) cell = "合计";
      out += (i ? "," : "") + CsvField(cell);
    }
    out += "\r\n";
  };
  for (const auto& row : report.value("rows", json::array())) line(row, false);
  if (report.contains("totals") && report["totals"].is_object()) line(report["totals"], true);
  return out;
}

std::string Xlsx(const json& report, const std::vector<Col>& cols) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/vipcare-export-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0) throw std::runtime_error("cannot create a temporary file for the export");
  close(fd);
  lxw_workbook* wb = workbook_new(path.c_str());
  if (!wb) {
    unlink(path.c_str());
    throw std::runtime_error("libxlsxwriter could not start a workbook");
  }
  lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* money = workbook_add_format(wb);
  format_set_num_format(money, "#,##0.00");
  lxw_format* pct = workbook_add_format(wb);
  format_set_num_format(pct, "0.00%");
  worksheet_write_string(ws, 0, 0,
                         fmt::format("{} {} ~ {}", report.value("title", ""),
                                     report.value("from", ""), report.value("to", ""))
                             .c_str(),
                         bold);
  for (size_t i = 0; i < cols.size(); ++i) {
    worksheet_write_string(ws, 1, static_cast<lxw_col_t>(i), cols[i].title.c_str(), bold);
    worksheet_set_column(ws, static_cast<lxw_col_t>(i), static_cast<lxw_col_t>(i), 14, nullptr);
  }
  lxw_row_t r = 2;
  auto line = [&](const json& row, bool totals) {
    for (size_t i = 0; i < cols.size(); ++i) {
      const auto c = static_cast<lxw_col_t>(i);
      const json v = row.value(cols[i].key, json());
      if (v.is_number()) {
        const double x = v.get<double>();
        if (cols[i].kind == "fen") {
          worksheet_write_number(ws, r, c, x / 100.0, money);
        } else if (cols[i].kind == "bp") {
          worksheet_write_number(ws, r, c, x / 10000.0, pct);
        } else {
          worksheet_write_number(ws, r, c, x, nullptr);
        }
      } else {
        std::string cell = CellText(v, cols[i].kind);
        if (totals && i == 0 && cell.empty()) cell = "合计";
        if (!cell.empty()) worksheet_write_string(ws, r, c, cell.c_str(), totals ? bold : nullptr);
      }
    }
    ++r;
  };
  for (const auto& row : report.value("rows", json::array())) line(row, false);
  if (report.contains("totals") && report["totals"].is_object()) line(report["totals"], true);
  const lxw_error err = workbook_close(wb);
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  unlink(path.c_str());
  if (err != LXW_NO_ERROR) {
    throw std::runtime_error(std::string("libxlsxwriter: ") + lxw_strerror(err));
  }
  return bytes.str();
}

}  // namespace

Result<ExportFile> RenderExport(const json& report, const std::string& format,
                                const std::string& encoding) {
  if (format != "csv" && format != "xlsx") return Error::Invalid("format", "must be csv or xlsx");
  if (!encoding.empty() && encoding != "utf-8" && encoding != "gbk") {
    return Error::Invalid("encoding", "must be utf-8 or gbk");
  }
  if (format == "xlsx" && !encoding.empty() && encoding != "utf-8") {
    return Error::Invalid("encoding", "applies to csv only");
  }
  const auto cols = ColumnsOf(report);
  ExportFile out;
  out.rows = static_cast<int64_t>(report.value("rows", json::array()).size());
  if (format == "xlsx") {
    out.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    out.filename = BaseName(report) + ".xlsx";
    out.body = Xlsx(report, cols);
  } else if (encoding == "gbk") {
    out.content_type = "text/csv; charset=gbk";
    out.filename = BaseName(report) + ".csv";
    out.body = ToGbk(Csv(report, cols));
  } else {
    out.content_type = "text/csv; charset=utf-8";
    out.filename = BaseName(report) + ".csv";
    out.body = "\xEF\xBB\xBF" + Csv(report, cols);
  }
  return out;
}

}  // namespace vipcare::service::reports
