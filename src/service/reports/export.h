// src/service/reports/export.h
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"

namespace vipcare::service::reports {

// A report rendered as a file to download (SPEC P4, issue 7 exports).
struct ExportFile {
  std::string content_type;
  std::string filename;  // ASCII, e.g. "member_sales-2027-01-2027-03.csv"
  std::string body;
  int64_t rows = 0;  // data rows, without the header and totals
};

// Renders a report answer ({"name", "title", "from", "to", "columns",
// "rows", "totals"?}) as `format` "csv" or "xlsx". CSV is UTF-8 with a byte
// order mark so Excel opens it, or GBK when `encoding` is "gbk" (characters
// GBK lacks become '?'); XLSX has a title row, the header, the rows and a
// 合计 row when the report has totals. Money is in yuan with two decimals,
// shares as percentages. kInvalidArgument naming "format" or "encoding".
Result<ExportFile> RenderExport(const nlohmann::json& report, const std::string& format,
                                const std::string& encoding);

}  // namespace vipcare::service::reports
