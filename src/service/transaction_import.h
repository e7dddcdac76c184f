// src/service/transaction_import.h
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "core/result.h"
#include "service/context.h"
#include "service/member_import.h"  // ImportRowError

namespace vipcare::service {

struct TransactionImportOptions {
  // "utf-8", "gbk", or "auto" (UTF-8 if the bytes are valid UTF-8, else GBK).
  std::string encoding = "auto";
  bool skip_bad = false;  // post the good transactions even if some rows are bad
  // Transactions per database transaction while loading (~50,000 CSV rows
  // at 1.6 lines a sale). Each batch commits on its own, so a crash loses at
  // most the batch in flight (importing the file again completes it) and
  // tills posting at the same time wait at most one batch.
  size_t batch_size = 30'000;
};

struct TransactionImportReport {
  size_t rows_read = 0;     // data rows, blank rows not counted
  size_t transactions = 0;  // sales and refunds in the file (a group of rows each)
  size_t posted = 0;        // transactions posted by this import
  size_t repeats = 0;       // already posted before (same external_id and content)
  size_t non_member_sales = 0;  // of `posted`: sales without a member
  // Bad rows, in file order. `line` counts every record (the header is line
  // 1), `field` is the column name as the header wrote it.
  std::vector<ImportRowError> errors;
  std::chrono::milliseconds elapsed{0};
};

// Imports sales and refunds from a CSV file (SPEC L1 "imported from CSV").
// Imported sales earn points, fill the monthly buckets, raise tiers, make
// temporary members formal and reward referrers exactly as the same sales
// posted one by one through Loyalty::PostSale would: the same rows in every
// loyalty table, the same stored answers and request hashes (a till
// replaying an imported external id gets the answer it would have got).
// Only the audit log differs: one "sale_import" row per batch with its
// counts instead of one "sale_post"/"refund_post" row per transaction (the
// M4 conversions keep their own "member_formal" rows). Thread-safe (holds
// only the Env; a load runs on one pooled connection).
//
// The file has a header row; columns are matched by English name
// (case-insensitive) or Chinese name:
//   external_id/单号 (required), kind/类型 (sale 销售 | refund 退货; empty = sale),
//   original_external_id/原单号 (refunds), card_no/卡号, member_no/会员编号,
//   mobile/手机 (the member, exact; all empty = a non-member sale; several
//   given must name the same member), store_code/门店编码 (required),
//   associate_no/导购工号, occurred_at/交易时间 (required: RFC 3339, or local
//   time in the company's zone "YYYY-MM-DD HH:MM[:SS]", '/' also accepted),
//   sku/商品编码, category/品类, brand/品牌, quantity/数量 (default 1),
//   list_price/吊牌价 (per unit), paid/实付金额 (required: the line total; on a
//   refund row the amount given back), promo/特价 (0/1/是/否), payment_method/
//   支付方式, line_no/原行号 (refunds: the sale's line, from 1).
// Amounts are yuan with at most two decimals ("1299.00") and become fen
// exactly (no floating point).
// Consecutive rows with the same external_id are the lines of one
// transaction; its other columns come from its first row (later rows may
// leave them empty or repeat them). On refund rows only external_id, kind,
// original_external_id, store_code, occurred_at, line_no and paid are read.
// A refund's sale must be posted already or come earlier in the file.
//
// Every row is checked before anything is posted: format, stores, staff,
// members (an active card), the actor's reach (kSalePost; a store-bound
// account only its own store), refund amounts against what the sale paid and
// what was refunded before, and external ids posted before (the same content
// is a repeat, different content is an error). With bad rows nothing is posted
// unless opt.skip_bad, which posts every transaction whose rows are all good.
// Transactions are then loaded in file order in batches of opt.batch_size,
// each batch one database transaction: its members' loyalty states and
// monthly buckets are read set-wise, its transactions applied in memory in
// file order with the posting's rules (domain/points.h, domain/tiers.h), and
// the result written with multi-row statements (transactions and lines, one
// lot and one ledger movement per earning sale as a posting makes them, tier
// events, one bucket upsert per member and month, one state per member).
// A crash loses at most the batch in flight; importing the file again
// completes it, since every transaction committed is then a repeat. Under a
// program that issues cash-back vouchers automatically (L5) every
// transaction is posted through Loyalty::PostSaleIn instead, batch by batch.
// One more audit row records the import. Importing the same file again
// posts nothing: every transaction is a repeat.
//
// Returns kInvalidArgument if the file cannot be read as a whole (encoding,
// CSV quoting, unknown, repeated or missing columns: `field` names the column
// or "encoding"), kForbidden if the actor may not post sales. A transaction
// the checks passed but the load refused (a change made by someone else
// while the import ran: a member file closed, the same external id posted by
// a till with other content) is reported as a bad row; a till posting the
// same content meanwhile makes it a repeat, and a member's points changed
// meanwhile make the batch start again from the database. Without skip_bad the import
// stops there, keeping the batches committed before it (importing the file
// again posts the rest). `progress(rows_done, rows_total)` is called after
// the checks and after each batch. Throws store::DbError only for
// infrastructure failures.
class TransactionImport {
 public:
  explicit TransactionImport(Env env) : env_(env) {}

  Result<TransactionImportReport> Run(
      const Actor& actor, std::istream& in, const TransactionImportOptions& opt,
      const std::function<void(size_t rows_done, size_t rows_total)>& progress = {});

 private:
  Env env_;
};

}  // namespace vipcare::service
