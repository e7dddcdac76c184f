// src/service/reports/report_fns.h
#pragma once
// The reports of the catalogue (report_query.cc), one function each, in the
// files of their area under service/reports/.
#include "service/reports/report_query.h"

namespace vipcare::service::reports {

using ReportResult = Result<nlohmann::json>;

ReportResult MemberGrowth(const ReportQuery& q, store::Repository& repo);        // R1 growth.cc
ReportResult MemberSales(const ReportQuery& q, store::Repository& repo);         // R2 sales.cc
ReportResult TierMix(const ReportQuery& q, store::Repository& repo);             // R3 tiers.cc
ReportResult Activity(const ReportQuery& q, store::Repository& repo);            // R4 activity.cc
ReportResult Rfm(const ReportQuery& q, store::Repository& repo);                 // R4 activity.cc
ReportResult ChurnRisk(const ReportQuery& q, store::Repository& repo);           // R5 churn.cc
ReportResult TopMembers(const ReportQuery& q, store::Repository& repo);          // R6 top.cc
// R6 parts: counts only (any report reader) and member rows (member_read).
ReportResult TopMembersCounts(const ReportQuery& q, store::Repository& repo);
ReportResult TopMembersRows(const ReportQuery& q, store::Repository& repo);
ReportResult CategoryMix(const ReportQuery& q, store::Repository& repo);         // R7 mix.cc
ReportResult MemberProfile(const ReportQuery& q, store::Repository& repo);       // R7 mix.cc
ReportResult CareWork(const ReportQuery& q, store::Repository& repo);            // R8 care_work.cc
ReportResult StaffGoals(const ReportQuery& q, store::Repository& repo);          // R8 care_work.cc
ReportResult Campaigns(const ReportQuery& q, store::Repository& repo);           // R9 campaigns.cc

}  // namespace vipcare::service::reports
